// The capacity ledger: live bookkeeping of provider capacity for online referrals.
//
// A desk worker refers one resident at a time: route, then reserve a slot at the
// chosen provider; the slot is released when the referral is cancelled or the
// planning period ends. Many desk workers do this at once, so the ledger is
// thread-safe and never over-books: a reservation succeeds only while the
// provider's reservations are below its capacity (unlimited providers always
// accept; capacity 0 never does).
//
// Example (examples/cpp/reserve_with_ledger.cc):
//   CapacityLedger ledger(directory);
//   absl::StatusOr<BookedReferral> booked = ledger.RouteAndReserve(router, request);
//   if (booked.ok()) {
//     const ProviderIndex provider = booked->referral.provider;
//     std::cout << request.id << " booked at " << directory->provider(provider).id
//               << ", reserved " << ledger.Reserved(provider) << "\n";
//     if (!ledger.Release(booked->reservation).ok()) return 1;
//     std::cout << "released, reserved " << ledger.Reserved(provider) << "\n";
//   }
//
// Thread-safety: thread-safe. Reserve and Release are lock-free on the counts and
// take a short lock only to record the reservation ticket.
#ifndef WEGWIJZER_LEDGER_H_
#define WEGWIJZER_LEDGER_H_

#include <cstdint>
#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/router.h"

namespace wegwijzer {

// A held slot. Copyable as a value; releasing it twice is an error, not a double
// credit.
struct Reservation {
  ProviderIndex provider;
  uint64_t ticket = 0;
  bool operator==(const Reservation&) const = default;
};

struct BookedReferral {
  Referral referral;
  Reservation reservation;
};

class CapacityLedger {
 public:
  // REQUIRES: `directory` is not null. Starts with no reservations.
  explicit CapacityLedger(std::shared_ptr<const Directory> directory);
  ~CapacityLedger();
  CapacityLedger(const CapacityLedger&) = delete;
  CapacityLedger& operator=(const CapacityLedger&) = delete;

  // One slot at `provider`. kResourceExhausted when it is full, kInvalidArgument
  // when the index is out of range.
  absl::StatusOr<Reservation> Reserve(ProviderIndex provider);

  // Gives the slot back. kNotFound when the reservation is unknown or was released.
  absl::Status Release(const Reservation& reservation);

  // Slots taken at `provider`, and how many are left (nullopt: unlimited).
  // REQUIRES: provider < directory().size().
  int64_t Reserved(ProviderIndex provider) const;
  std::optional<int64_t> Remaining(ProviderIndex provider) const;

  // Routes `request` and reserves at the best referral that still has room,
  // trying referrals in route order. kResourceExhausted (naming the request) when
  // every suitable provider is full; kNotFound when nothing suits at all.
  // REQUIRES: router.directory() is this ledger's directory.
  absl::StatusOr<BookedReferral> RouteAndReserve(const Router& router,
                                                 const Request& request);

  const Directory& directory() const { return *directory_; }

 private:
  // The counts and the tickets (atomics, a mutex and a hash map) live in
  // lib/route/ledger.cc, so this header pulls in no container library.
  struct State;
  std::shared_ptr<const Directory> directory_;
  std::unique_ptr<State> state_;
};

}  // namespace wegwijzer

#endif  // WEGWIJZER_LEDGER_H_
