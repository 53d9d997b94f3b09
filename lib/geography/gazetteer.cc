#include "wegwijzer/gazetteer.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "geography/gazetteer_geometry.h"
#include "geography/geojson.h"
#include "geography/polygon_repair.h"
#include "core/numbers.h"
#include "core/postcode.h"
#include "core/text.h"
#include "interchange/files.h"
#include "interchange/table_reader.h"
#include "wegwijzer/v1/directory.pb.h"
#include "wegwijzer/v1/request.pb.h"

namespace wegwijzer {
namespace {

namespace bg = boost::geometry;

constexpr int kMinPostcode = internal::kMinPc4;
constexpr int kMaxPostcode = internal::kMaxPc4;

// The first property present among `names`.
std::optional<std::string_view> FirstProperty(const internal::GeoJsonFeature& feature,
                                              std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    if (auto value = feature.Property(name)) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string PolygonRepair::ToString() const {
  return internal::Cat(code, " ", name, ": ", action, "\n");
}

Gazetteer::Gazetteer() : geometry_(std::make_unique<internal::GazetteerGeometry>()) {}
Gazetteer::~Gazetteer() = default;

absl::StatusOr<std::shared_ptr<const Gazetteer>> Gazetteer::Load(
    const std::string& municipalities_geojson_path, const std::string& postcodes_csv_path,
    const GazetteerOptions& options) {
  absl::StatusOr<std::string> geojson = ReadFile(municipalities_geojson_path);
  if (!geojson.ok()) return geojson.status();
  std::string csv;
  if (!postcodes_csv_path.empty()) {
    absl::StatusOr<std::string> text = ReadFile(postcodes_csv_path);
    if (!text.ok()) return text.status();
    csv = *std::move(text);
    if (csv.empty()) {
      return absl::InvalidArgumentError(
          internal::Cat(postcodes_csv_path, ": the file is empty (no header row)"));
    }
  }
  return Parse(*geojson, csv, options, municipalities_geojson_path, postcodes_csv_path);
}

absl::StatusOr<std::shared_ptr<const Gazetteer>> Gazetteer::Parse(
    std::string_view municipalities_geojson, std::string_view postcodes_csv,
    const GazetteerOptions& options, std::string_view municipalities_name,
    std::string_view postcodes_name) {
  if (!(options.cell_km > 0)) {
    return absl::InvalidArgumentError("GazetteerOptions::cell_km must be > 0");
  }
  absl::StatusOr<std::vector<internal::GeoJsonFeature>> features =
      internal::ParseGeoJsonPolygons(municipalities_geojson, municipalities_name);
  if (!features.ok()) return features.status();

  std::shared_ptr<Gazetteer> gazetteer(new Gazetteer());
  absl::flat_hash_map<std::string, int> feature_of_code;
  std::vector<internal::RegionRings> regions;
  for (const internal::GeoJsonFeature& feature : *features) {
    auto error = [&](std::string_view reason) {
      return absl::InvalidArgumentError(internal::Cat(municipalities_name, ": byte ",
                                                      feature.offset, " (feature ",
                                                      feature.index, "): ", reason));
    };
    // PDOK's wijkenbuurten layers say gemeentecode/gemeentenaam; CBS's
    // gebiedsindelingen say statcode/statnaam.
    std::optional<std::string_view> code = FirstProperty(feature, {"gemeentecode", "statcode"});
    if (!code || code->empty()) {
      return error("no municipality code (property \"gemeentecode\" or \"statcode\")");
    }
    if (std::find(options.excluded_codes.begin(), options.excluded_codes.end(), *code) !=
        options.excluded_codes.end()) {
      gazetteer->excluded_.emplace_back(*code);
      continue;
    }
    auto [it, inserted] = feature_of_code.emplace(std::string(*code), feature.index);
    if (!inserted) {
      return error(internal::Cat("duplicate municipality code '", *code, "' (first in feature ",
                                 it->second, ")"));
    }
    if (feature.polygons.empty()) return error(internal::Cat("'", *code, "' has no polygons"));
    std::string name(FirstProperty(feature, {"gemeentenaam", "statnaam"}).value_or(""));

    internal::RepairOutcome outcome = internal::MakeValid(feature.polygons);
    if (!outcome.was_valid) {
      gazetteer->repairs_.push_back(
          {std::string(*code), name, outcome.problem, outcome.action, outcome.valid});
    }
    internal::RegionRings& rings = regions.emplace_back();
    for (const internal::GeoPolygon& polygon : outcome.geometry) {
      auto add = [&](const auto& ring) {
        auto& out = rings.emplace_back();
        for (const internal::GeoPoint& p : ring) out.push_back({p.x(), p.y()});
      };
      add(polygon.outer());
      for (const auto& inner : polygon.inners()) add(inner);
    }
    gazetteer->codes_.emplace_back(*code);
    gazetteer->names_.push_back(std::move(name));
    gazetteer->geometry_->municipalities.push_back(std::move(outcome.geometry));
  }
  if (gazetteer->codes_.empty()) {
    return absl::InvalidArgumentError(
        internal::Cat(municipalities_name, ": no municipalities (the FeatureCollection is empty)"));
  }
  gazetteer->geometry_->grid = internal::RegionGrid::Build(regions, options.cell_km);

  gazetteer->postcode_slot_.assign(kMaxPostcode + 1, -1);
  if (postcodes_csv.empty()) return std::shared_ptr<const Gazetteer>(std::move(gazetteer));

  // ---- the postcode table, read with the contract's table rules (table_reader.h); the
  // first bad row ends the read: a gazetteer is reference data, not a waiting list.
  absl::StatusOr<internal::TableReader> table = internal::TableReader::Open(
      postcodes_csv, {.file = postcodes_name, .where = internal::TableOptions::Where::kTable});
  if (!table.ok()) return table.status();
  if (absl::Status s = table->Require({"pc4", "lat", "lon"}); !s.ok()) return s;
  // Other columns (CBS's statistics beside the centroids) are expected and ignored:
  // the gazetteer has no report to warn in.
  const int pc4_column = table->Find("pc4"), lat_column = table->Find("lat"),
            lon_column = table->Find("lon");
  const int municipality_column = table->FindAny({"gm_code_2023", "gm_code", "municipality"});
  absl::flat_hash_map<std::string_view, int32_t> municipality_index;
  for (size_t i = 0; i < gazetteer->codes_.size(); ++i) {
    municipality_index.emplace(gazetteer->codes_[i], static_cast<int32_t>(i));
  }
  internal::CsvRecord record;
  std::string problem;
  while (table->Next(&record, &problem)) {
    if (!problem.empty()) return table->Error(record.line, problem);
    const std::string& pc4_text = record.fields[pc4_column];
    std::optional<int> pc4 = internal::ParsePc4(pc4_text);
    if (!pc4) {
      return table->Error(record.line,
                          internal::Cat("pc4: '", pc4_text, "' is not a postcode 1000..9999"));
    }
    if (gazetteer->postcode_slot_[*pc4] >= 0) {
      return table->Error(record.line, internal::Cat("pc4: ", *pc4, " is given twice"));
    }
    LatLng centroid;
    if (!internal::ParseDecimal("lat", record.fields[lat_column], &centroid.lat_deg).empty() ||
        !internal::ParseDecimal("lon", record.fields[lon_column], &centroid.lon_deg).empty() ||
        !centroid.IsValid()) {
      return table->Error(record.line,
                          internal::Cat("postcode ", *pc4, ": lat/lon '", record.fields[lat_column],
                                        "', '", record.fields[lon_column],
                                        "' are not WGS84 degrees"));
    }
    int32_t municipality = -1;
    if (municipality_column >= 0 && !record.fields[municipality_column].empty()) {
      const std::string& code = record.fields[municipality_column];
      auto it = municipality_index.find(code);
      if (it == municipality_index.end()) {
        return table->Error(record.line,
                            internal::Cat("postcode ", *pc4, ": municipality '", code,
                                          "' is not in ", municipalities_name));
      }
      municipality = it->second;
    } else {
      const uint32_t found =
          gazetteer->geometry_->grid.Find(centroid.lon_deg, centroid.lat_deg);
      if (found != internal::RegionGrid::kNone) municipality = static_cast<int32_t>(found);
    }
    gazetteer->postcode_slot_[*pc4] = static_cast<int32_t>(gazetteer->postcode_pc4_.size());
    gazetteer->postcode_pc4_.push_back(*pc4);
    gazetteer->postcode_centroid_.push_back(centroid);
    gazetteer->postcode_municipality_.push_back(municipality);
  }
  if (absl::Status s = table->status(); !s.ok()) return s;
  return std::shared_ptr<const Gazetteer>(std::move(gazetteer));
}

std::optional<Municipality> Gazetteer::MunicipalityAt(LatLng point) const {
  if (!point.IsValid()) return std::nullopt;
  const uint32_t r = geometry_->grid.Find(point.lon_deg, point.lat_deg);
  if (r == internal::RegionGrid::kNone) return std::nullopt;
  return Municipality{codes_[r], names_[r]};
}

std::optional<Municipality> Gazetteer::FindMunicipality(std::string_view code) const {
  // Linear: 342 short strings, and callers look codes up once per provider or file.
  for (size_t i = 0; i < codes_.size(); ++i) {
    if (codes_[i] == code) return Municipality{codes_[i], names_[i]};
  }
  return std::nullopt;
}

std::optional<PostcodeArea> Gazetteer::Postcode(int pc4) const {
  if (pc4 < kMinPostcode || pc4 > kMaxPostcode) return std::nullopt;
  const int32_t slot = postcode_slot_.empty() ? -1 : postcode_slot_[pc4];
  if (slot < 0) return std::nullopt;
  const int32_t m = postcode_municipality_[slot];
  return PostcodeArea{pc4, postcode_centroid_[slot],
                      m < 0 ? std::string_view() : std::string_view(codes_[m])};
}

std::optional<PostcodeArea> Gazetteer::Postcode(std::string_view postcode) const {
  std::optional<int> pc4 = ParsePostcode(postcode);
  if (!pc4) return std::nullopt;
  return Postcode(*pc4);
}

std::optional<int> Gazetteer::ParsePostcode(std::string_view s) {
  return internal::ParsePostcode(s);
}

size_t Gazetteer::municipality_count() const { return codes_.size(); }

Municipality Gazetteer::municipality(size_t index) const {
  return {codes_[index], names_[index]};
}

size_t Gazetteer::postcode_count() const { return postcode_pc4_.size(); }

std::vector<PostcodeArea> Gazetteer::postcodes() const {
  std::vector<PostcodeArea> out;
  out.reserve(postcode_pc4_.size());
  for (int pc4 = kMinPostcode; pc4 <= kMaxPostcode; ++pc4) {
    if (auto area = Postcode(pc4)) out.push_back(*area);
  }
  return out;
}

std::span<const PolygonRepair> Gazetteer::repairs() const { return repairs_; }
std::span<const std::string> Gazetteer::excluded() const { return excluded_; }

absl::Status Gazetteer::Resolve(v1::Request* request) const {
  auto bad = [&](std::string_view reason) {
    return internal::Cat("request '", request->id(), "': ", reason);
  };
  std::string_view municipality;
  LatLng position;
  if (request->has_position()) {
    position = {request->position().lat_deg(), request->position().lon_deg()};
  } else {
    if (request->postcode().empty()) {
      return absl::InvalidArgumentError(bad("neither a position nor a postcode"));
    }
    std::optional<int> pc4 = ParsePostcode(request->postcode());
    if (!pc4) {
      return absl::InvalidArgumentError(
          bad(internal::Cat("postcode '", request->postcode(), "' is not a Dutch postcode")));
    }
    std::optional<PostcodeArea> area = Postcode(*pc4);
    if (!area) {
      return absl::NotFoundError(
          bad(internal::Cat("postcode ", *pc4, " is not in the gazetteer's postcode table")));
    }
    position = area->centroid;
    municipality = area->municipality_code;
    request->mutable_position()->set_lat_deg(position.lat_deg);
    request->mutable_position()->set_lon_deg(position.lon_deg);
  }
  if (request->municipality().empty()) {
    if (municipality.empty()) {
      if (std::optional<Municipality> m = MunicipalityAt(position)) municipality = m->code;
    }
    request->set_municipality(std::string(municipality));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::ServiceArea> Gazetteer::ServiceAreaOf(
    std::span<const std::string> codes) const {
  if (codes.empty()) {
    return absl::InvalidArgumentError("a service area needs at least one municipality");
  }
  internal::GeoMultiPolygon area;
  for (const std::string& code : codes) {
    auto it = std::find(codes_.begin(), codes_.end(), code);
    if (it == codes_.end()) {
      return absl::NotFoundError(
          internal::Cat("municipality '", code, "' is not in the gazetteer"));
    }
    const internal::GeoMultiPolygon& polygons =
        geometry_->municipalities[static_cast<size_t>(it - codes_.begin())];
    if (area.empty()) {
      area = polygons;
      continue;
    }
    // Neighbours share their border; a multipolygon whose parts share an edge is
    // invalid, so the parts are united rather than listed.
    internal::GeoMultiPolygon united;
    bg::union_(area, polygons, united);
    area = std::move(united);
  }
  v1::ServiceArea out;
  auto copy_ring = [](const auto& ring, v1::Ring* to) {
    for (const internal::GeoPoint& p : ring) {
      v1::LatLng* point = to->add_points();
      point->set_lat_deg(p.y());
      point->set_lon_deg(p.x());
    }
  };
  for (const internal::GeoPolygon& polygon : area) {
    v1::ServiceArea::Part* part = out.add_parts();
    copy_ring(polygon.outer(), part->mutable_exterior());
    for (const auto& inner : polygon.inners()) copy_ring(inner, part->add_holes());
  }
  return out;
}

}  // namespace wegwijzer
