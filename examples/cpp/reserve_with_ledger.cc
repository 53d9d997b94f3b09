// Online referrals against live capacity: route, reserve a slot, release it. The
// example in include/wegwijzer/ledger.h.
//   reserve_with_ledger [DATA_DIR]   (DEFAULT: data)
#include <iostream>
#include <string>

#include "wegwijzer/interchange.h"
#include "wegwijzer/ledger.h"
#include "wegwijzer/router.h"

int main(int argc, char** argv) {
  using namespace wegwijzer;
  const std::string data = argc > 1 ? argv[1] : "data";
  absl::StatusOr<ProvidersCsv> providers = ReadProvidersCsv(data + "/providers.csv");
  absl::StatusOr<RequestsCsv> requests = ReadRequestsCsv(data + "/requests.csv");
  if (!providers.ok() || !requests.ok()) return 1;
  std::shared_ptr<const Directory> directory = providers->directory;
  Router router(directory);
  const Request& request = requests->requests.front();
  // --- as in ledger.h ---
  CapacityLedger ledger(directory);
  absl::StatusOr<BookedReferral> booked = ledger.RouteAndReserve(router, request);
  if (booked.ok()) {
    const ProviderIndex provider = booked->referral.provider;
    std::cout << request.id << " booked at " << directory->provider(provider).id
              << ", reserved " << ledger.Reserved(provider) << "\n";
    if (!ledger.Release(booked->reservation).ok()) return 1;
    std::cout << "released, reserved " << ledger.Reserved(provider) << "\n";
  }
  // ---
  // Releasing twice is an error, not a double credit.
  if (!booked.ok() || ledger.Release(booked->reservation).code() != absl::StatusCode::kNotFound) {
    return 1;
  }
  std::cout << "a second release is refused\n";
  return 0;
}
