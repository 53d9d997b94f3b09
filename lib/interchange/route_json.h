// Internal: JSON for `wegwijzer serve`'s POST /v1/route, read and written by hand.
//
// The wire format is protobuf's JSON mapping of wegwijzer.v1.RouteRequest and
// wegwijzer.v1.RouteResponse, and stays exactly that: these functions agree with
// protobuf 3.21's google::protobuf::util::JsonStringToMessage (unknown fields refused)
// and MessageToJsonString. Why by hand: protobuf 3.21 converts JSON through a type
// resolver and a binary round trip, about 88 of the 101 µs a JSON call to the server
// took (README, "The server"); these take a few µs.
//
// How the reader agrees with protobuf: it decides the common, strict form itself
// (RFC 8259 JSON; each field named by its proto name or its lowerCamelCase JSON name,
// at most once per object; enums by name; integers as JSON integers or canonical
// decimal strings, in range; numbers for doubles; true/false for bools; strings of
// valid UTF-8 with the standard escapes). Everything else (an error of any kind,
// null, a duplicate key, single quotes, bare keys, trailing commas, numbers or bools
// in strings, enum numbers, a scalar for a repeated field, ...) it hands to protobuf's
// parser, which then decides, and whose error message is the answer. So a body is
// accepted exactly when protobuf accepts it, with the same message, and errors read
// as protobuf's ("(request.priority): invalid value 1e+30 for type TYPE_INT32").
// tests/interchange/route_json_test.cc and tests/fuzz/route_json_fuzzer.cc check the
// agreement on generated, mutated and hostile bodies.
//
// Cost: O(size of the text) for the reader (no recursion beyond the messages' fixed
// depth of three) and O(size of the output) for the writer; neither allocates beyond
// the message's and the output's own storage.
//
// Thread-safety: pure functions; thread-safe.
#ifndef WEGWIJZER_LIB_INTERCHANGE_ROUTE_JSON_H_
#define WEGWIJZER_LIB_INTERCHANGE_ROUTE_JSON_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace wegwijzer::v1 {
class RouteRequest;
class RouteResponse;
}  // namespace wegwijzer::v1

namespace wegwijzer::internal {

// Parses `json` into `message` (cleared first), as JsonStringToMessage with
// ignore_unknown_fields = false would. On an error `message` is unspecified and the
// status is kInvalidArgument with protobuf's message (it names the field and the
// reason).
absl::Status ParseRouteRequestJson(std::string_view json, v1::RouteRequest* message);

// What the reader decided by itself, for tests and the fuzzer: true when `json` is in
// the strict form above and was parsed into `message` without asking protobuf; false
// when protobuf would have to decide (`message` is then unspecified).
bool ParseRouteRequestJsonStrict(std::string_view json, v1::RouteRequest* message);

struct RouteJsonPrintOptions {
  // Field names as in the .proto file ("request_id"), as the server writes them;
  // false: lowerCamelCase JSON names ("requestId"). DEFAULT: true.
  bool proto_field_names = true;
};

// Appends `message` as MessageToJsonString writes it (with JsonPrintOptions'
// preserve_proto_field_names = options.proto_field_names, everything else default),
// byte for byte: fields in number order, defaults left out but a proto3 `optional`
// field that is set written even when zero, int64 as decimal strings, enums by name
// (a number the enum lacks as that number), doubles as printf's %.15g unless that
// does not read back, then %.17g ("NaN", "Infinity" and "-Infinity" as strings), and
// strings escaped as JsonEscaping::kLikeProtobuf (openreferral/json.h). Unknown
// fields are not written (protobuf's printer drops them too).
void AppendRouteResponseJson(const v1::RouteResponse& message, std::string* out,
                             RouteJsonPrintOptions options = {});

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_INTERCHANGE_ROUTE_JSON_H_
