// libFuzzer target: the municipality GeoJSON reader, polygon repair and the lookup
// grid (Gazetteer::Parse). Any bytes must give a gazetteer or a clear status, never a
// crash, hang, sanitizer report or escaped exception (std::bad_alloc included). .ci/fuzz
// runs it with -timeout and -rss_limit_mb, so an input that makes loading slow or
// hungry is a finding too. Seeds (corpus/geojson) are extracts of the real CBS/PDOK
// municipality file, including the five invalid polygons the loader repairs.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "wegwijzer/gazetteer.h"
#include "wegwijzer/v1/directory.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<std::shared_ptr<const wegwijzer::Gazetteer>> gazetteer =
      wegwijzer::Gazetteer::Parse(text, "", {}, "fuzz.geojson");
  if (!gazetteer.ok()) {
    // Errors must say why and name the file.
    if (gazetteer.status().message().find("fuzz.geojson") == std::string_view::npos &&
        gazetteer.status().code() != absl::StatusCode::kResourceExhausted) {
      __builtin_trap();
    }
    return 0;
  }
  const wegwijzer::Gazetteer& g = **gazetteer;
  if (g.municipality_count() == 0) __builtin_trap();  // an empty map is an error
  for (size_t i = 0; i < g.municipality_count(); ++i) {
    const wegwijzer::Municipality m = g.municipality(i);
    if (m.code.empty()) __builtin_trap();
    auto found = g.FindMunicipality(m.code);
    if (!found || found->code != m.code) __builtin_trap();  // codes are unique
  }
  // Lookups at points taken from the input's bytes, and inside the country.
  for (size_t i = 0; i + 16 <= size && i < 16 * 64; i += 16) {
    double lat = 0, lon = 0;
    std::memcpy(&lat, data + i, 8);
    std::memcpy(&lon, data + i + 8, 8);
    (void)g.MunicipalityAt({lat, lon});
    (void)g.MunicipalityAt({50.75 + (data[i] / 255.0) * 2.8, 3.36 + (data[i + 1] / 255.0) * 3.9});
  }
  // A service area of the first municipality is a drawn area the directory accepts.
  const std::string first(g.municipality(0).code);
  absl::StatusOr<wegwijzer::v1::ServiceArea> area = g.ServiceAreaOf({&first, 1});
  if (!area.ok() || area->parts_size() == 0) __builtin_trap();
  return 0;
}
