#include "interchange/fields.h"

#include "core/numbers.h"

namespace wegwijzer::internal {

std::string ParseLanguages(std::string_view field, LanguageSet* out) {
  for (std::string_view code : SplitList(field)) {
    auto language = Language::FromCode(code);
    if (!language) {
      return Cat("languages: unknown code '", code, "' (ISO 639-1, two lowercase letters)");
    }
    out->Add(*language);
  }
  return "";
}

std::string ParsePosition(std::string_view lat_field, std::string_view lon_field,
                          LatLng* out, bool* present) {
  *present = !lat_field.empty() || !lon_field.empty();
  if (!*present) return "";
  if (lat_field.empty() || lon_field.empty()) {
    return Cat("coordinates are half given: ", lat_field.empty() ? "lat" : "lon", " is empty");
  }
  if (std::string r = ParseDecimal("lat", lat_field, &out->lat_deg); !r.empty()) return r;
  if (std::string r = ParseDecimal("lon", lon_field, &out->lon_deg); !r.empty()) return r;
  if (out->lat_deg < -90 || out->lat_deg > 90) {
    return Cat("lat: '", lat_field, "' is outside -90..90");
  }
  if (out->lon_deg < -180 || out->lon_deg > 180) {
    return Cat("lon: '", lon_field, "' is outside -180..180");
  }
  return "";
}

}  // namespace wegwijzer::internal
