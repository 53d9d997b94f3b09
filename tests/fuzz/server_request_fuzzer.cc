// libFuzzer target: the request decoding of `wegwijzer serve` (bindings/server/api.cc,
// without sockets): any method, target, content type and body must give a response
// with a known status, a JSON error body for every error, and never a crash.
//
// Input: byte 0 picks the method, byte 1 the Content-Type and Accept (byte 1 % 5) and
// the bearer token (byte 1 / 5 % 6: none, a desk's, a provider's, an admin's, an
// unknown one, a malformed header); the rest is the target, a newline, then the
// body. The API has tokens, a referral store (SQLite, in the temporary directory,
// one per process) and match jobs, so the referral and job endpoints are decoded too;
// the HSDS lists and POST /v1/coverage have seeds (corpus hsds_*, post_coverage).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <unistd.h>

#include "api.h"
#include "auth.h"
#include "match_jobs.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/referral_store.h"

namespace {

constexpr std::string_view kProviders =
    "id,name,kind,lat,lon,topics,languages,modes,radius_km,access,capacity,municipality\n"
    "a,A,ido,52.51,6.09,digid;benefits,nl;en,in_person;phone,,wheelchair,10,\n"
    "b,B,volunteer,52.52,6.10,basics,nl;ar,home_visit,5,,2,GM0193\n"
    "c,C,phone,,,digid,nl,phone;video,,easy_language,,\n";

constexpr std::string_view kTokens[] = {"", "Bearer desk-token-0123456789",
                                        "Bearer provider-token-0123456789",
                                        "Bearer admin-token-0123456789",
                                        "Bearer unknown-token-0123456789", "Basic Zm9vOmJhcg=="};

const wegwijzer::server::Api& TheApi() {
  static const wegwijzer::server::Api* api = [] {
    auto providers = wegwijzer::ParseProvidersCsv(kProviders, "providers.csv");
    if (!providers.ok()) std::abort();
    std::string lines;
    for (auto [token, who] : {std::pair{"desk-token-0123456789", "desk-1, desk"},
                              std::pair{"provider-token-0123456789", "a, provider"},
                              std::pair{"admin-token-0123456789", "ops, admin"}}) {
      const std::string_view spec = who;
      const size_t comma = spec.find(',');
      auto line = wegwijzer::server::MakeTokenLine(token, spec.substr(0, comma), spec.substr(comma + 2));
      if (!line.ok()) std::abort();
      lines += *line + "\n";
    }
    auto tokens = wegwijzer::server::Tokens::Parse(lines, "tokens.txt");
    if (!tokens.ok()) std::abort();
    const std::string path = (std::filesystem::temp_directory_path() /
                              ("server_request_fuzzer_" + std::to_string(::getpid()) + ".db"))
                                 .string();
    auto store = wegwijzer::OpenSqliteStore(path, {.durable = false});
    if (!store.ok() || !(*store)->SetCapacities(*providers->directory).ok()) std::abort();
    wegwijzer::server::ApiServices services{
        .tokens = new wegwijzer::server::Tokens(*std::move(tokens)),
        .store = store->release(),
        .jobs = new wegwijzer::server::MatchJobs({.max_jobs = 2, .keep_finished = 4}),
        .reload = [] { return absl::StatusOr<std::string>("reloaded"); }};
    return new wegwijzer::server::Api(wegwijzer::server::Serve(providers->directory), nullptr,
                                      {.max_batch = 64}, std::move(services));
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
  const std::string_view authorization = kTokens[data[1] / 5 % std::size(kTokens)];
  std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);
  const size_t newline = rest.find('\n');
  const std::string_view target = rest.substr(0, newline);
  const std::string_view body =
      newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
  wegwijzer::server::HttpResponse response = TheApi().Handle(
      {.method = method,
       .target = target,
       .content_type = type,
       .accept = type,
       .authorization = authorization,
       .body = body});
  bool known = false;
  for (int status : {200, 201, 202, 400, 401, 403, 404, 405, 409, 413, 415, 422, 500, 503}) known |= response.status == status;
  if (!known) std::abort();
  if (response.status >= 400 && !response.body.starts_with("{\"error\":{\"code\":")) std::abort();
  // A 500 is a bug of ours, not the client's.
  if (response.status == 500) std::abort();
  return 0;
}
