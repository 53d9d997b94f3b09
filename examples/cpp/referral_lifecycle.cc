// A referral's life in the store: refer, the provider rejects for lack of capacity,
// the next referral follows, and the report. The example in
// include/wegwijzer/referral_store.h.
//   referral_lifecycle [DATA_DIR]   (DEFAULT: data; the store is a scratch file)
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <string>

#include "wegwijzer/interchange.h"
#include "wegwijzer/referral_store.h"
#include "wegwijzer/router.h"

int main(int argc, char** argv) {
  using namespace wegwijzer;
  const std::string data = argc > 1 ? argv[1] : "data";
  absl::StatusOr<ProvidersCsv> providers = ReadProvidersCsv(data + "/providers.csv");
  absl::StatusOr<RequestsCsv> requests = ReadRequestsCsv(data + "/requests.csv");
  if (!providers.ok() || !requests.ok()) return 1;
  std::shared_ptr<const Directory> directory = providers->directory;
  Router router(directory);
  // A resident whom at least two providers suit, so a rejection has somewhere to go.
  const Request* found = nullptr;
  for (const Request& r : requests->requests) {
    RouteOptions two;
    two.k = 2;
    if (router.Route(r, two).referrals.size() == 2 && found == nullptr) found = &r;
  }
  if (found == nullptr) return 1;
  const Request& request = *found;
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("wegwijzer_example_referrals." + std::to_string(::getpid()) + ".db"))
                               .string();
  int status = 1;
  {
    // --- as in referral_store.h ---
    absl::StatusOr<std::unique_ptr<ReferralStore>> store =
        OpenSqliteStore(path, {.expire_after = absl::Hours(24 * 14)});
    if (!store.ok()) return 1;  // names the file and the reason
    if (!(*store)->SetCapacities(*directory).ok()) return 1;
    absl::StatusOr<ReferralRecord> made = ReferRequest(**store, router, request, "desk-7");
    if (!made.ok()) return 1;  // nothing suits, or every suitable provider is full
    // ... later, the provider:
    absl::StatusOr<ReferralEvent> rejected = (*store)->Apply(
        {.referral_id = made->referral.id,
         .to = ReferralStatus::kRejected,
         .actor = ReferralActor::kReceivingProvider,
         .reason = {ReasonCode::kNoCapacity, "full until March"}});
    absl::StatusOr<ReferralRecord> next = ReferNext(**store, router, made->referral.id);
    // ---
    if (!rejected.ok() || !next.ok()) {
      std::cerr << (rejected.ok() ? next.status() : rejected.status()) << "\n";
    } else {
      std::cout << request.id << " referred to " << made->referral.provider_id << ", rejected ("
                << ReasonCodeName(ReasonCode::kNoCapacity) << "), then referred to "
                << next->referral.provider_id << "\n";
      absl::StatusOr<std::vector<OutcomeRow>> rows = (*store)->Outcomes();
      if (rows.ok() && (*store)->Verify().ok()) {
        std::cout << rows->size() << " outcome rows, the log folds to the kept state\n";
        status = 0;
      }
    }
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return status;
}
