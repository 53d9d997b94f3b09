#include "wegwijzer/gazetteer.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <new>
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

// A string property known by two names (PDOK's and CBS's). nullopt when neither is
// present; an error when one is not a string or both are given and differ, so that
// `"gemeentecode": 193` never becomes the code "193".
absl::StatusOr<std::optional<std::string_view>> StringProperty(
    const internal::GeoJsonFeature& feature, std::string_view name, std::string_view alias) {
  std::optional<std::string_view> found;
  std::string_view found_name;
  for (std::string_view key : {name, alias}) {
    const internal::GeoJsonProperty* property = feature.Find(key);
    if (property == nullptr) continue;
    if (property->type != internal::JsonType::kString) {
      return absl::InvalidArgumentError(internal::Cat(
          "property \"", key, "\" is ", internal::JsonTypeName(property->type),
          property->type == internal::JsonType::kNumber ||
                  property->type == internal::JsonType::kBool
              ? internal::Cat(" (", property->value, ")")
              : "",
          ", not a string"));
    }
    if (found && *found != property->value) {
      return absl::InvalidArgumentError(
          internal::Cat("properties \"", found_name, "\" ('", *found, "') and \"", key,
                        "\" ('", property->value, "') contradict each other"));
    }
    found = property->value;
    found_name = key;
  }
  return found;
}

// Reads at most `limit` + 1 bytes of a file that is not a regular file (a FIFO, a
// device such as /dev/zero), so that it cannot make Load read forever.
absl::StatusOr<std::string> ReadBounded(const std::string& path, size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::PermissionDeniedError(internal::Cat(path, ": cannot be opened for reading"));
  std::string text;
  char buffer[1 << 16];
  while (in && text.size() <= limit) {
    in.read(buffer, sizeof buffer);
    text.append(buffer, static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) return absl::DataLossError(internal::Cat(path, ": read error"));
  return text;
}

absl::StatusOr<std::string> ReadGeoJson(const std::string& path, size_t limit) {
  auto too_big = [&](std::string_view size) {
    return absl::ResourceExhaustedError(internal::Cat(
        path, ": the file has ", size, " bytes, more than the limit of ", limit,
        " (GazetteerLimits::max_file_bytes; raise it to read a larger file)"));
  };
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {
    if (S_ISREG(st.st_mode)) {
      // Checked before reading: a huge file is refused without taking its memory.
      if (static_cast<uintmax_t>(st.st_size) > limit) return too_big(internal::Cat(st.st_size));
    } else {
      absl::StatusOr<std::string> text = ReadBounded(path, limit);
      if (text.ok() && text->size() > limit) return too_big("more than that");
      return text;
    }
  }
  return ReadFile(path);  // its errors: not found, permission, a directory
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
  absl::StatusOr<std::string> geojson =
      ReadGeoJson(municipalities_geojson_path, options.limits.max_file_bytes);
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
  // The limits bound every large allocation; this turns an allocation that fails
  // anyway (a machine with less memory than they allow) into a status too.
  try {
    return ParseUnchecked(municipalities_geojson, postcodes_csv, options, municipalities_name,
                          postcodes_name);
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(internal::Cat(
        municipalities_name, ": out of memory while loading the gazetteer (",
        municipalities_geojson.size(), " bytes of GeoJSON); lower GazetteerOptions::limits "
        "or give the process more memory"));
  }
}

absl::StatusOr<std::shared_ptr<const Gazetteer>> Gazetteer::ParseUnchecked(
    std::string_view municipalities_geojson, std::string_view postcodes_csv,
    const GazetteerOptions& options, std::string_view municipalities_name,
    std::string_view postcodes_name) {
  if (!(options.cell_km > 0)) {
    return absl::InvalidArgumentError("GazetteerOptions::cell_km must be > 0");
  }
  const GazetteerLimits& limits = options.limits;
  const internal::GeoJsonLimits geojson_limits = {
      .max_file_bytes = limits.max_file_bytes,
      .max_nesting_depth = limits.max_nesting_depth,
      .max_features = limits.max_features,
      .max_vertices_per_feature = limits.max_vertices_per_feature,
      .max_rings_per_feature = limits.max_rings_per_feature,
      .max_total_vertices = limits.max_total_vertices};
  absl::StatusOr<std::vector<internal::GeoJsonFeature>> features =
      internal::ParseGeoJsonPolygons(municipalities_geojson, municipalities_name, geojson_limits);
  if (!features.ok()) return features.status();

  std::shared_ptr<Gazetteer> gazetteer(new Gazetteer());
  absl::flat_hash_map<std::string, int> feature_of_code;
  std::vector<internal::RegionRings> regions;
  std::vector<int> region_feature;  // feature index of each municipality, for messages
  const internal::RepairLimits repair_limits = {
      .max_ring_crossings = limits.max_ring_crossings,
      .max_repair_edge_pairs = limits.max_repair_edge_pairs};
  size_t repair_edge_pairs_left = limits.max_repair_edge_pairs;  // for the whole file
  for (const internal::GeoJsonFeature& feature : *features) {
    auto where = [&] {
      return internal::Cat(municipalities_name, ": byte ", feature.offset, " (feature ",
                           feature.index, "): ");
    };
    auto error = [&](std::string_view reason) {
      return absl::InvalidArgumentError(internal::Cat(where(), reason));
    };
    // PDOK's wijkenbuurten layers say gemeentecode/gemeentenaam; CBS's
    // gebiedsindelingen say statcode/statnaam.
    absl::StatusOr<std::optional<std::string_view>> code_property =
        StringProperty(feature, "gemeentecode", "statcode");
    if (!code_property.ok()) return error(std::string(code_property.status().message()));
    const std::optional<std::string_view> code = *code_property;
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
    absl::StatusOr<std::optional<std::string_view>> name_property =
        StringProperty(feature, "gemeentenaam", "statnaam");
    if (!name_property.ok()) {
      return error(internal::Cat("'", *code, "': ", name_property.status().message()));
    }
    std::string name(name_property->value_or(""));
    // Before any geometry work: the extent bounds the grid, and a polygon covering
    // the world is not a Dutch municipality.
    for (const internal::GeoJsonPolygon& polygon : feature.polygons) {
      for (const internal::GeoJsonRing& ring : polygon.rings) {
        for (const LatLng& p : ring) {
          if (options.extent.Contains(p)) continue;
          return error(internal::Cat(
              "'", *code, "': position [", p.lon_deg, ", ", p.lat_deg,
              "] lies outside the gazetteer's extent lat ", options.extent.min_lat_deg, "..",
              options.extent.max_lat_deg, ", lon ", options.extent.min_lon_deg, "..",
              options.extent.max_lon_deg,
              " (GazetteerOptions::extent, DEFAULT the Netherlands with a margin; widen it "
              "for a map of another country)"));
        }
      }
    }

    absl::StatusOr<internal::RepairOutcome> repaired =
        internal::MakeValid(feature.polygons, repair_limits, &repair_edge_pairs_left);
    if (!repaired.ok()) {
      return absl::Status(repaired.status().code(),
                          internal::Cat(where(), "'", *code, "': repairing its invalid polygon: ",
                                        repaired.status().message()));
    }
    internal::RepairOutcome& outcome = *repaired;
    // A polygon enclosing nothing (collinear or repeated positions) would be a
    // municipality no point can lie in.
    if (!(bg::area(outcome.geometry) > 0)) {
      return error(internal::Cat("'", *code, "': its polygon encloses no area"));
    }
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
    region_feature.push_back(feature.index);
    gazetteer->codes_.emplace_back(*code);
    gazetteer->names_.push_back(std::move(name));
    gazetteer->geometry_->municipalities.push_back(std::move(outcome.geometry));
  }
  if (gazetteer->codes_.empty()) {
    return absl::InvalidArgumentError(
        internal::Cat(municipalities_name, ": no municipalities (the FeatureCollection is empty)"));
  }
  absl::StatusOr<internal::RegionGrid> grid = internal::RegionGrid::Build(
      regions, options.cell_km,
      {.max_grid_cells = limits.max_grid_cells,
       .max_grid_edge_copies = limits.max_grid_edge_copies});
  if (!grid.ok()) {
    return absl::Status(grid.status().code(),
                        internal::Cat(municipalities_name, ": ", grid.status().message()));
  }
  for (const internal::RegionOverlap& overlap : grid->overlaps()) {
    if (overlap.cells <= options.max_overlap_cells) continue;
    const std::string& a = gazetteer->codes_[overlap.first];
    const std::string& b = gazetteer->codes_[overlap.second];
    return absl::InvalidArgumentError(internal::Cat(
        municipalities_name, ": municipalities '", a, "' (feature ",
        region_feature[overlap.first], ") and '", b, "' (feature ",
        region_feature[overlap.second], ") overlap: ", overlap.cells, " lookup cell(s) of ",
        options.cell_km, " km lie wholly inside both, the first around (", overlap.y, ", ",
        overlap.x, "); a point there would get '", a,
        "' only because it comes first in the file (GazetteerOptions::max_overlap_cells, "
        "DEFAULT 0, tolerates a number of such cells)"));
  }
  gazetteer->geometry_->grid = *std::move(grid);

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
