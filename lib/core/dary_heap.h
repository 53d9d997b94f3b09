// Internal: a 4-ary heap kept in a std::vector, for the solvers' large heaps.
//
// Why. The cost-scaling solver's sink keeps every request on the outside option in
// one heap: about 800,000 entries at 50,000 / 1,000,000 with capacities x 0.2, where
// its 11.5 M pops took 17.4 s of a 79 s solve. A binary heap's pop walks about 20
// levels, each a cache miss once the heap outgrows the cache; four children a
// node halve the levels, and the four are adjacent (two cache lines of 16-byte
// entries at most), so a level costs about one miss.
//
// Contract: `first(a, b)` is a strict weak order, true when a leaves before b;
// h.front() is then an entry no other entry leaves before. Entries that tie leave
// in some order this file does not promise (as std::pop_heap), so a caller that
// needs one order makes `first` total. Complexity: push O(log4 n), pop O(4 log4 n)
// comparisons, make O(n). Not thread-safe: one heap, one thread at a time.
#ifndef WEGWIJZER_LIB_CORE_DARY_HEAP_H_
#define WEGWIJZER_LIB_CORE_DARY_HEAP_H_

#include <cstddef>
#include <utility>
#include <vector>

namespace wegwijzer::internal {

inline constexpr size_t kHeapArity = 4;

// Moves h[hole] down to where it belongs among h[0, size).
template <typename T, typename First>
void HeapSiftDown(std::vector<T>& h, size_t hole, First first) {
  const size_t size = h.size();
  T moving = std::move(h[hole]);
  for (;;) {
    const size_t child = kHeapArity * hole + 1;
    if (child >= size) break;
    size_t best = child;
    const size_t end = child + kHeapArity < size ? child + kHeapArity : size;
    for (size_t c = child + 1; c < end; ++c) {
      if (first(h[c], h[best])) best = c;
    }
    if (!first(h[best], moving)) break;
    h[hole] = std::move(h[best]);
    hole = best;
  }
  h[hole] = std::move(moving);
}

// Adds e.
template <typename T, typename First>
void HeapPush(std::vector<T>& h, T e, First first) {
  size_t hole = h.size();
  h.push_back(std::move(e));
  T moving = std::move(h[hole]);
  while (hole > 0) {
    const size_t parent = (hole - 1) / kHeapArity;
    if (!first(moving, h[parent])) break;
    h[hole] = std::move(h[parent]);
    hole = parent;
  }
  h[hole] = std::move(moving);
}

// Removes h.front(); h must not be empty.
template <typename T, typename First>
void HeapPop(std::vector<T>& h, First first) {
  if (h.size() > 1) h.front() = std::move(h.back());
  h.pop_back();
  if (!h.empty()) HeapSiftDown(h, 0, first);
}

// Orders h as a heap.
template <typename T, typename First>
void HeapMake(std::vector<T>& h, First first) {
  if (h.size() < 2) return;
  for (size_t i = (h.size() - 2) / kHeapArity + 1; i-- > 0;) HeapSiftDown(h, i, first);
}

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_CORE_DARY_HEAP_H_
