#include "wegwijzer/ledger.h"

#include <algorithm>
#include <atomic>
#include <mutex>

#include "absl/container/flat_hash_map.h"
#include "core/text.h"

namespace wegwijzer {

struct CapacityLedger::State {
  explicit State(size_t providers) : reserved(new std::atomic<int64_t>[providers]) {
    for (size_t i = 0; i < providers; ++i) reserved[i].store(0);
  }
  std::unique_ptr<std::atomic<int64_t>[]> reserved;  // one count per provider
  std::atomic<uint64_t> next_ticket{1};
  std::mutex mutex;
  absl::flat_hash_map<uint64_t, ProviderIndex> live;  // guarded by mutex
};

CapacityLedger::CapacityLedger(std::shared_ptr<const Directory> directory)
    : directory_(std::move(directory)), state_(std::make_unique<State>(directory_->size())) {}

CapacityLedger::~CapacityLedger() = default;

absl::StatusOr<Reservation> CapacityLedger::Reserve(ProviderIndex provider) {
  if (provider.value() >= directory_->size()) {
    return absl::InvalidArgumentError(
        internal::Cat("provider index ", provider.value(), " is out of range (directory has ",
                      directory_->size(), ")"));
  }
  const std::optional<int64_t> capacity = directory_->provider(provider).capacity;
  std::atomic<int64_t>& reserved = state_->reserved[provider.value()];
  int64_t current = reserved.load(std::memory_order_relaxed);
  // Compare-and-swap: two desk workers racing for the last slot cannot both win.
  do {
    if (capacity && current >= *capacity) {
      return absl::ResourceExhaustedError(internal::Cat(
          "provider '", directory_->provider(provider).id, "' is full (", *capacity, " of ",
          *capacity, " taken)"));
    }
  } while (!reserved.compare_exchange_weak(current, current + 1, std::memory_order_acq_rel));
  const uint64_t ticket = state_->next_ticket.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->live.emplace(ticket, provider);
  }
  return Reservation{provider, ticket};
}

absl::Status CapacityLedger::Release(const Reservation& reservation) {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    auto it = state_->live.find(reservation.ticket);
    if (it == state_->live.end() || it->second != reservation.provider) {
      return absl::NotFoundError(internal::Cat("reservation ", reservation.ticket,
                                               " is unknown or already released"));
    }
    state_->live.erase(it);
  }
  state_->reserved[reservation.provider.value()].fetch_sub(1, std::memory_order_acq_rel);
  return absl::OkStatus();
}

int64_t CapacityLedger::Reserved(ProviderIndex provider) const {
  return state_->reserved[provider.value()].load(std::memory_order_acquire);
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
