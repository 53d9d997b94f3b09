#include "interchange/route_json.h"

#include <charconv>
#include <cstdint>
#include <limits>
#include <string>
#include <system_error>

#include "google/protobuf/util/json_util.h"
#include "openreferral/json.h"
#include "wegwijzer/v1/codes.pb.h"
#include "wegwijzer/v1/directory.pb.h"
#include "wegwijzer/v1/request.pb.h"
#include "core/utf8.h"  // AppendUtf8

namespace wegwijzer::internal {
namespace {

// ---- the reader of the strict form ----
//
// Every function returns false for "not the strict form": the caller then asks
// protobuf. None of them reports an error itself.
class StrictReader {
 public:
  explicit StrictReader(std::string_view text)
      : p_(text.data()), end_(text.data() + text.size()) {}

  bool Document(v1::RouteRequest* m) {
    SkipSpace();
    if (!RouteRequest(m)) return false;
    SkipSpace();
    return p_ == end_;
  }

 private:
  void SkipSpace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool Take(char c) {
    SkipSpace();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }

  // The members of an object: `member(key)` reads the value after the colon. Keys
  // with escapes are not the strict form.
  template <typename Member>
  bool Object(Member member) {
    if (!Take('{')) return false;
    SkipSpace();
    if (p_ < end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    while (true) {
      if (!Take('"')) return false;
      const char* key = p_;
      while (p_ < end_ && *p_ != '"' && *p_ != '\\') ++p_;
      if (p_ == end_ || *p_ != '"') return false;
      const std::string_view name(key, static_cast<size_t>(p_ - key));
      ++p_;
      if (!Take(':')) return false;
      SkipSpace();
      if (!member(name)) return false;
      SkipSpace();
      if (p_ == end_) return false;
      if (*p_ == '}') {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
    }
  }

  template <typename Element>
  bool Array(Element element) {
    if (!Take('[')) return false;
    SkipSpace();
    if (p_ < end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    while (true) {
      SkipSpace();
      if (!element()) return false;
      SkipSpace();
      if (p_ == end_) return false;
      if (*p_ == ']') {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
    }
  }

  static int Hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  bool Hex4(uint32_t* unit) {
    if (end_ - p_ < 4) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const int h = Hex(p_[i]);
      if (h < 0) return false;
      v = v * 16 + static_cast<uint32_t>(h);
    }
    p_ += 4;
    *unit = v;
    return true;
  }


  // The length of the well-formed UTF-8 sequence (RFC 3629: no overlong forms, no
  // surrogates, at most U+10FFFF) of 2 to 4 bytes at p_, or 0.
  size_t Utf8Sequence() const {
    const auto* u = reinterpret_cast<const unsigned char*>(p_);
    const size_t left = static_cast<size_t>(end_ - p_);
    auto cont = [&](size_t i) { return i < left && (u[i] & 0xc0) == 0x80; };
    const unsigned char c = u[0];
    if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
      if (!cont(1) || !cont(2)) return 0;
      if (c == 0xe0 && u[1] < 0xa0) return 0;   // overlong
      if (c == 0xed && u[1] >= 0xa0) return 0;  // a surrogate
      return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
      if (!cont(1) || !cont(2) || !cont(3)) return 0;
      if (c == 0xf0 && u[1] < 0x90) return 0;   // overlong
      if (c == 0xf4 && u[1] >= 0x90) return 0;  // above U+10FFFF
      return 4;
    }
    return 0;
  }

  bool String(std::string* out) {
    if (p_ == end_ || *p_ != '"') return false;
    ++p_;
    out->clear();
    while (true) {
      const char* run = p_;
      while (p_ < end_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20 &&
             static_cast<unsigned char>(*p_) < 0x80) {
        ++p_;
      }
      out->append(run, static_cast<size_t>(p_ - run));
      if (p_ == end_) return false;
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return false;  // a raw control character
      if (c >= 0x80) {
        const size_t n = Utf8Sequence();
        if (n == 0) return false;
        out->append(p_, n);
        p_ += n;
        continue;
      }
      // A backslash.
      ++p_;
      if (p_ == end_) return false;
      const char e = *p_++;
      if (const char simple = JsonSimpleEscape(e); simple != '\0') {
        out->push_back(simple);
        continue;
      }
      if (e != 'u') return false;
      uint32_t unit;
      if (!Hex4(&unit)) return false;
      if (IsLowSurrogate(unit)) return false;  // a lone low surrogate
      if (IsHighSurrogate(unit)) {
        uint32_t low;
        if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
        p_ += 2;
        if (!Hex4(&low) || !IsLowSurrogate(low)) return false;
        unit = JoinSurrogates(unit, low);
      }
      AppendUtf8(unit, out);
    }
  }

  // A JSON number token at p_: its text, and whether it has a fraction or exponent.
  bool NumberToken(std::string_view* text, bool* integral) {
    const char* start = p_;
    const char* q = p_;
    if (q < end_ && *q == '-') ++q;
    if (q == end_) return false;
    if (*q == '0') {
      ++q;
    } else if (*q >= '1' && *q <= '9') {
      while (q < end_ && *q >= '0' && *q <= '9') ++q;
    } else {
      return false;
    }
    *integral = true;
    if (q < end_ && *q == '.') {
      ++q;
      if (q == end_ || *q < '0' || *q > '9') return false;
      while (q < end_ && *q >= '0' && *q <= '9') ++q;
      *integral = false;
    }
    if (q < end_ && (*q == 'e' || *q == 'E')) {
      ++q;
      if (q < end_ && (*q == '+' || *q == '-')) ++q;
      if (q == end_ || *q < '0' || *q > '9') return false;
      while (q < end_ && *q >= '0' && *q <= '9') ++q;
      *integral = false;
    }
    p_ = q;
    *text = std::string_view(start, static_cast<size_t>(q - start));
    return true;
  }

  // A whole number in [min, max]: a JSON integer, or one in a string written the same
  // way. "-0" is left to protobuf.
  bool Integer(int64_t min, int64_t max, int64_t* value) {
    if (p_ == end_) return false;
    const bool quoted = *p_ == '"';
    if (quoted) ++p_;
    std::string_view text;
    bool integral;
    if (!NumberToken(&text, &integral) || !integral || text == "-0") return false;
    if (quoted) {
      if (p_ == end_ || *p_ != '"') return false;
      ++p_;
    }
    int64_t v;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size() || v < min || v > max) return false;
    *value = v;
    return true;
  }

  bool Int32(int32_t* value) {
    int64_t v;
    if (!Integer(std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max(), &v)) {
      return false;
    }
    *value = static_cast<int32_t>(v);
    return true;
  }

  bool Int64(int64_t* value) {
    return Integer(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), value);
  }

  // A JSON number (not a string) read as a finite double. Protobuf reads an integer
  // that fits 64 bits as an integer first: so "-0" is +0 there, and anything else is
  // the same value either way (both round to nearest).
  bool Double(double* value) {
    std::string_view text;
    bool integral;
    if (!NumberToken(&text, &integral)) return false;
    double v;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size()) return false;
    if (!(v - v == 0)) return false;  // not finite
    if (integral && v == 0) v = 0;    // "-0" as an integer is +0
    *value = v;
    return true;
  }

  bool Bool(bool* value) {
    if (end_ - p_ >= 4 && std::string_view(p_, 4) == "true") {
      p_ += 4;
      *value = true;
      return true;
    }
    if (end_ - p_ >= 5 && std::string_view(p_, 5) == "false") {
      p_ += 5;
      *value = false;
      return true;
    }
    return false;
  }

  // An enum value by its name (only: numbers are left to protobuf).
  template <typename Enum, typename Parse>
  bool EnumName(Parse parse, Enum* value) {
    if (!String(&scratch_)) return false;
    return parse(scratch_, value);
  }

  // Whether `name` is new in this object (bit `bit` of `seen`): a field given twice
  // is left to protobuf.
  static bool First(uint32_t* seen, int bit) {
    const uint32_t mask = uint32_t{1} << bit;
    if (*seen & mask) return false;
    *seen |= mask;
    return true;
  }

  bool LatLng(v1::LatLng* m) {
    uint32_t seen = 0;
    return Object([&](std::string_view name) {
      double d;
      if (name == "lat_deg" || name == "latDeg") {
        if (!First(&seen, 0) || !Double(&d)) return false;
        m->set_lat_deg(d);
        return true;
      }
      if (name == "lon_deg" || name == "lonDeg") {
        if (!First(&seen, 1) || !Double(&d)) return false;
        m->set_lon_deg(d);
        return true;
      }
      return false;
    });
  }

  bool Request(v1::Request* m) {
    uint32_t seen = 0;
    return Object([&](std::string_view name) {
      int32_t i32;
      int64_t i64;
      double d;
      bool b;
      switch (name.size() > 0 ? name[0] : '\0') {
        case 'i':
          if (name == "id") {
            return First(&seen, 1) && String(m->mutable_id());
          }
          break;
        case 'p':
          if (name == "position") {
            return First(&seen, 2) && LatLng(m->mutable_position());
          }
          if (name == "priority") {
            if (!First(&seen, 8) || !Int32(&i32)) return false;
            m->set_priority(i32);
            return true;
          }
          if (name == "postcode") {
            return First(&seen, 10) && String(m->mutable_postcode());
          }
          break;
        case 't':
          if (name == "topics") {
            return First(&seen, 3) && Array([&] {
                     v1::Topic t;
                     if (!EnumName(v1::Topic_Parse, &t)) return false;
                     m->add_topics(t);
                     return true;
                   });
          }
          break;
        case 'l':
          if (name == "languages") {
            return First(&seen, 4) && Array([&] { return String(m->add_languages()); });
          }
          break;
        case 'm':
          if (name == "modes") {
            return First(&seen, 5) && Array([&] {
                     v1::Mode mode;
                     if (!EnumName(v1::Mode_Parse, &mode)) return false;
                     m->add_modes(mode);
                     return true;
                   });
          }
          if (name == "max_km" || name == "maxKm") {
            if (!First(&seen, 7) || !Double(&d)) return false;
            m->set_max_km(d);
            return true;
          }
          if (name == "municipality") {
            return First(&seen, 9) && String(m->mutable_municipality());
          }
          break;
        case 'a':
          if (name == "access") {
            return First(&seen, 6) && Array([&] {
                     v1::Access a;
                     if (!EnumName(v1::Access_Parse, &a)) return false;
                     m->add_access(a);
                     return true;
                   });
          }
          if (name == "age") {
            if (!First(&seen, 11) || !Int32(&i32)) return false;
            m->set_age(i32);
            return true;
          }
          if (name == "at_unix_seconds" || name == "atUnixSeconds") {
            if (!First(&seen, 13) || !Int64(&i64)) return false;
            m->set_at_unix_seconds(i64);
            return true;
          }
          break;
        case 'c':
          if (name == "can_pay" || name == "canPay") {
            if (!First(&seen, 12) || !Bool(&b)) return false;
            m->set_can_pay(b);
            return true;
          }
          break;
        case 'w':
          if (name == "within_days" || name == "withinDays") {
            if (!First(&seen, 14) || !Int32(&i32)) return false;
            m->set_within_days(i32);
            return true;
          }
          break;
        default:
          break;
      }
      return false;
    });
  }

  bool RouteRequest(v1::RouteRequest* m) {
    uint32_t seen = 0;
    return Object([&](std::string_view name) {
      if (name == "request") {
        return First(&seen, 1) && Request(m->mutable_request());
      }
      if (name == "requests") {
        return First(&seen, 2) && Array([&] { return Request(m->add_requests()); });
      }
      if (name == "k") {
        int32_t k;
        if (!First(&seen, 3) || !Int32(&k)) return false;
        m->set_k(k);
        return true;
      }
      if (name == "explain") {
        bool b;
        if (!First(&seen, 4) || !Bool(&b)) return false;
        m->set_explain(b);
        return true;
      }
      if (name == "language") {
        return First(&seen, 5) && String(m->mutable_language());
      }
      return false;
    });
  }

  const char* p_;
  const char* end_;
  std::string scratch_;
};

// ---- the writer ----

class Writer {
 public:
  Writer(std::string* out, bool proto_names) : out_(out), proto_names_(proto_names) {}

  void RouteResponse(const v1::RouteResponse& m) {
    Open();
    if (m.results_size() > 0) {
      Name("\"results\":", "\"results\":");
      out_->push_back('[');
      for (int i = 0; i < m.results_size(); ++i) {
        if (i > 0) out_->push_back(',');
        RouteResult(m.results(i));
      }
      out_->push_back(']');
    }
    if (!m.directory_version().empty()) {
      Name("\"directory_version\":", "\"directoryVersion\":");
      String(m.directory_version());
    }
    Close();
  }

 private:
  void Open() {
    out_->push_back('{');
    first_ = true;
  }
  void Close() {
    out_->push_back('}');
    first_ = false;
  }

  // `proto_name` and `json_name` are quoted and end in a colon ("\"rank\":").
  void Name(std::string_view proto_name, std::string_view json_name) {
    if (!first_) out_->push_back(',');
    first_ = false;
    out_->append(proto_names_ ? proto_name : json_name);
  }

  void String(std::string_view s) { AppendJsonString(s, out_, JsonEscaping::kLikeProtobuf); }

  void Int64(int64_t v) {
    char buffer[24];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, v);
    out_->push_back('"');
    out_->append(buffer, r.ptr);
    out_->push_back('"');
  }

  void Int32(int32_t v) {
    char buffer[16];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, v);
    out_->append(buffer, r.ptr);
  }

  // protobuf's SimpleDtoa: %.15g when that reads back as `v`, else %.17g.
  // std::to_chars with a precision is specified to write what printf's %.*g writes.
  void Double(double v) {
    if (v != v) {
      out_->append("\"NaN\"");
      return;
    }
    if (v == std::numeric_limits<double>::infinity()) {
      out_->append("\"Infinity\"");
      return;
    }
    if (v == -std::numeric_limits<double>::infinity()) {
      out_->append("\"-Infinity\"");
      return;
    }
    char buffer[40];
    auto r = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::general, 15);
    double back = 0;
    std::from_chars(buffer, r.ptr, back);
    if (back != v) {
      r = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::general, 17);
    }
    out_->append(buffer, r.ptr);
  }

  void Mode(int v) {
    if (v1::Mode_IsValid(v)) {
      String(v1::Mode_Name(static_cast<v1::Mode>(v)));
    } else {
      Int32(v);
    }
  }

  void RouteResult(const v1::RouteResult& m) {
    Open();
    if (!m.request_id().empty()) {
      Name("\"request_id\":", "\"requestId\":");
      String(m.request_id());
    }
    if (m.referrals_size() > 0) {
      Name("\"referrals\":", "\"referrals\":");
      out_->push_back('[');
      for (int i = 0; i < m.referrals_size(); ++i) {
        if (i > 0) out_->push_back(',');
        Referral(m.referrals(i));
      }
      out_->push_back(']');
      first_ = false;
    }
    if (!m.no_suitable_provider().empty()) {
      Name("\"no_suitable_provider\":", "\"noSuitableProvider\":");
      String(m.no_suitable_provider());
    }
    Close();
  }

  void Referral(const v1::Referral& m) {
    Open();
    if (m.rank() != 0) {
      Name("\"rank\":", "\"rank\":");
      Int32(m.rank());
    }
    if (!m.provider_id().empty()) {
      Name("\"provider_id\":", "\"providerId\":");
      String(m.provider_id());
    }
    if (!m.location_id().empty()) {
      Name("\"location_id\":", "\"locationId\":");
      String(m.location_id());
    }
    if (m.mode() != 0) {
      Name("\"mode\":", "\"mode\":");
      Mode(m.mode());
    }
    if (m.cost_m() != 0) {
      Name("\"cost_m\":", "\"costM\":");
      Int64(m.cost_m());
    }
    if (m.has_distance_m()) {
      Name("\"distance_m\":", "\"distanceM\":");
      Double(m.distance_m());
    }
    if (m.reasons_size() > 0) {
      Name("\"reasons\":", "\"reasons\":");
      out_->push_back('[');
      for (int i = 0; i < m.reasons_size(); ++i) {
        if (i > 0) out_->push_back(',');
        String(m.reasons(i));
      }
      out_->push_back(']');
    }
    if (m.has_next_opening_unix_seconds()) {
      Name("\"next_opening_unix_seconds\":", "\"nextOpeningUnixSeconds\":");
      Int64(m.next_opening_unix_seconds());
    }
    Close();
  }

  std::string* out_;
  bool proto_names_;
  bool first_ = true;
};

}  // namespace

bool ParseRouteRequestJsonStrict(std::string_view json, v1::RouteRequest* message) {
  message->Clear();
  return StrictReader(json).Document(message);
}

absl::Status ParseRouteRequestJson(std::string_view json, v1::RouteRequest* message) {
  if (ParseRouteRequestJsonStrict(json, message)) return absl::OkStatus();
  message->Clear();
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), message, options);
  if (status.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(std::string(status.message()));
}

void AppendRouteResponseJson(const v1::RouteResponse& message, std::string* out,
                             RouteJsonPrintOptions options) {
  Writer(out, options.proto_field_names).RouteResponse(message);
}

}  // namespace wegwijzer::internal
