// Routes a whole batch of requests on several threads and writes route.csv to standard
// output: Router::RouteBatch (include/wegwijzer/router.h) and FormatRouteCsv
// (include/wegwijzer/interchange.h). The answer does not depend on the thread count.
//   route_batch [DATA_DIR]   (DEFAULT: data)
#include <iostream>
#include <string>
#include <vector>

#include "wegwijzer/interchange.h"
#include "wegwijzer/router.h"

int main(int argc, char** argv) {
  using namespace wegwijzer;
  const std::string data = argc > 1 ? argv[1] : "data";
  absl::StatusOr<ProvidersCsv> providers = ReadProvidersCsv(data + "/providers.csv");
  absl::StatusOr<RequestsCsv> requests = ReadRequestsCsv(data + "/requests.csv");
  if (!providers.ok() || !requests.ok()) return 1;
  Router router(providers->directory);
  std::vector<RouteResult> results =
      router.RouteBatch(requests->requests, {.k = 3, .threads = 2});
  std::cout << FormatRouteCsv(router.directory(), requests->requests, results);
  // The same answers one request at a time.
  for (size_t i = 0; i < results.size(); ++i) {
    if (router.Route(requests->requests[i], {.k = 3}).referrals != results[i].referrals) {
      return 1;
    }
  }
  std::cout << "the same answers one request at a time\n";
  return 0;
}
