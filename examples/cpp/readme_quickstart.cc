// The README's C++ snippets ("From C++", "Routing one request for a desk worker"),
// exactly as the README shows them, between the "--- README" markers. Run in data/.
//   cd data && readme_quickstart
#include <iostream>

// --- README: From C++ ---
#include "wegwijzer/interchange.h"
#include "wegwijzer/matcher.h"
// ---
#include "wegwijzer/router.h"

int main() {
  // --- README: From C++ ---
  absl::StatusOr<wegwijzer::ProvidersCsv> providers = wegwijzer::ReadProvidersCsv("providers.csv");
  absl::StatusOr<wegwijzer::RequestsCsv> requests = wegwijzer::ReadRequestsCsv("requests.csv");
  if (!providers.ok() || !requests.ok()) return 1;  // the status names file, line and reason
  wegwijzer::Matcher matcher(providers->directory);
  wegwijzer::MatchPlan plan = matcher.Match(requests->requests);
  // plan.lines[i] is request i's provider, mode and cost, or its reason; plan.objective
  // ---
  std::cout << "objective: " << plan.objective << "\n";
  const wegwijzer::Request& request = requests->requests.front();
  // --- README: Routing one request for a desk worker ---
  wegwijzer::Router router(providers->directory);
  wegwijzer::RouteResult result = router.Route(request, {.k = 5});
  for (const wegwijzer::Referral& r : result.referrals) std::cout << r.cost_m << " m\n";
  // nothing suits: result.no_suitable_provider says why
  // ---
  std::cout << request.id << ": " << result.referrals.size() << " referrals\n";
  return 0;
}
