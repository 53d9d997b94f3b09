// Internal: one parallel loop for the batch entry points (Router::RouteBatch, the
// Matcher's candidate and reason passes, coverage's site choice).
#ifndef WEGWIJZER_LIB_CORE_PARALLEL_H_
#define WEGWIJZER_LIB_CORE_PARALLEL_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <new>
#include <thread>
#include <type_traits>
#include <vector>

namespace wegwijzer::internal {

struct ParallelForOptions {
  // Threads to use, the calling thread included; 0 = hardware_concurrency().
  int threads = 0;
  // Indices handed out at a time from the shared counter. > 0.
  size_t chunk = 256;
  // At most one thread per this many indices (plus one): a small batch is not worth
  // starting threads for. > 0.
  size_t indices_per_thread = 64;
};

// Test hook: while true, every thread ParallelFor starts (never the calling thread)
// throws std::bad_alloc before its first index, as a worker's allocation failing
// would. Tests of the Try* entries set it to reach the worker path without a real
// out-of-memory; nothing else may.
inline std::atomic<bool> fail_worker_allocation_for_testing{false};

// Calls work(i) once for every i in [0, n), on the calling thread and up to
// options.threads - 1 more, and returns when all calls have returned. Indices are
// handed out in chunks from a shared counter, so a slow stretch (a dense region of the
// map) does not leave a thread idle.
// Exceptions: one thrown by work(i) on any thread (std::bad_alloc above all) stops
// every thread taking new indices; once all have joined, the first one caught is
// rethrown on the calling thread (some i then had no call). So a worker's
// std::bad_alloc reaches the caller's try/catch instead of std::terminate.
// Determinism: which thread runs which i varies between runs; callers write each
// result to its own slot i, so the output does not depend on the thread count.
// REQUIRES: work(i) for distinct i may run concurrently (no shared writes).
template <typename Work>
void ParallelFor(size_t n, const ParallelForOptions& options, Work&& work) {
  int threads = options.threads > 0 ? options.threads
                                    : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::max(1, std::min<int>(threads, static_cast<int>(n / options.indices_per_thread) + 1));
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex error_mu;
  std::exception_ptr error;
  auto run = [&](bool worker) {
    try {
      if (worker && fail_worker_allocation_for_testing.load(std::memory_order_relaxed)) {
        throw std::bad_alloc();
      }
      for (size_t begin; !stop.load(std::memory_order_relaxed) &&
                         (begin = next.fetch_add(options.chunk)) < n;) {
        const size_t end = std::min(n, begin + options.chunk);
        for (size_t i = begin; i < end; ++i) work(i);
      }
    } catch (...) {
      stop.store(true, std::memory_order_relaxed);
      std::lock_guard lock(error_mu);
      if (!error) error = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  try {
    pool.reserve(threads - 1);
    for (int t = 1; t < threads; ++t) pool.emplace_back(run, true);
  } catch (...) {
    // No memory or no thread to start: the threads started so far and this one do
    // the work (a std::system_error from std::thread is not carried back).
  }
  run(false);
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

// A team of threads kept for many short parallel loops: the cost-scaling solver runs
// a loop over every batch of 256 requests (about 0.1 ms of work each, hundreds of
// thousands of them at national scale), where starting threads per loop as
// ParallelFor does would cost more than the loop. The team's threads wait for the
// next loop spinning for a while (about 0.1 to 1 ms; the solver's serial work
// between two loops is usually shorter) and then sleep in the kernel. A loop never
// waits for a team thread that has not joined it: the caller works through the
// indices, and a thread that wakes too late (asleep, or not scheduled on a busy
// machine) finds the loop closed and waits for the next.
// Thread-safety: one thread (the owner) calls ForEach; not reentrant.
class ThreadTeam {
 public:
  // `threads`: the calling thread included; 0 = hardware_concurrency(). Threads
  // that cannot be started (no memory, a system limit) are done without: the team
  // is then smaller, down to the calling thread alone.
  explicit ThreadTeam(int threads);
  ~ThreadTeam();
  ThreadTeam(const ThreadTeam&) = delete;
  ThreadTeam& operator=(const ThreadTeam&) = delete;

  // The calling thread and the team's.
  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls work(i, t) once for every i in [0, n), t in [0, size()) naming the thread
  // (0: the caller), and returns when all calls have returned. Indices go out in
  // chunks of `chunk` (> 0) from a shared counter; n <= chunk runs on the caller
  // alone. Which thread runs which i varies. Exceptions as ParallelFor: the first
  // one thrown is rethrown here, after every thread has stopped taking indices.
  // REQUIRES: work(i, t) for distinct i may run concurrently.
  template <typename Work>
  void ForEach(size_t n, size_t chunk, Work&& work) {
    if (workers_.empty() || n <= chunk) {
      for (size_t i = 0; i < n; ++i) work(i, 0);
      return;
    }
    using W = std::remove_reference_t<Work>;
    Job job = [](void* w, size_t i, int t) { (*static_cast<W*>(w))(i, t); };
    Run(n, chunk, job, const_cast<void*>(static_cast<const void*>(&work)));
  }

 private:
  using Job = void (*)(void* work, size_t i, int thread);
  void Run(size_t n, size_t chunk, Job job, void* work);
  void Take(int thread);  // runs chunks of the current loop until none is left
  void Serve(int thread);  // a team thread's life

  std::vector<std::thread> workers_;
  std::atomic<uint32_t> generation_{0};  // one more per loop; the team waits on it
  // The current loop's gate: its generation in the high 32 bits, kClosed once the
  // caller has finished its part, and the team threads inside it in the low bits.
  std::atomic<uint64_t> gate_{0};
  std::atomic<size_t> next_{0};
  std::atomic<bool> stop_{false}, failed_{false};
  size_t n_ = 0, chunk_ = 1;
  Job job_ = nullptr;
  void* work_ = nullptr;
  std::mutex error_mu_;
  std::exception_ptr error_;
};

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_CORE_PARALLEL_H_
