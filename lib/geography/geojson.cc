#include "geography/geojson.h"

#include <charconv>
#include <cstdint>
#include <new>

#include "absl/container/flat_hash_map.h"
#include "interchange/csv_tokenizer.h"  // IsValidUtf8
#include "core/text.h"
#include "core/utf8.h"  // AppendUtf8

namespace wegwijzer::internal {

std::string_view JsonTypeName(JsonType type) {
  switch (type) {
    case JsonType::kString: return "a string";
    case JsonType::kNumber: return "a number";
    case JsonType::kBool: return "a boolean";
    case JsonType::kNull: return "null";
    case JsonType::kArray: return "an array";
    case JsonType::kObject: return "an object";
  }
  return "a value";
}

const GeoJsonProperty* GeoJsonFeature::Find(std::string_view name) const {
  for (const GeoJsonProperty& property : properties) {
    if (property.name == name) return &property;
  }
  return nullptr;
}

std::optional<std::string_view> GeoJsonFeature::Property(std::string_view name) const {
  const GeoJsonProperty* property = Find(name);
  if (property == nullptr || property->type == JsonType::kArray ||
      property->type == JsonType::kObject) {
    return std::nullopt;
  }
  return std::string_view(property->value);
}

namespace {

// Member names of one object, to refuse a repeated one. Objects in GeoJSON are small
// (a feature's properties: tens of names), so a short list is searched linearly; a
// hostile object with many members switches to a hash set, keeping the check O(1).
class SeenKeys {
 public:
  // The byte offset of the earlier `key`, or nullopt (and `key` is remembered).
  std::optional<size_t> Insert(const std::string& key, size_t at) {
    if (set_.empty()) {
      for (const auto& [k, offset] : list_) {
        if (k == key) return offset;
      }
      list_.emplace_back(key, at);
      if (list_.size() > kListSize) {
        for (auto& [k, offset] : list_) set_.emplace(std::move(k), offset);
        list_.clear();
      }
      return std::nullopt;
    }
    auto [it, inserted] = set_.emplace(key, at);
    if (inserted) return std::nullopt;
    return it->second;
  }

 private:
  static constexpr size_t kListSize = 32;
  std::vector<std::pair<std::string, size_t>> list_;
  absl::flat_hash_map<std::string, size_t> set_;
};

class Parser {
 public:
  Parser(std::string_view text, std::string_view file, const GeoJsonLimits& limits)
      : text_(text), file_(file), limits_(limits) {}

  absl::StatusOr<std::vector<GeoJsonFeature>> Run() {
    if (text_.size() > limits_.max_file_bytes) {
      return absl::ResourceExhaustedError(Cat(
          file_, ": the file has ", text_.size(), " bytes, more than the limit of ",
          limits_.max_file_bytes, " (GazetteerLimits::max_file_bytes; raise it to read a "
          "larger file)"));
    }
    if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
    SkipSpace();
    if (pos_ == text_.size()) return Error(pos_, "the file is empty");
    if (text_[pos_] != '{') {
      return Error(pos_, "expected a JSON object (a GeoJSON FeatureCollection)");
    }
    bool saw_type = false, saw_features = false;
    const size_t start = pos_;
    bool ok = ParseObject([&](const std::string& key, size_t key_at) {
      if (key == "type") {
        std::string type;
        if (!ExpectString(&type, "\"type\"")) return false;
        if (type != "FeatureCollection") {
          return Fail(key_at, Cat("top-level \"type\" is '", type,
                                  "'; expected a FeatureCollection"));
        }
        saw_type = true;
        return true;
      }
      if (key == "features") {
        saw_features = true;
        return ParseFeatures();
      }
      if (key == "crs") return ParseCrs();
      return SkipValue(0);
    });
    if (!ok) return error_;
    SkipSpace();
    if (pos_ != text_.size()) return Error(pos_, "text after the end of the top-level object");
    if (!saw_type) return Error(start, "the top-level object has no \"type\"");
    if (!saw_features) return Error(start, "the FeatureCollection has no \"features\"");
    return std::move(features_);
  }

 private:
  // ---- errors
  std::string Where(size_t at) const {
    if (feature_ >= 0) return Cat(file_, ": byte ", at, " (feature ", feature_, "): ");
    return Cat(file_, ": byte ", at, ": ");
  }
  absl::Status Error(size_t at, std::string_view reason) const {
    return absl::InvalidArgumentError(Cat(Where(at), reason));
  }
  bool Fail(size_t at, std::string_view reason) {
    if (error_.ok()) error_ = Error(at, reason);
    return false;
  }
  // A GeoJsonLimits bound exceeded: `what` has `count`, more than `limit` allows.
  bool FailLimit(size_t at, std::string_view what, size_t limit, std::string_view option) {
    if (error_.ok()) {
      error_ = absl::ResourceExhaustedError(
          Cat(Where(at), what, " exceeds the limit of ", limit, " (GazetteerLimits::", option,
              "; raise it to read this file)"));
    }
    return false;
  }
  bool FailHere(std::string_view reason) {
    if (pos_ >= text_.size()) return Fail(pos_, Cat(reason, " (the file ends here)"));
    return Fail(pos_, reason);
  }

  // ---- lexical
  void SkipSpace() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++pos_;
    }
  }
  bool At(char c) {
    SkipSpace();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  bool Expect(char c, std::string_view what) {
    if (At(c)) {
      ++pos_;
      return true;
    }
    return FailHere(Cat("expected ", what));
  }

  bool ParseString(std::string* out) {
    SkipSpace();
    if (pos_ >= text_.size() || text_[pos_] != '"') return FailHere("expected a string");
    const size_t open = pos_++;
    out->clear();
    size_t run = pos_;  // start of the current run without escapes
    while (true) {
      if (pos_ >= text_.size()) return Fail(open, "a string never closes");
      const unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') break;
      if (c < 0x20) return Fail(pos_, "a control character inside a string (escape it)");
      if (c != '\\') {
        ++pos_;
        continue;
      }
      out->append(text_.substr(run, pos_ - run));
      if (++pos_ >= text_.size()) return Fail(open, "a string never closes");
      if (const char simple = JsonSimpleEscape(text_[pos_]); simple != '\0') {
        out->push_back(simple);
      } else if (text_[pos_] == 'u') {
        const size_t escape_at = pos_ - 1;
        uint32_t code = 0;
        if (!Hex4(&code)) return Fail(escape_at, "\\u needs four hex digits");
        if (IsHighSurrogate(code)) {
          uint32_t low = 0;
          if (!text_.substr(pos_ + 1).starts_with("\\u")) {
            return Fail(escape_at, "a high surrogate without its low surrogate");
          }
          pos_ += 2;
          if (!Hex4(&low) || !IsLowSurrogate(low)) {
            return Fail(escape_at, "a high surrogate without its low surrogate");
          }
          code = JoinSurrogates(code, low);
        } else if (IsLowSurrogate(code)) {
          return Fail(escape_at, "a lone low surrogate");
        }
        AppendUtf8(code, out);
      } else {
        return Fail(pos_ - 1, Cat("unknown escape '\\", text_.substr(pos_, 1), "'"));
      }
      run = ++pos_;
    }
    out->append(text_.substr(run, pos_ - run));
    ++pos_;  // closing quote
    if (!IsValidUtf8(text_.substr(open, pos_ - open))) {
      return Fail(open, "a string is not valid UTF-8");
    }
    return true;
  }

  // Reads 4 hex digits after text_[pos_] == 'u'; leaves pos_ on the last digit.
  bool Hex4(uint32_t* code) {
    if (pos_ + 4 >= text_.size()) return false;
    for (int i = 1; i <= 4; ++i) {
      const char h = text_[pos_ + i];
      const int v = h >= '0' && h <= '9'   ? h - '0'
                    : h >= 'a' && h <= 'f' ? h - 'a' + 10
                    : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                           : -1;
      if (v < 0) return false;
      *code = *code * 16 + v;
    }
    pos_ += 4;
    return true;
  }


  // JSON's number grammar -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?, checked before
  // from_chars, which would also take "inf", "012" or "1.".
  bool ScanNumber(std::string_view* span) {
    SkipSpace();
    const size_t start = pos_;
    auto digit = [&](size_t i) { return i < text_.size() && text_[i] >= '0' && text_[i] <= '9'; };
    size_t i = pos_;
    if (i < text_.size() && text_[i] == '-') ++i;
    if (!digit(i)) return FailHere("expected a number");
    if (text_[i] == '0') {
      ++i;
    } else {
      while (digit(i)) ++i;
    }
    if (i < text_.size() && text_[i] == '.') {
      ++i;
      if (!digit(i)) return Fail(start, "a number has no digits after its decimal point");
      while (digit(i)) ++i;
    }
    if (i < text_.size() && (text_[i] == 'e' || text_[i] == 'E')) {
      ++i;
      if (i < text_.size() && (text_[i] == '+' || text_[i] == '-')) ++i;
      if (!digit(i)) return Fail(start, "a number has no digits in its exponent");
      while (digit(i)) ++i;
    }
    *span = text_.substr(start, i - start);
    pos_ = i;
    return true;
  }

  bool ParseNumber(double* value) {
    std::string_view span;
    if (!ScanNumber(&span)) return false;
    auto [end, ec] = std::from_chars(span.data(), span.data() + span.size(), *value);
    if (ec == std::errc::result_out_of_range) *value = 0;  // checked against ranges later
    if (end != span.data() + span.size()) return Fail(pos_ - span.size(), "bad number");
    if (ec == std::errc::result_out_of_range) {
      return Fail(pos_ - span.size(), Cat("number '", span, "' is out of range"));
    }
    return true;
  }

  bool MatchWord(std::string_view word) {
    if (text_.substr(pos_).starts_with(word)) {
      pos_ += word.size();
      return true;
    }
    return false;
  }

  // Parses (and discards) any JSON value.
  bool SkipValue(int depth) {
    if (depth > limits_.max_nesting_depth) {
      return FailHere(Cat("nesting is too deep (more than ", limits_.max_nesting_depth,
                          " levels; GazetteerLimits::max_nesting_depth)"));
    }
    SkipSpace();
    if (pos_ >= text_.size()) return FailHere("expected a value");
    const char c = text_[pos_];
    if (c == '{') {
      return ParseObject([&](const std::string&, size_t) { return SkipValue(depth + 1); });
    }
    if (c == '[') {
      ++pos_;
      if (At(']')) {
        ++pos_;
        return true;
      }
      while (true) {
        if (!SkipValue(depth + 1)) return false;
        if (At(',')) {
          ++pos_;
          continue;
        }
        return Expect(']', "',' or ']' in an array");
      }
    }
    if (c == '"') {
      std::string ignored;
      return ParseString(&ignored);
    }
    if (MatchWord("true") || MatchWord("false") || MatchWord("null")) return true;
    std::string_view ignored;
    return ScanNumber(&ignored);
  }

  // Calls on_member(key, key_offset) with pos_ before each member's value; it must
  // consume the value.
  template <typename OnMember>
  bool ParseObject(OnMember on_member) {
    if (!Expect('{', "'{'")) return false;
    if (At('}')) {
      ++pos_;
      return true;
    }
    std::string key;
    SeenKeys seen;
    while (true) {
      SkipSpace();
      const size_t key_at = pos_;
      if (!ParseString(&key)) return false;
      if (std::optional<size_t> first = seen.Insert(key, key_at)) {
        return Fail(key_at, Cat("duplicate member \"", key, "\" (the first is at byte ",
                                *first, "); JSON leaves its meaning open"));
      }
      if (!Expect(':', "':' after a member name")) return false;
      if (!on_member(key, key_at)) return false;
      if (At(',')) {
        ++pos_;
        continue;
      }
      return Expect('}', "',' or '}' in an object");
    }
  }

  bool ExpectString(std::string* out, std::string_view what) {
    if (!At('"')) return FailHere(Cat(what, " must be a string"));
    return ParseString(out);
  }

  // ---- GeoJSON structure

  // RFC 7946 dropped "crs"; older exports still carry one, in the 2008 form
  // {"type": "name", "properties": {"name": NAME}}. Only the exact WGS84 names are
  // accepted: a substring test would take "EPSG:3857 (not 4326)".
  bool ParseCrs() {
    SkipSpace();
    const size_t at = pos_;
    if (MatchWord("null")) return true;
    if (!At('{')) return FailHere("\"crs\" must be an object or null");
    std::string type, name;
    bool saw_name = false;
    bool ok = ParseObject([&](const std::string& key, size_t key_at) {
      if (key == "type") return ExpectString(&type, "the \"crs\" \"type\"");
      if (key == "properties") {
        if (!At('{')) return FailHere("the \"crs\" \"properties\" must be an object");
        return ParseObject([&](const std::string& inner, size_t inner_at) {
          if (inner == "name") {
            saw_name = true;
            return ExpectString(&name, "the \"crs\" name");
          }
          return Fail(inner_at, Cat("the \"crs\" is not WGS84 in the named-CRS form (unknown "
                                    "member \"", inner, "\")"));
        });
      }
      return Fail(key_at, Cat("the \"crs\" is not WGS84 in the named-CRS form (unknown member \"",
                              key, "\")"));
    });
    if (!ok) return false;
    if (type != "name" || !saw_name) {
      return Fail(at, "the \"crs\" is not a named CRS ({\"type\":\"name\",\"properties\":"
                      "{\"name\":...}}); WGS84 files need none");
    }
    if (name.find("28992") != std::string::npos) {
      return Fail(at, "the \"crs\" is EPSG:28992 (RD New, metres); convert the file to "
                      "WGS84 (EPSG:4326), e.g. ogr2ogr -t_srs EPSG:4326");
    }
    for (std::string_view wgs84 : kWgs84CrsNames) {
      if (name == wgs84) return true;
    }
    return Fail(at, Cat("the \"crs\" '", name, "' is not WGS84 longitude/latitude (expected ",
                        kWgs84CrsNames[0], " or EPSG:4326)"));
  }

  bool ParseFeatures() {
    if (!At('[')) return FailHere("\"features\" must be an array");
    ++pos_;
    if (At(']')) {
      ++pos_;
      return true;
    }
    while (true) {
      SkipSpace();
      if (features_.size() >= limits_.max_features) {
        return FailLimit(pos_, "the number of features",
                         limits_.max_features, "max_features");
      }
      feature_ = static_cast<int>(features_.size());
      GeoJsonFeature& feature = features_.emplace_back();
      feature.index = feature_;
      feature.offset = pos_;
      if (!ParseFeature(&feature)) return false;
      feature_ = -1;
      if (At(',')) {
        ++pos_;
        continue;
      }
      return Expect(']', "',' or ']' after a feature");
    }
  }

  bool ParseFeature(GeoJsonFeature* feature) {
    if (!At('{')) return FailHere("a feature must be an object");
    const size_t start = pos_;
    bool saw_type = false, saw_geometry = false;
    bool ok = ParseObject([&](const std::string& key, size_t key_at) {
      if (key == "type") {
        std::string type;
        if (!ExpectString(&type, "\"type\"")) return false;
        if (type != "Feature") return Fail(key_at, Cat("\"type\" is '", type, "', not Feature"));
        saw_type = true;
        return true;
      }
      if (key == "geometry") {
        saw_geometry = true;
        SkipSpace();
        if (MatchWord("null")) return true;
        return ParseGeometry(feature);
      }
      if (key == "properties") {
        SkipSpace();
        if (MatchWord("null")) return true;
        if (!At('{')) return FailHere("\"properties\" must be an object or null");
        return ParseObject([&](const std::string& name, size_t) {
          SkipSpace();
          if (pos_ >= text_.size()) return FailHere("expected a value");
          const char c = text_[pos_];
          if (c == '{' || c == '[') {
            feature->properties.push_back(
                {name, c == '{' ? JsonType::kObject : JsonType::kArray, ""});
            return SkipValue(1);
          }
          std::string value;
          JsonType type = JsonType::kBool;
          if (c == '"') {
            type = JsonType::kString;
            if (!ParseString(&value)) return false;
          } else if (MatchWord("true")) {
            value = "true";
          } else if (MatchWord("false")) {
            value = "false";
          } else if (MatchWord("null")) {
            value = "null";
            type = JsonType::kNull;
          } else {
            std::string_view number;
            if (!ScanNumber(&number)) return false;
            value = std::string(number);
            type = JsonType::kNumber;
          }
          feature->properties.push_back({name, type, std::move(value)});
          return true;
        });
      }
      if (key == "crs") return ParseCrs();
      return SkipValue(0);
    });
    if (!ok) return false;
    if (!saw_type) return Fail(start, "the feature has no \"type\"");
    if (!saw_geometry) return Fail(start, "the feature has no \"geometry\"");
    return true;
  }

  // Coordinates are read before the geometry's "type" may be known (member order is
  // free), so they are first recorded as a flat event list and shaped afterwards.
  struct Coordinates {
    std::string events;           // '[' ']' or 'n' (a number)
    std::vector<double> numbers;  // one per 'n'
    std::vector<size_t> offsets;  // byte offset of each event
  };

  bool RecordCoordinates(Coordinates* c, int depth) {
    if (depth > 6) return FailHere("\"coordinates\" are nested too deeply for a polygon");
    SkipSpace();
    // A position has at least 2 numbers and at most 3 and an array event pair, so
    // these bounds refuse a geometry over the vertex limit before its events grow
    // far beyond what the limit allows.
    if (c->numbers.size() > 3 * limits_.max_vertices_per_feature ||
        c->events.size() > 8 * limits_.max_vertices_per_feature + 64) {
      return FailLimit(pos_, "the number of positions in this geometry",
                       limits_.max_vertices_per_feature, "max_vertices_per_feature");
    }
    if (At('[')) {
      c->events.push_back('[');
      c->offsets.push_back(pos_);
      ++pos_;
      if (!At(']')) {
        while (true) {
          if (!RecordCoordinates(c, depth + 1)) return false;
          if (At(',')) {
            ++pos_;
            continue;
          }
          break;
        }
      }
      if (!At(']')) return FailHere("expected ',' or ']' in \"coordinates\"");
      c->events.push_back(']');
      c->offsets.push_back(pos_);
      ++pos_;
      return true;
    }
    double value = 0;
    c->offsets.push_back(pos_);
    if (!ParseNumber(&value)) return false;
    c->events.push_back('n');
    c->numbers.push_back(value);
    return true;
  }

  bool ParseGeometry(GeoJsonFeature* feature) {
    if (!At('{')) return FailHere("\"geometry\" must be an object or null");
    const size_t start = pos_;
    std::string type;
    size_t type_at = 0;
    bool saw_coordinates = false;
    Coordinates coordinates;
    bool ok = ParseObject([&](const std::string& key, size_t key_at) {
      if (key == "type") {
        type_at = key_at;
        return ExpectString(&type, "\"type\"");
      }
      if (key == "coordinates") {
        saw_coordinates = true;
        if (!At('[')) return FailHere("\"coordinates\" must be an array");
        return RecordCoordinates(&coordinates, 0);
      }
      if (key == "crs") return ParseCrs();
      return SkipValue(0);
    });
    if (!ok) return false;
    if (type.empty()) return Fail(start, "the geometry has no \"type\"");
    if (type != "Polygon" && type != "MultiPolygon") {
      return Fail(type_at, Cat("geometry type '", type,
                               "' is not supported (Polygon or MultiPolygon)"));
    }
    if (!saw_coordinates) return Fail(start, "the geometry has no \"coordinates\"");
    feature->has_geometry = true;
    Shaper shaper{this, &coordinates};
    if (!(type == "Polygon" ? shaper.Polygon(&feature->polygons.emplace_back())
                            : shaper.MultiPolygon(&feature->polygons))) {
      return false;
    }
    total_vertices_ += shaper.positions;
    if (total_vertices_ > limits_.max_total_vertices) {
      return FailLimit(start, Cat("the file's number of positions (", total_vertices_,
                                  " up to this feature)"),
                       limits_.max_total_vertices, "max_total_vertices");
    }
    return true;
  }

  // Reads the recorded events as rings, polygons and multipolygons.
  struct Shaper {
    Parser* parser;
    const Coordinates* c;
    size_t e = 0;  // next event
    size_t n = 0;  // next number
    size_t positions = 0;
    size_t rings = 0;

    bool Open(std::string_view what) {
      if (e < c->events.size() && c->events[e] == '[') {
        ++e;
        return true;
      }
      return parser->Fail(c->offsets[std::min(e, c->offsets.size() - 1)],
                          Cat("expected an array of ", what));
    }
    bool Closes() const { return e < c->events.size() && c->events[e] == ']'; }

    bool Position(LatLng* out) {
      const size_t at = c->offsets[e];
      if (!Open("numbers (a position)")) return false;
      double xyz[3];
      int count = 0;
      while (!Closes()) {
        if (c->events[e] != 'n') return parser->Fail(c->offsets[e], "a position holds an array");
        if (count == 3) return parser->Fail(at, "a position has more than 3 numbers");
        xyz[count++] = c->numbers[n++];
        ++e;
      }
      ++e;
      if (count < 2) return parser->Fail(at, "a position needs 2 numbers, [lon, lat]");
      *out = {xyz[1], xyz[0]};
      if (!out->IsValid()) {
        return parser->Fail(
            at, Cat("position [", xyz[0], ", ", xyz[1],
                    "] is not WGS84 [lon, lat] in degrees (an RD New file in metres must be "
                    "converted to WGS84 first)"));
      }
      return true;
    }

    bool Ring(GeoJsonRing* ring) {
      const size_t at = c->offsets[e];
      if (!Open("positions (a ring)")) return false;
      if (++rings > parser->limits_.max_rings_per_feature) {
        return parser->FailLimit(at, "the number of rings in this geometry",
                                 parser->limits_.max_rings_per_feature,
                                 "max_rings_per_feature");
      }
      while (!Closes()) {
        if (++positions > parser->limits_.max_vertices_per_feature) {
          return parser->FailLimit(c->offsets[e], "the number of positions in this geometry",
                                   parser->limits_.max_vertices_per_feature,
                                   "max_vertices_per_feature");
        }
        if (!Position(&ring->emplace_back())) return false;
      }
      ++e;
      if (ring->size() < 4) {
        return parser->Fail(at, Cat("a ring has ", ring->size(),
                                    " positions; a closed ring needs at least 4"));
      }
      if (ring->front() != ring->back()) {
        return parser->Fail(at, "a ring is not closed (its first and last positions differ)");
      }
      return true;
    }

    bool Polygon(GeoJsonPolygon* polygon) {
      const size_t at = c->offsets[e];
      if (!Open("rings (a polygon)")) return false;
      while (!Closes()) {
        if (!Ring(&polygon->rings.emplace_back())) return false;
      }
      ++e;
      if (polygon->rings.empty()) return parser->Fail(at, "a polygon has no rings");
      return true;
    }

    bool MultiPolygon(std::vector<GeoJsonPolygon>* polygons) {
      if (!Open("polygons (a MultiPolygon)")) return false;
      while (!Closes()) {
        if (!Polygon(&polygons->emplace_back())) return false;
      }
      ++e;
      return true;
    }
  };

  std::string_view text_;
  std::string_view file_;
  const GeoJsonLimits& limits_;
  size_t total_vertices_ = 0;
  size_t pos_ = 0;
  int feature_ = -1;  // index of the feature being read, -1 outside one
  absl::Status error_;
  std::vector<GeoJsonFeature> features_;
};

}  // namespace

absl::StatusOr<std::vector<GeoJsonFeature>> ParseGeoJsonPolygons(
    std::string_view text, std::string_view file, const GeoJsonLimits& limits) {
  // The limits bound every allocation below; this is the last line of defence for a
  // machine with less memory than they allow (the fuzzer's -rss_limit_mb).
  try {
    return Parser(text, file, limits).Run();
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(
        Cat(file, ": out of memory while reading the GeoJSON (", text.size(),
            " bytes); lower GeoJsonLimits or give the process more memory"));
  }
}

}  // namespace wegwijzer::internal
