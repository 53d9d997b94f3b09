// Routes one request to its best referrals: the example in include/wegwijzer/router.h.
//   route_one [DATA_DIR]   (DATA_DIR holds providers.csv and requests.csv; DEFAULT: data)
#include <iostream>
#include <string>

#include "wegwijzer/interchange.h"
#include "wegwijzer/router.h"

int main(int argc, char** argv) {
  using namespace wegwijzer;
  const std::string data = argc > 1 ? argv[1] : "data";
  absl::StatusOr<ProvidersCsv> providers = ReadProvidersCsv(data + "/providers.csv");
  absl::StatusOr<RequestsCsv> requests = ReadRequestsCsv(data + "/requests.csv");
  if (!providers.ok() || !requests.ok()) return 1;
  std::shared_ptr<const Directory> directory = providers->directory;
  const Request& request = requests->requests.front();
  std::cout << request.id << ":\n";
  // --- as in router.h ---
  Router router(directory);
  RouteResult result = router.Route(request, {.k = 5});
  for (const Referral& r : result.referrals)
    std::cout << router.directory().provider(r.provider).id << " " << r.cost_m << "\n";
  if (result.referrals.empty()) std::cout << result.no_suitable_provider << "\n";
  // ---
  return 0;
}
