#include "openreferral/json.h"
#include "core/text.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <iterator>
#include <system_error>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/utf8.h"  // AppendUtf8

namespace wegwijzer::internal {
namespace {

class Parser {
 public:
  Parser(std::string_view text, std::string_view file, int max_depth,
         const JsonElementSink* sink = nullptr)
      : text_(text), file_(file), max_depth_(max_depth), sink_(sink) {}

  absl::StatusOr<JsonValue> Document() {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    JsonValue root;
    SkipSpace();
    if (!Value(&root, 0)) return status_;
    SkipSpace();
    if (pos_ != text_.size()) {
      Fail("text after the end of the document");
      return status_;
    }
    return root;
  }

 private:
  bool Fail(std::string_view reason) {
    if (status_.ok()) {
      status_ = absl::InvalidArgumentError(Cat(file_, ": byte ", pos_, ": ", reason));
    }
    return false;
  }
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return Fail("not a JSON value");
    pos_ += word.size();
    return true;
  }

  bool Value(JsonValue* v, int depth) {
    if (pos_ >= text_.size()) return Fail("unexpected end of text, a value was expected");
    v->offset = pos_;
    const char c = text_[pos_];
    switch (c) {
      case '{': return Object(v, depth + 1);
      case '[': return Array(v, depth + 1);
      case '"': v->type = JsonValue::Type::kString; return String(&v->text);
      case 't': v->type = JsonValue::Type::kBool; v->boolean = true; return Literal("true");
      case 'f': v->type = JsonValue::Type::kBool; v->boolean = false; return Literal("false");
      case 'n': v->type = JsonValue::Type::kNull; return Literal("null");
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return Number(v);
        return Fail("not a JSON value");
    }
  }

  bool Number(JsonValue* v) {
    const size_t start = pos_;
    auto digit = [&] { return pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9'; };
    if (text_[pos_] == '-') ++pos_;
    if (!digit()) return Fail("a number needs a digit");
    if (text_[pos_] == '0') {
      ++pos_;
      if (digit()) return Fail("a number may not have a leading zero");
    } else {
      while (digit()) ++pos_;
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (!digit()) return Fail("a digit must follow the decimal point");
      while (digit()) ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (!digit()) return Fail("a digit must follow the exponent");
      while (digit()) ++pos_;
    }
    v->type = JsonValue::Type::kNumber;
    v->text.assign(text_.substr(start, pos_ - start));
    return true;
  }


  bool Hex4(uint32_t* cp) {
    if (pos_ + 4 > text_.size()) return Fail("\\u needs four hex digits");
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = text_[pos_ + i];
      value <<= 4;
      if (h >= '0' && h <= '9') value |= h - '0';
      else if (h >= 'a' && h <= 'f') value |= h - 'a' + 10;
      else if (h >= 'A' && h <= 'F') value |= h - 'A' + 10;
      else return Fail("\\u needs four hex digits");
    }
    pos_ += 4;
    *cp = value;
    return true;
  }

  // Validates one UTF-8 sequence starting at pos_ and copies it.
  bool Utf8(std::string* out) {
    const auto b0 = static_cast<unsigned char>(text_[pos_]);
    int len = 0;
    uint32_t cp = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) { len = 2; cp = b0 & 0x1F; }
    else if (b0 >= 0xE0 && b0 <= 0xEF) { len = 3; cp = b0 & 0x0F; }
    else if (b0 >= 0xF0 && b0 <= 0xF4) { len = 4; cp = b0 & 0x07; }
    else return Fail("invalid UTF-8 in a string");
    if (pos_ + len > text_.size()) return Fail("invalid UTF-8 in a string");
    for (int i = 1; i < len; ++i) {
      const auto b = static_cast<unsigned char>(text_[pos_ + i]);
      if ((b & 0xC0) != 0x80) return Fail("invalid UTF-8 in a string");
      cp = (cp << 6) | (b & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
      return Fail("invalid UTF-8 in a string");
    }
    out->append(text_.substr(pos_, len));
    pos_ += len;
    return true;
  }

  bool String(std::string* out) {
    ++pos_;  // the opening quote
    out->clear();
    while (true) {
      // Copy runs of plain characters at once: strings are most of an HSDS file.
      size_t run = pos_;
      while (run < text_.size()) {
        const auto b = static_cast<unsigned char>(text_[run]);
        if (b == '"' || b == '\\' || b < 0x20 || b >= 0x80) break;
        ++run;
      }
      out->append(text_.substr(pos_, run - pos_));
      pos_ = run;
      if (pos_ >= text_.size()) return Fail("a string never closes");
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return Fail("a control character in a string must be escaped");
      if (c >= 0x80) {
        if (!Utf8(out)) return false;
        continue;
      }
      // A backslash escape.
      ++pos_;
      if (pos_ >= text_.size()) return Fail("a string never closes");
      const char e = text_[pos_++];
      if (const char simple = JsonSimpleEscape(e); simple != '\0') {
        out->push_back(simple);
        continue;
      }
      if (e != 'u') {
        --pos_;
        return Fail("an unknown escape in a string");
      }
      uint32_t cp = 0;
      if (!Hex4(&cp)) return false;
      if (IsLowSurrogate(cp)) return Fail("a lone low surrogate in \\u escape");
      if (IsHighSurrogate(cp)) {
        uint32_t low = 0;
        if (text_.substr(pos_, 2) != "\\u") return Fail("a high surrogate without its low half");
        pos_ += 2;
        if (!Hex4(&low)) return false;
        if (!IsLowSurrogate(low)) return Fail("a high surrogate without its low half");
        cp = JoinSurrogates(cp, low);
      }
      AppendUtf8(cp, out);
    }
  }

  // Moves a finished scratch list into its value: a short one into a vector of its
  // exact size (the scratch keeps its capacity for the next object), a long one by
  // handing over the buffer (no second copy of a large object in memory).
  template <typename T>
  static void TakeList(std::vector<T>* scratch, std::vector<T>* out) {
    constexpr size_t kHandOver = 64;
    if (scratch->size() > kHandOver) {
      out->swap(*scratch);
    } else {
      out->assign(std::make_move_iterator(scratch->begin()), std::make_move_iterator(scratch->end()));
    }
    scratch->clear();
  }

  bool Array(JsonValue* v, int depth) {
    if (depth > max_depth_) return Fail(Cat("nested deeper than ", max_depth_));
    v->type = JsonValue::Type::kArray;
    ++pos_;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return true;
    }
    // Elements gather in the reused list of this depth (indexed, never held by
    // reference: a deeper value may grow elements_), then move to `v` at once.
    const size_t d = static_cast<size_t>(depth);
    if (elements_.size() <= d) elements_.resize(d + 1);
    elements_[d].clear();
    while (true) {
      SkipSpace();
      elements_[d].emplace_back();
      if (!Value(&elements_[d].back(), depth)) return false;
      SkipSpace();
      if (pos_ >= text_.size()) return Fail("an array never closes");
      if (text_[pos_] == ',') { ++pos_; continue; }
      if (text_[pos_] == ']') {
        ++pos_;
        TakeList(&elements_[d], &v->array);
        return true;
      }
      return Fail("expected ',' or ']' in an array");
    }
  }

  // The "contents" array of a page: each element parsed, handed over, dropped.
  bool StreamArray(JsonValue* v, int depth) {
    ++depth;
    if (depth > max_depth_) return Fail(Cat("nested deeper than ", max_depth_));
    v->offset = pos_;
    v->type = JsonValue::Type::kArray;
    ++pos_;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return true;
    }
    for (size_t index = 0;; ++index) {
      SkipSpace();
      JsonValue element;
      if (!Value(&element, depth)) return false;
      if (absl::Status s = (*sink_)(element, index); !s.ok()) {
        status_ = s;
        return false;
      }
      SkipSpace();
      if (pos_ >= text_.size()) return Fail("an array never closes");
      if (text_[pos_] == ',') { ++pos_; continue; }
      if (text_[pos_] == ']') { ++pos_; return true; }
      return Fail("expected ',' or ']' in an array");
    }
  }

  bool Object(JsonValue* v, int depth) {
    if (depth > max_depth_) return Fail(Cat("nested deeper than ", max_depth_));
    v->type = JsonValue::Type::kObject;
    ++pos_;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return true;
    }
    // Members gather in the reused list of this depth (indexed, never held by
    // reference: a deeper value may grow members_), then move to `v` in one
    // allocation of the right size.
    const size_t d = static_cast<size_t>(depth);
    if (members_.size() <= d) members_.resize(d + 1);
    members_[d].clear();
    // Duplicate keys: a linear scan is cheapest for the small objects HSDS has; past
    // kScanKeys members a hash set takes over (an object of 830,000 keys, 10 MB, took
    // minutes with the scan alone: issue 15).
    constexpr size_t kScanKeys = 32;
    absl::flat_hash_set<std::string> keys;
    while (true) {
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"') return Fail("expected a key string");
      const size_t key_offset = pos_;
      std::string key;
      if (!String(&key)) return false;
      bool repeated = false;
      if (members_[d].size() < kScanKeys) {
        for (const auto& [k, unused] : members_[d]) repeated = repeated || k == key;
      } else {
        if (keys.empty()) {
          for (const auto& [k, unused] : members_[d]) keys.insert(k);
        }
        repeated = !keys.insert(key).second;
      }
      if (repeated) {
        pos_ = key_offset;
        return Fail(Cat("key \"", key, "\" appears twice in one object"));
      }
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != ':') return Fail("expected ':' after a key");
      ++pos_;
      SkipSpace();
      const bool stream = sink_ != nullptr && depth == 1 && key == "contents" &&
                          pos_ < text_.size() && text_[pos_] == '[';
      members_[d].emplace_back(std::move(key), JsonValue());
      JsonValue* value = &members_[d].back().second;  // stable: only deeper lists change
      if (stream) {
        if (!StreamArray(value, depth)) return false;
      } else if (!Value(value, depth)) {
        return false;
      }
      SkipSpace();
      if (pos_ >= text_.size()) return Fail("an object never closes");
      if (text_[pos_] == ',') { ++pos_; continue; }
      if (text_[pos_] == '}') {
        ++pos_;
        TakeList(&members_[d], &v->object);
        return true;
      }
      return Fail("expected ',' or '}' in an object");
    }
  }

  std::string_view text_;
  std::string_view file_;
  int max_depth_;
  const JsonElementSink* sink_;
  size_t pos_ = 0;
  absl::Status status_;
  // Scratch lists of the objects' members and arrays' elements being parsed, one per
  // nesting depth, reused from object to object.
  std::vector<std::vector<std::pair<std::string, JsonValue>>> members_;
  std::vector<std::vector<JsonValue>> elements_;
};

}  // namespace

JsonValue::JsonValue() = default;
JsonValue::~JsonValue() = default;
JsonValue::JsonValue(const JsonValue&) = default;
JsonValue::JsonValue(JsonValue&&) noexcept = default;
JsonValue& JsonValue::operator=(const JsonValue&) = default;
JsonValue& JsonValue::operator=(JsonValue&&) noexcept = default;

const JsonValue* JsonValue::Find(std::string_view key) const {
  for (const auto& [k, v] : object) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::string_view JsonTypeName(JsonValue::Type type) {
  switch (type) {
    case JsonValue::Type::kNull: return "null";
    case JsonValue::Type::kBool: return "boolean";
    case JsonValue::Type::kNumber: return "number";
    case JsonValue::Type::kString: return "string";
    case JsonValue::Type::kArray: return "array";
    case JsonValue::Type::kObject: return "object";
  }
  return "?";
}

absl::StatusOr<JsonValue> ParseJson(std::string_view text, std::string_view file,
                                    int max_depth) {
  return Parser(text, file, max_depth).Document();
}

absl::StatusOr<JsonValue> ParseJsonPage(std::string_view text, std::string_view file,
                                        const JsonElementSink& element, int max_depth) {
  return Parser(text, file, max_depth, &element).Document();
}

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

void AppendHex4(uint32_t unit, std::string* out) {
  const char escaped[6] = {'\\', 'u', kHexDigits[(unit >> 12) & 15], kHexDigits[(unit >> 8) & 15],
                           kHexDigits[(unit >> 4) & 15], kHexDigits[unit & 15]};
  out->append(escaped, 6);
}

// Appends protobuf's escape of code point `cp` and returns true, or returns false
// when protobuf copies it as it is.
bool AppendProtobufEscape(uint32_t cp, std::string* out) {
  if (cp < 0xa0) {
    switch (cp) {
      case '"': out->append("\\\""); return true;
      case '\\': out->append("\\\\"); return true;
      case '\b': out->append("\\b"); return true;
      case '\t': out->append("\\t"); return true;
      case '\n': out->append("\\n"); return true;
      case '\f': out->append("\\f"); return true;
      case '\r': out->append("\\r"); return true;
      case '<': case '>': AppendHex4(cp, out); return true;
      default:
        if (cp < 0x20 || cp >= 0x7f) {
          AppendHex4(cp, out);
          return true;
        }
        return false;
    }
  }
  if (cp == 0xad || cp == 0x6dd || cp == 0x70f || cp == 0x17b4 || cp == 0x17b5 ||
      cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb) || (cp >= 0x600 && cp <= 0x603) ||
      (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
      (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x206a && cp <= 0x206f)) {
    AppendHex4(cp, out);
    return true;
  }
  if (cp == 0xe0001 || (cp >= 0x1d173 && cp <= 0x1d17a) || (cp >= 0xe0020 && cp <= 0xe007f)) {
    const uint32_t v = cp - 0x10000;
    AppendHex4(0xd800 + (v >> 10), out);
    AppendHex4(0xdc00 + (v & 0x3ff), out);
    return true;
  }
  return false;
}

// Bytes that end a run copied as they are in kLikeProtobuf: controls, quote,
// backslash, < and >, DEL and every byte of a multi-byte sequence.
constexpr std::array<bool, 256> kProtobufStops = [] {
  std::array<bool, 256> stops{};
  for (int c = 0; c < 256; ++c) {
    stops[c] = c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>';
  }
  return stops;
}();

void AppendLikeProtobuf(std::string_view s, std::string* out) {
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    // The run of bytes copied as they are, then one escape or one dropped sequence.
    size_t run = i;
    while (run < n && !kProtobufStops[static_cast<unsigned char>(s[run])]) ++run;
    out->append(s.data() + i, run - i);
    i = run;
    if (i == n) return;
    const auto lead = static_cast<unsigned char>(s[i]);
    if (lead < 0x80) {
      AppendProtobufEscape(lead, out);
      ++i;
      continue;
    }
    // A multi-byte sequence, decoded as protobuf decodes it: the lead byte says the
    // length; overlong forms are accepted, surrogates and code points above U+10FFFF
    // are not.
    uint32_t cp;
    int left;
    if (lead <= 0xbf || lead >= 0xf8) {
      ++i;  // a stray continuation byte or an impossible lead: dropped
      continue;
    } else if (lead <= 0xdf) {
      cp = lead & 0x1f;
      left = 1;
    } else if (lead <= 0xef) {
      cp = lead & 0x0f;
      left = 2;
    } else {
      cp = lead & 0x07;
      left = 3;
    }
    size_t j = i + 1;
    bool valid = true;
    while (left > 0 && j < n) {
      const auto c = static_cast<unsigned char>(s[j++]);
      --left;
      cp = (cp << 6) | (c & 0x3f);
      if (c < 0x80 || c > 0xbf) {
        valid = false;
        break;
      }
    }
    if (valid && left > 0) return;  // cut off by the end of the string: dropped
    if (!valid || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
      i = j;
      continue;
    }
    if (!AppendProtobufEscape(cp, out)) out->append(s.data() + i, j - i);
    i = j;
  }
}

}  // namespace

void AppendJsonString(std::string_view s, std::string* out, JsonEscaping escaping) {
  out->push_back('"');
  if (escaping == JsonEscaping::kLikeProtobuf) {
    AppendLikeProtobuf(s, out);
    out->push_back('"');
    return;
  }
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHexDigits[c >> 4]);
          out->push_back(kHexDigits[c & 15]);
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

void AppendJsonNumber(double d, std::string* out) {
  char buffer[32];
  const std::to_chars_result r = std::to_chars(buffer, buffer + sizeof buffer, d);
  out->append(buffer, r.ptr);
}

void AppendJson(const JsonValue& value, std::string* out) {
  switch (value.type) {
    case JsonValue::Type::kNull: out->append("null"); return;
    case JsonValue::Type::kBool: out->append(value.boolean ? "true" : "false"); return;
    case JsonValue::Type::kNumber: out->append(value.text); return;
    case JsonValue::Type::kString: AppendJsonString(value.text, out); return;
    case JsonValue::Type::kArray: {
      out->push_back('[');
      for (size_t i = 0; i < value.array.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendJson(value.array[i], out);
      }
      out->push_back(']');
      return;
    }
    case JsonValue::Type::kObject: {
      out->push_back('{');
      for (size_t i = 0; i < value.object.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendJsonString(value.object[i].first, out);
        out->push_back(':');
        AppendJson(value.object[i].second, out);
      }
      out->push_back('}');
      return;
    }
  }
}

}  // namespace wegwijzer::internal
