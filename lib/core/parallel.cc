#include "core/parallel.h"

#include <utility>

namespace wegwijzer::internal {
namespace {

// Spins of a team thread before it sleeps: each costs a pause instruction (10 to 150
// cycles by processor), so this is about 0.1 to 1 ms; every kYieldEvery spins it
// lets another thread of the machine run.
constexpr int kSpins = 1 << 14;
constexpr int kYieldEvery = 256;
constexpr uint64_t kClosed = uint64_t{1} << 31;
constexpr uint64_t kInside = kClosed - 1;  // the low bits: team threads inside

inline void Pause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

}  // namespace

ThreadTeam::ThreadTeam(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::thread::hardware_concurrency());
  try {
    workers_.reserve(std::max(0, threads - 1));
    for (int t = 1; t < threads; ++t) workers_.emplace_back([this, t] { Serve(t); });
  } catch (...) {
    // No memory or no thread to start: the team is the threads started so far.
  }
}

ThreadTeam::~ThreadTeam() {
  stop_.store(true, std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ThreadTeam::Take(int thread) {
  try {
    for (size_t begin; !failed_.load(std::memory_order_relaxed) &&
                       (begin = next_.fetch_add(chunk_, std::memory_order_relaxed)) < n_;) {
      const size_t end = std::min(n_, begin + chunk_);
      for (size_t i = begin; i < end; ++i) job_(work_, i, thread);
    }
  } catch (...) {
    failed_.store(true, std::memory_order_relaxed);
    std::lock_guard lock(error_mu_);
    if (!error_) error_ = std::current_exception();
  }
}

void ThreadTeam::Serve(int thread) {
  uint32_t seen = 0;
  for (;;) {
    uint32_t now;
    for (int spin = 0; (now = generation_.load(std::memory_order_acquire)) == seen; ++spin) {
      if (spin < kSpins) {
        Pause();
        if (spin % kYieldEvery == kYieldEvery - 1) std::this_thread::yield();
      } else {
        generation_.wait(seen, std::memory_order_acquire);
      }
    }
    seen = now;
    if (stop_.load(std::memory_order_relaxed)) return;
    // Join loop `now` unless the caller has closed it (or started a later one).
    uint64_t gate = gate_.load(std::memory_order_acquire);
    bool joined = false;
    while ((gate >> 32) == now && (gate & kClosed) == 0) {
      if (gate_.compare_exchange_weak(gate, gate + 1, std::memory_order_acq_rel)) {
        joined = true;
        break;
      }
    }
    if (!joined) continue;
    Take(thread);
    if ((gate_.fetch_sub(1, std::memory_order_acq_rel) & kInside) == 1) gate_.notify_one();
  }
}

void ThreadTeam::Run(size_t n, size_t chunk, Job job, void* work) {
  n_ = n;
  chunk_ = chunk;
  job_ = job;
  work_ = work;
  next_.store(0, std::memory_order_relaxed);
  failed_.store(false, std::memory_order_relaxed);
  const uint32_t now = generation_.load(std::memory_order_relaxed) + 1;
  gate_.store(uint64_t{now} << 32, std::memory_order_relaxed);
  // The release publishes the loop's fields to the team threads that see the new
  // generation (they load it with acquire).
  generation_.store(now, std::memory_order_release);
  generation_.notify_all();
  Take(0);
  // Close the loop, then wait for the team threads inside it (they are taking
  // their last chunk).
  uint64_t gate = gate_.fetch_or(kClosed, std::memory_order_acq_rel) | kClosed;
  for (int spin = 0; (gate & kInside) != 0; ++spin) {
    if (spin < kSpins) {
      Pause();
    } else {
      gate_.wait(gate, std::memory_order_acquire);
    }
    gate = gate_.load(std::memory_order_acquire);
  }
  if (error_) {
    std::exception_ptr error = std::exchange(error_, nullptr);
    std::rethrow_exception(error);
  }
}

}  // namespace wegwijzer::internal
