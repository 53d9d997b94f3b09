// Internal: a small strict JSON reader and writer for HSDS documents.
//
// Why not lib/geography/geojson.cc's layer: that reader is a streaming parser shaped
// for polygon features (it keeps scalar properties as text and skips the rest); HSDS
// needs the whole tree, nested objects and arrays included, to keep every property
// for write-back. Why not protobuf's JSON into google.protobuf.Struct: it turns
// every number into a double (the digits a file wrote are lost), and does not
// report duplicate keys or the byte where a document goes wrong.
//
// Strictness: RFC 8259 (no comments, trailing commas, NaN or leading zeros; strings
// of valid UTF-8 with the standard escapes only, surrogate pairs checked). A UTF-8
// byte-order mark is skipped. A key twice in one object is an error. Nesting deeper
// than `max_depth` (arrays and objects) is an error.
//
// Errors: kInvalidArgument "FILE: byte N: reason" (N the 0-based offset).
// Thread-safety: pure functions; thread-safe.
#ifndef WEGWIJZER_LIB_OPENREFERRAL_JSON_H_
#define WEGWIJZER_LIB_OPENREFERRAL_JSON_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace wegwijzer::internal {

struct JsonValue {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  // Out of line: a vector of pairs holding the type itself is complete only after
  // the struct (libc++ and clang's checks insist).
  JsonValue();
  ~JsonValue();
  JsonValue(const JsonValue&);
  JsonValue(JsonValue&&) noexcept;
  JsonValue& operator=(const JsonValue&);
  JsonValue& operator=(JsonValue&&) noexcept;

  Type type = Type::kNull;
  bool boolean = false;
  // kString: the unescaped text. kNumber: the number exactly as written.
  std::string text;
  std::vector<JsonValue> array;
  std::vector<std::pair<std::string, JsonValue>> object;  // In document order.
  size_t offset = 0;  // Byte offset of the value's first character.

  // The member `key` of an object, or nullptr (also for non-objects).
  const JsonValue* Find(std::string_view key) const;
};

// "null", "boolean", "number", "string", "array", "object".
std::string_view JsonTypeName(JsonValue::Type type);

inline constexpr int kDefaultJsonMaxDepth = 64;

absl::StatusOr<JsonValue> ParseJson(std::string_view text, std::string_view file,
                                    int max_depth = kDefaultJsonMaxDepth);

// As ParseJson, but the elements of the top-level object's "contents" array (an
// HSDS page) are handed to `element` one at a time (with their index) and not kept:
// the returned tree has "contents" as an empty array. Memory then grows with the
// largest record, not with the page. An error `element` returns stops the parse and
// is returned as it is.
// The element is the sink's to change (move from): the parser drops it afterwards.
using JsonElementSink = std::function<absl::Status(JsonValue& element, size_t index)>;
absl::StatusOr<JsonValue> ParseJsonPage(std::string_view text, std::string_view file,
                                        const JsonElementSink& element,
                                        int max_depth = kDefaultJsonMaxDepth);

// Appends `value` as compact JSON (no spaces; numbers as their text; strings escaped
// minimally: quote, backslash and control characters).
void AppendJson(const JsonValue& value, std::string* out);
// How AppendJsonString escapes.
enum class JsonEscaping {
  // What RFC 8259 requires: quote, backslash and the control characters below 0x20
  // (\n, \r, \t, else \u00XX); every other byte, invalid UTF-8 included, copied.
  kMinimal,
  // Byte for byte as protobuf 3.21's JSON printer (MessageToJsonString) writes a
  // string field: also \b and \f, '<' and '>' as \u003c and \u003e, DEL and the C1
  // controls, and the invisible code points it escapes for JavaScript's sake
  // (U+00AD, U+0600-0603, U+200B-200F, U+2028-202E, U+2060-2064, U+206A-206F, U+FEFF,
  // ...; above U+FFFF as a surrogate pair); an invalid UTF-8 sequence is dropped (the
  // bytes read up to and including the byte that made it invalid), as protobuf
  // drops it. Checked against protobuf in tests/interchange/route_json_test.cc.
  kLikeProtobuf,
};

// Appends `s` as a JSON string literal. The one JSON string writer of the library
// and its bindings.
void AppendJsonString(std::string_view s, std::string* out,
                      JsonEscaping escaping = JsonEscaping::kMinimal);
// Appends the shortest decimal text that reads back as exactly `d` (finite).
void AppendJsonNumber(double d, std::string* out);

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_OPENREFERRAL_JSON_H_
