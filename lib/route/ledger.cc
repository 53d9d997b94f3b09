#include "wegwijzer/ledger.h"

#include "core/text.h"

namespace wegwijzer {

CapacityLedger::CapacityLedger(std::shared_ptr<const Directory> directory)
    : directory_(std::move(directory)),
      reserved_(new std::atomic<int64_t>[directory_->size()]) {
  for (size_t i = 0; i < directory_->size(); ++i) reserved_[i].store(0);
}

absl::StatusOr<Reservation> CapacityLedger::Reserve(ProviderIndex provider) {
  if (provider >= directory_->size()) {
    return absl::InvalidArgumentError(
        internal::Cat("provider index ", provider, " is out of range (directory has ",
                      directory_->size(), ")"));
  }
  const std::optional<int64_t> capacity = directory_->provider(provider).capacity;
  std::atomic<int64_t>& reserved = reserved_[provider];
  int64_t current = reserved.load(std::memory_order_relaxed);
  // Compare-and-swap: two desk workers racing for the last slot cannot both win.
  do {
    if (capacity && current >= *capacity) {
      return absl::ResourceExhaustedError(internal::Cat(
          "provider '", directory_->provider(provider).id, "' is full (", *capacity, " of ",
          *capacity, " taken)"));
    }
  } while (!reserved.compare_exchange_weak(current, current + 1, std::memory_order_acq_rel));
  const uint64_t ticket = next_ticket_.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    live_.emplace(ticket, provider);
  }
  return Reservation{provider, ticket};
}

absl::Status CapacityLedger::Release(const Reservation& reservation) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = live_.find(reservation.ticket);
    if (it == live_.end() || it->second != reservation.provider) {
      return absl::NotFoundError(internal::Cat("reservation ", reservation.ticket,
                                               " is unknown or already released"));
    }
    live_.erase(it);
  }
  reserved_[reservation.provider].fetch_sub(1, std::memory_order_acq_rel);
  return absl::OkStatus();
}

int64_t CapacityLedger::Reserved(ProviderIndex provider) const {
  return reserved_[provider].load(std::memory_order_acquire);
}

std::optional<int64_t> CapacityLedger::Remaining(ProviderIndex provider) const {
  const std::optional<int64_t> capacity = directory_->provider(provider).capacity;
  if (!capacity) return std::nullopt;
  return std::max<int64_t>(0, *capacity - Reserved(provider));
}

absl::StatusOr<BookedReferral> CapacityLedger::RouteAndReserve(const Router& router,
                                                               const Request& request) {
  // Ask for a few referrals; ask again for more only if all of those are full.
  for (int k = 8;; k *= 4) {
    RouteResult result = router.Route(request, {.k = k, .explain_no_match = false});
    if (result.referrals.empty()) {
      return absl::NotFoundError(
          internal::Cat("request '", request.id, "': no suitable provider"));
    }
    for (const Referral& referral : result.referrals) {
      absl::StatusOr<Reservation> reservation = Reserve(referral.provider);
      if (reservation.ok()) return BookedReferral{referral, *reservation};
    }
    if (static_cast<int>(result.referrals.size()) < k) {
      return absl::ResourceExhaustedError(internal::Cat(
          "request '", request.id, "': all ", result.referrals.size(),
          " suitable providers are full"));
    }
  }
}

}  // namespace wegwijzer
