// libFuzzer target: the hand-written JSON of POST /v1/route (interchange/route_json.h)
// against protobuf's JSON mapping, its oracle.
//   * Any bytes as a RouteRequest body: whatever the strict reader decides alone,
//     protobuf's JsonStringToMessage (unknown fields refused) must accept with the same
//     message; ParseRouteRequestJson accepts exactly when protobuf does, with the same
//     message, or refuses with protobuf's message.
//   * The same bytes, when they are a binary RouteResponse: AppendRouteResponseJson
//     must write MessageToJsonString's bytes (both field-name spellings).
// Any disagreement aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/util/json_util.h"
#include "interchange/route_json.h"
#include "wegwijzer/v1/request.pb.h"

namespace {

bool SameMessage(const google::protobuf::Message& a, const google::protobuf::Message& b) {
  std::string x, y;
  a.SerializeToString(&x);
  b.SerializeToString(&y);
  return x == y;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = [] {
    // Protobuf logs an ERROR for strings of invalid UTF-8 it serializes.
    google::protobuf::SetLogHandler([](google::protobuf::LogLevel, const char*, int,
                                       const std::string&) {});
    return true;
  }();
  (void)quiet;
  const std::string text(reinterpret_cast<const char*>(data), size);

  wegwijzer::v1::RouteRequest want, strict, got;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto want_status = google::protobuf::util::JsonStringToMessage(text, &want, options);
  if (wegwijzer::internal::ParseRouteRequestJsonStrict(text, &strict)) {
    if (!want_status.ok() || !SameMessage(strict, want)) std::abort();
  }
  const absl::Status got_status = wegwijzer::internal::ParseRouteRequestJson(text, &got);
  if (got_status.ok() != want_status.ok()) std::abort();
  if (got_status.ok() && !SameMessage(got, want)) std::abort();
  if (!got_status.ok() && std::string(got_status.message()) != std::string(want_status.message())) {
    std::abort();
  }

  wegwijzer::v1::RouteResponse response;
  if (response.ParseFromString(text)) {
    for (const bool proto_names : {true, false}) {
      google::protobuf::util::JsonPrintOptions print;
      print.preserve_proto_field_names = proto_names;
      std::string expected, mine;
      if (!google::protobuf::util::MessageToJsonString(response, &expected, print).ok()) continue;
      wegwijzer::internal::AppendRouteResponseJson(response, &mine, {.proto_field_names = proto_names});
      if (mine != expected) std::abort();
    }
  }
  return 0;
}
