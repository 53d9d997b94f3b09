// An optimal plan for a whole waiting list within every provider's capacity: the
// example in include/wegwijzer/matcher.h.
//   match_waiting_list [DATA_DIR]   (DEFAULT: data)
#include <iostream>
#include <string>
#include <vector>

#include "wegwijzer/interchange.h"
#include "wegwijzer/matcher.h"

int main(int argc, char** argv) {
  using namespace wegwijzer;
  const std::string data = argc > 1 ? argv[1] : "data";
  absl::StatusOr<ProvidersCsv> providers = ReadProvidersCsv(data + "/providers.csv");
  absl::StatusOr<RequestsCsv> read = ReadRequestsCsv(data + "/requests.csv");
  if (!providers.ok() || !read.ok()) return 1;
  std::shared_ptr<const Directory> directory = providers->directory;
  const std::vector<Request>& requests = read->requests;
  // --- as in matcher.h ---
  Matcher matcher(directory);
  MatchPlan plan = matcher.Match(requests);
  std::cout << "objective: " << plan.objective << "\n";
  // ---
  const PlanSummary summary = Summarize(plan);
  std::cout << "assigned " << summary.assigned << " of " << summary.requests << "\n";
  std::cout << FormatPlanCsv(*directory, requests, plan);
  return 0;
}
