// `wegwijzer demo`: the embedded example scenario (data/), routed and matched, as a
// desk worker would read it. Thin: every decision is the library's.
#include <cmath>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "cli.h"
#include "wegwijzer/matcher.h"
#include "wegwijzer/router.h"

namespace wegwijzer::cli {
namespace {

const char* Text(const Args& args, const char* en, const char* nl) {
  return args.lang == "nl" ? nl : en;
}

}  // namespace

int Demo(const Args& args) {
  std::optional<Inputs> in =
      ReadInputs(args.data + "/providers.csv", args.data + "/requests.csv", {});
  if (!in) return kExitBadInput;
  const std::vector<Request>& requests = in->requests.requests;
  const Directory& directory = *in->providers.directory;
  const TextLanguage language = args.lang == "nl" ? TextLanguage::kDutch : TextLanguage::kEnglish;
  Router router(in->providers.directory);
  RouteOptions options{.k = args.k.value_or(kDefaultDemoK), .explain_no_match = true,
                       .language = language};
  std::cout << Text(args, "Wegwijzer demo: ", "Wegwijzer demo: ") << requests.size()
            << Text(args, " residents, ", " inwoners, ") << directory.size()
            << Text(args, " places that help (", " plekken die helpen (") << args.data
            << ")\n\n"
            << Text(args, "1. Each resident's best referrals, as a desk worker sees them\n\n",
                    "1. De beste verwijzingen per inwoner, zoals de baliemedewerker ze ziet\n\n");
  auto name = [&](ProviderIndex p) {
    const ProviderInfo& info = directory.provider(p);
    return info.name.empty() ? info.id : info.name;
  };
  for (const Request& request : requests) {
    RouteResult result = router.Route(request, options);
    std::cout << Text(args, "Resident ", "Inwoner ") << request.id << " ("
              << Text(args, "needs help with ", "zoekt hulp bij ")
              << ToString(request.topics, ", ") << "; " << request.languages.ToString(", ")
              << ")\n";
    if (result.referrals.empty()) {
      std::cout << "  " << Text(args, "No suitable help: ", "Geen passende hulp: ")
                << result.no_suitable_provider << "\n\n";
      continue;
    }
    int rank = 0;
    for (const Referral& r : result.referrals) {
      std::cout << "  " << ++rank << ". " << name(r.provider) << " [" << ModeCode(r.mode)
                << "]\n     ";
      std::vector<std::string> reasons = router.Reasons(request, r, language);
      for (size_t i = 0; i < reasons.size(); ++i) std::cout << (i ? "; " : "") << reasons[i];
      std::cout << "\n";
    }
    std::cout << "\n";
  }

  // The whole waiting list at once, within every provider's capacity.
  Matcher matcher(in->providers.directory);
  const MatchPlan plan = matcher.Match(requests);
  const PlanSummary summary = Summarize(plan);
  std::cout << Text(args, "2. The whole waiting list at once, within capacity (optimal plan)\n\n",
                    "2. De hele wachtlijst tegelijk, binnen de capaciteit (optimaal plan)\n\n");
  for (size_t i = 0; i < requests.size(); ++i) {
    const PlanLine& line = plan.lines[i];
    std::cout << "  " << requests[i].id << " -> ";
    if (line.assigned()) {
      std::cout << name(*line.provider) << " [" << ModeCode(line.mode) << "]";
      if (line.mode == Mode::kInPerson || line.mode == Mode::kHomeVisit) {
        std::cout << ", " << line.cost_m << " m";
      }
    } else {
      std::cout << (line.reason == UnassignedReason::kNoSuitableProvider
                        ? Text(args, "not placed: nothing suits", "niet geplaatst: niets past")
                        : Text(args, "not placed: what suits is full",
                               "niet geplaatst: wat past is vol"));
    }
    std::cout << "\n";
  }
  std::cout << "\n  " << Text(args, "placed ", "geplaatst ") << summary.assigned << "/"
            << summary.requests << " ("
            << summary.assigned_remote << Text(args, " by phone or video", " telefonisch of via video")
            << "), " << Text(args, "mean distance ", "gemiddelde afstand ")
            << static_cast<int64_t>(std::llround(summary.mean_distance_m)) << " m, "
            << Text(args, "objective ", "doelwaarde ") << plan.objective << "\n";
  return kExitOk;
}

}  // namespace wegwijzer::cli
