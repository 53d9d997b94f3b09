// Output files as a Unix tool writes them: "-" is standard output, a symlink is
// written through, a device or FIFO is written directly, and a regular file is
// replaced atomically (a temporary file beside it, flushed, renamed over it) so that
// a reader sees the old file or the new one, never half of one, and a signal at any
// moment leaves no temporary file behind.
#include "interchange/output_file.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

#include "core/text.h"
#include "wegwijzer/interchange.h"

namespace wegwijzer {
namespace {

// The temporary files being written right now, for the signal handler. Fixed slots
// of fixed size: a handler may not allocate or take locks. A writer claims a slot,
// fills in the path, then marks it ready; the handler reads only ready slots, and a
// writer clears `ready` before it reuses or frees the path. Claiming and releasing
// happen with signals blocked in the writing thread (see SignalsBlocked), so a signal
// delivered to that thread never lands between creating the file and publishing it.
constexpr int kSlots = 16;
struct TemporarySlot {
  std::atomic<bool> claimed{false};
  std::atomic<bool> ready{false};
  char path[PATH_MAX + 1] = {};
};
std::array<TemporarySlot, kSlots> temporaries;

internal::OutputPhaseHook phase_hook = nullptr;

void Phase(internal::OutputPhase phase) {
  if (phase_hook != nullptr) phase_hook(phase);
}

// Unlinks every registered temporary file, then dies of the signal as it would have
// without us (the default action, re-raised).
extern "C" void RemoveTemporariesAndDie(int signal_number) {
  for (TemporarySlot& slot : temporaries) {
    if (slot.ready.load(std::memory_order_acquire)) ::unlink(slot.path);
  }
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

constexpr std::array<int, 4> kCleanupSignals = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// Blocks the cleanup signals in this thread for its lifetime, so that claiming a
// slot and creating the file (or renaming it and releasing the slot) is one step as
// far as the handler is concerned. A signal that arrives meanwhile is delivered when
// the guard ends.
class SignalsBlocked {
 public:
  SignalsBlocked() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : kCleanupSignals) sigaddset(&set, s);
    ::pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  ~SignalsBlocked() { ::pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  SignalsBlocked(const SignalsBlocked&) = delete;
  SignalsBlocked& operator=(const SignalsBlocked&) = delete;

 private:
  sigset_t old_;
};

// Creates a temporary file in `directory` and registers it. The name is short and of
// fixed length, so it fits beside a target whose own name is as long as the file
// system allows. Returns the descriptor, or -1 with errno set.
int CreateTemporary(const std::string& directory, int* slot_index) {
  SignalsBlocked blocked;
  int slot = -1;
  for (int i = 0; i < kSlots && slot < 0; ++i) {
    bool expected = false;
    if (temporaries[i].claimed.compare_exchange_strong(expected, true)) slot = i;
  }
  if (slot < 0) {
    errno = EMFILE;  // more concurrent writers than slots
    return -1;
  }
  std::string name = directory + "/.wegwijzer-XXXXXX";
  if (name.size() > PATH_MAX) {
    temporaries[slot].claimed.store(false);
    errno = ENAMETOOLONG;
    return -1;
  }
  const int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    temporaries[slot].claimed.store(false);
    errno = err;
    return -1;
  }
  std::memcpy(temporaries[slot].path, name.c_str(), name.size() + 1);
  temporaries[slot].ready.store(true, std::memory_order_release);
  *slot_index = slot;
  return fd;
}

void ReleaseTemporary(int slot) {
  temporaries[slot].ready.store(false, std::memory_order_release);
  temporaries[slot].claimed.store(false, std::memory_order_release);
}

absl::Status WriteAll(int fd, std::string_view contents, const std::string& path) {
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      if (err == ENOSPC || err == EDQUOT) {
        return absl::ResourceExhaustedError(
            internal::Cat(path, ": write failed: ", std::strerror(err)));
      }
      return absl::DataLossError(internal::Cat(path, ": write failed: ", std::strerror(err)));
    }
    written += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Follows `path` through symlinks (at most 40, as the kernel does) to the name that
// the data should be written to: an existing file, or a name that does not exist yet
// (a dangling link creates its target, as `echo > link` does).
absl::StatusOr<std::string> ResolveLinks(const std::string& path) {
  std::string current = path;
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st;
    if (::lstat(current.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return current;
    char target[PATH_MAX + 1];
    const ssize_t n = ::readlink(current.c_str(), target, PATH_MAX);
    if (n < 0) {
      return absl::PermissionDeniedError(
          internal::Cat(path, ": cannot read the symbolic link: ", std::strerror(errno)));
    }
    std::string next(target, static_cast<size_t>(n));
    current = next.starts_with('/') ? next : DirectoryOf(current) + "/" + next;
  }
  return absl::InvalidArgumentError(
      internal::Cat(path, ": too many levels of symbolic links"));
}

// A device, FIFO or socket: written as it is, without a temporary file (it cannot be
// replaced, and must not be: replacing /dev/null with a regular file would be bad).
absl::Status WriteDirectly(const std::string& path, std::string_view contents) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::PermissionDeniedError(
        internal::Cat(path, ": cannot open for writing: ", std::strerror(errno)));
  }
  absl::Status status = WriteAll(fd, contents, path);
  if (::close(fd) != 0 && status.ok() && errno != EINTR) {
    status = absl::DataLossError(internal::Cat(path, ": close failed: ", std::strerror(errno)));
  }
  return status;
}

absl::Status ReplaceAtomically(const std::string& shown_path, const std::string& target,
                               std::string_view contents, mode_t mode) {
  const std::string directory = DirectoryOf(target);
  int slot = -1;
  const int fd = CreateTemporary(directory, &slot);
  if (fd < 0) {
    return absl::PermissionDeniedError(internal::Cat(
        shown_path, ": cannot create a temporary file beside it: ", std::strerror(errno)));
  }
  // Everything after this point that fails removes the temporary file.
  const std::string temporary = temporaries[slot].path;
  auto fail = [&](absl::Status status) {
    ::close(fd);
    SignalsBlocked blocked;
    ::unlink(temporary.c_str());
    ReleaseTemporary(slot);
    return status;
  };
  Phase(internal::OutputPhase::kCreated);
  if (absl::Status s = WriteAll(fd, contents, shown_path); !s.ok()) return fail(s);
  Phase(internal::OutputPhase::kWritten);
  // mkstemp creates the file 0600. The new file takes the old one's permissions, or
  // 0644 for a new name. (Reading the umask would change it process-wide for a
  // moment, racing other threads.)
  ::fchmod(fd, mode);
  if (::fsync(fd) != 0) {
    return fail(absl::DataLossError(
        internal::Cat(shown_path, ": flush failed: ", std::strerror(errno))));
  }
  Phase(internal::OutputPhase::kSynced);
  if (::close(fd) != 0) {
    const int err = errno;
    SignalsBlocked blocked;
    ::unlink(temporary.c_str());
    ReleaseTemporary(slot);
    return absl::DataLossError(
        internal::Cat(shown_path, ": flush failed: ", std::strerror(err)));
  }
  {
    SignalsBlocked blocked;
    if (::rename(temporary.c_str(), target.c_str()) != 0) {
      const int err = errno;
      ::unlink(temporary.c_str());
      ReleaseTemporary(slot);
      return absl::PermissionDeniedError(
          internal::Cat(shown_path, ": cannot replace: ", std::strerror(err)));
    }
    ReleaseTemporary(slot);
  }
  Phase(internal::OutputPhase::kRenamed);
  // The rename is durable once the directory is flushed too; a failure here does not
  // undo the write (the new file is in place), so it is not reported.
  if (const int dir = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return absl::OkStatus();
}

}  // namespace

namespace internal {
void SetOutputPhaseHookForTesting(OutputPhaseHook hook) { phase_hook = hook; }
}  // namespace internal

absl::Status WriteFileAtomically(const std::string& path, std::string_view contents) {
  if (path.empty()) return absl::InvalidArgumentError("the output file name is empty");
  if (path == "-") return WriteAll(STDOUT_FILENO, contents, "standard output");
  absl::StatusOr<std::string> target = ResolveLinks(path);
  if (!target.ok()) return target.status();
  struct stat st;
  mode_t mode = 0644;
  if (::stat(target->c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      return absl::InvalidArgumentError(internal::Cat(path, ": is a directory, not a file"));
    }
    if (!S_ISREG(st.st_mode)) return WriteDirectly(*target, contents);
    mode = st.st_mode & 07777;
  }
  return ReplaceAtomically(path, *target, contents, mode);
}

bool IsSameFile(const std::string& a, const std::string& b) {
  if (a == "-" || b == "-") return false;
  struct stat sa, sb;
  if (::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0) return false;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

void RemoveTemporaryFilesOnSignal() {
  static std::atomic<bool> installed{false};
  if (installed.exchange(true)) return;
  for (int s : kCleanupSignals) {
    struct sigaction current;
    if (::sigaction(s, nullptr, &current) != 0) continue;
    // A handler the application installed, or an ignored signal, is left alone.
    if (current.sa_handler != SIG_DFL || (current.sa_flags & SA_SIGINFO)) continue;
    struct sigaction action = {};
    action.sa_handler = RemoveTemporariesAndDie;
    sigemptyset(&action.sa_mask);
    for (int other : kCleanupSignals) sigaddset(&action.sa_mask, other);
    ::sigaction(s, &action, nullptr);
  }
}

}  // namespace wegwijzer
