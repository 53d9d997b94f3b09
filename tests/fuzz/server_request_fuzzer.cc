// libFuzzer target: the request decoding of `wegwijzer serve` (bindings/server/api.cc,
// without sockets): any method, target, content type and body must give a response
// with a known status, a JSON error body for every error, and never a crash.
//
// Input: byte 0 picks the method, byte 1 the Content-Type and Accept; the rest is the
// target, a newline, then the body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "api.h"
#include "wegwijzer/interchange.h"

namespace {

constexpr std::string_view kProviders =
    "id,name,kind,lat,lon,topics,languages,modes,radius_km,access,capacity,municipality\n"
    "a,A,ido,52.51,6.09,digid;benefits,nl;en,in_person;phone,,wheelchair,10,\n"
    "b,B,volunteer,52.52,6.10,basics,nl;ar,home_visit,5,,2,GM0193\n"
    "c,C,phone,,,digid,nl,phone;video,,easy_language,,\n";

const wegwijzer::server::Api& TheApi() {
  static const wegwijzer::server::Api* api = [] {
    auto providers = wegwijzer::ParseProvidersCsv(kProviders, "providers.csv");
    if (!providers.ok()) std::abort();
    return new wegwijzer::server::Api(wegwijzer::server::Serve(providers->directory), nullptr,
                                      {.max_batch = 64});
  }();
  return *api;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  constexpr std::string_view kMethods[] = {"GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"};
  constexpr std::string_view kTypes[] = {"application/json", "application/x-protobuf",
                                         "application/json; charset=utf-8", "text/plain", ""};
  const std::string_view method = kMethods[data[0] % std::size(kMethods)];
  const std::string_view type = kTypes[data[1] % std::size(kTypes)];
  std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);
  const size_t newline = rest.find('\n');
  const std::string_view target = rest.substr(0, newline);
  const std::string_view body =
      newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
  wegwijzer::server::HttpResponse response = TheApi().Handle(
      {.method = method, .target = target, .content_type = type, .accept = type, .body = body});
  bool known = false;
  for (int status : {200, 400, 404, 405, 413, 415, 500, 503}) known |= response.status == status;
  if (!known) std::abort();
  if (response.status >= 400 && !response.body.starts_with("{\"error\":{\"code\":")) std::abort();
  // A 500 is a bug of ours, not the client's.
  if (response.status == 500) std::abort();
  return 0;
}
