// `wegwijzer serve`'s authenticated paths (bindings/server/auth.h, api_referrals.cc):
// what a bearer token costs per request as the token file grows (Tokens::Find hashes
// the token once per line, with no early exit), and GET /v1/referrals/{id} through
// the API (token, store read, JSON) against the store's Get alone (the baseline in
// the same binary).
//
//   build/release/bench/wegwijzer_server_auth_benchmark
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "api.h"
#include "auth.h"
#include "benchmark/benchmark.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/referral_store.h"

namespace wegwijzer::server {
namespace {

std::string TokenOf(int i) { return "token-" + std::to_string(i) + "-0123456789abcdef"; }

Tokens MakeTokens(int lines) {
  std::string file;
  for (int i = 0; i < lines; ++i) file += *MakeTokenLine(TokenOf(i), "desk-" + std::to_string(i), "desk") + "\n";
  return *Tokens::Parse(file, "tokens.txt");
}

// range(0) lines; the token is the last line's (a hit) or none (a miss): the same
// cost, as the loop does not stop at a match.
void BM_TokensFind(benchmark::State& state) {
  const int lines = static_cast<int>(state.range(0));
  const Tokens tokens = MakeTokens(lines);
  const std::string hit = TokenOf(lines - 1), miss = "no-such-token-0123456789";
  bool flip = false;
  for (auto _ : state) {
    benchmark::DoNotOptimize(tokens.Find(flip ? hit : miss));
    flip = !flip;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokensFind)->Arg(1)->Arg(10)->Arg(100)->Arg(1000);

struct Fixture {
  std::shared_ptr<const Directory> directory;
  std::unique_ptr<ReferralStore> store;
  Tokens tokens;
  std::unique_ptr<Api> api;
  std::string id;
};

Fixture& TheFixture() {
  static Fixture* fixture = [] {
    auto* f = new Fixture{};
    f->directory = ReadProvidersCsv(std::string(WEGWIJZER_SOURCE_DIR) + "/data/providers.csv")->directory;
    const std::string path = (std::filesystem::temp_directory_path() /
                              ("server_auth_benchmark_" + std::to_string(::getpid()) + ".db"))
                                 .string();
    f->store = *OpenSqliteStore(path, {.durable = false});
    (void)f->store->SetCapacities(*f->directory);
    f->tokens = MakeTokens(10);
    f->api = std::make_unique<Api>(Serve(f->directory), nullptr, ApiOptions{},
                                   ApiServices{.tokens = &f->tokens, .store = f->store.get()});
    const std::string authorization = "Bearer " + TokenOf(0);
    HttpResponse made = f->api->Handle(
        {.method = "POST", .target = "/v1/referrals", .content_type = "application/json",
         .authorization = authorization,
         .body = R"({"request":{"id":"q","position":{"lat_deg":52.5119,"lon_deg":6.0912},"topics":["TOPIC_DIGID"]}})"});
    if (made.status != 201) std::abort();
    f->id = "r1";
    return f;
  }();
  return *fixture;
}

// The API: bearer token (10 lines), store read with history, JSON.
void BM_Api_GetReferral(benchmark::State& state) {
  Fixture& f = TheFixture();
  const std::string target = "/v1/referrals/" + f.id, authorization = "Bearer " + TokenOf(0);
  for (auto _ : state) {
    HttpResponse response =
        f.api->Handle({.method = "GET", .target = target, .authorization = authorization});
    if (response.status != 200) state.SkipWithError("not 200");
    benchmark::DoNotOptimize(response.body.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Api_GetReferral);

// Baseline: the store's Get alone.
void BM_Store_Get(benchmark::State& state) {
  Fixture& f = TheFixture();
  for (auto _ : state) benchmark::DoNotOptimize(f.store->Get(f.id));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Store_Get);

}  // namespace
}  // namespace wegwijzer::server

BENCHMARK_MAIN();
