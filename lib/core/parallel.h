// Internal: one parallel loop for the batch entry points (Router::RouteBatch, the
// Matcher's candidate and reason passes).
#ifndef WEGWIJZER_LIB_CORE_PARALLEL_H_
#define WEGWIJZER_LIB_CORE_PARALLEL_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
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

// Calls work(i) exactly once for every i in [0, n), on the calling thread and up to
// options.threads - 1 more, and returns when all calls have returned. Indices are
// handed out in chunks from a shared counter, so a slow stretch (a dense region of the
// map) does not leave a thread idle.
// Determinism: which thread runs which i varies between runs; callers write each
// result to its own slot i, so the output does not depend on the thread count.
// REQUIRES: work(i) for distinct i may run concurrently (no shared writes).
template <typename Work>
void ParallelFor(size_t n, const ParallelForOptions& options, Work&& work) {
  int threads = options.threads > 0 ? options.threads
                                    : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::max(1, std::min<int>(threads, static_cast<int>(n / options.indices_per_thread) + 1));
  std::atomic<size_t> next{0};
  auto run = [&] {
    for (size_t begin; (begin = next.fetch_add(options.chunk)) < n;) {
      const size_t end = std::min(n, begin + options.chunk);
      for (size_t i = begin; i < end; ++i) work(i);
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (int t = 1; t < threads; ++t) pool.emplace_back(run);
  run();
  for (std::thread& t : pool) t.join();
}

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_CORE_PARALLEL_H_
