// The live directory: the current snapshot, replaced as a whole when providers change.
//
// Readers take the current snapshot (a shared_ptr) and keep using it for as long as
// they hold it, even after a newer one has been swapped in, so a request is always
// answered against one consistent directory. The old snapshot is freed when its last
// reader lets go.
//
// Example (examples/cpp/live_directory_swap.cc):
//   LiveDirectory live(*Directory::Create(snapshot));
//   // request threads:
//   Router router(live.Current());
//   // the nightly import:
//   live.Replace(*Directory::Create(new_snapshot));
//
// Thread-safety: thread-safe. Current() and Replace() take a mutex only for the
// pointer copy, never during routing.
#ifndef WEGWIJZER_LIVE_DIRECTORY_H_
#define WEGWIJZER_LIVE_DIRECTORY_H_

#include <cstdint>
#include <memory>
#include <mutex>

#include "wegwijzer/directory.h"

namespace wegwijzer {

class LiveDirectory {
 public:
  // REQUIRES: `initial` is not null.
  explicit LiveDirectory(std::shared_ptr<const Directory> initial)
      : current_(std::move(initial)) {}

  std::shared_ptr<const Directory> Current() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return current_;
  }

  // REQUIRES: `next` is not null. Readers that hold the old snapshot keep it.
  void Replace(std::shared_ptr<const Directory> next) {
    std::shared_ptr<const Directory> old;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      old = std::exchange(current_, std::move(next));
      ++version_;
    }
    // `old` is released here, outside the lock: freeing a large directory must not
    // hold up readers.
  }

  // How many times the snapshot was replaced.
  uint64_t version() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return version_;
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Directory> current_;  // guarded by mutex_
  uint64_t version_ = 0;                      // guarded by mutex_
};

}  // namespace wegwijzer

#endif  // WEGWIJZER_LIVE_DIRECTORY_H_
