#include "interchange/files.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "core/text.h"

namespace wegwijzer {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT) return absl::NotFoundError(internal::Cat(path, ": no such file"));
    if (err == EACCES) return absl::PermissionDeniedError(internal::Cat(path, ": permission denied"));
    return absl::UnavailableError(internal::Cat(path, ": ", std::strerror(err)));
  }
  if (S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(internal::Cat(path, ": is a directory, not a file"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::PermissionDeniedError(internal::Cat(path, ": cannot be opened for reading"));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return absl::DataLossError(internal::Cat(path, ": read error"));
  return std::move(buffer).str();
}

absl::Status WriteFileAtomically(const std::string& path, std::string_view contents) {
  std::string temp = path + ".tmp.XXXXXX";
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) {
    return absl::PermissionDeniedError(
        internal::Cat(path, ": cannot create a temporary file beside it: ", std::strerror(errno)));
  }
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(temp.c_str());
      return absl::DataLossError(internal::Cat(path, ": write failed: ", std::strerror(err)));
    }
    written += static_cast<size_t>(n);
  }
  // mkstemp creates the file 0600; an output file is readable as usual. (Reading the
  // umask would change it process-wide for a moment, racing other threads.)
  ::fchmod(fd, 0644);
  const bool synced = ::fsync(fd) == 0;
  const int sync_err = errno;
  if (::close(fd) != 0 || !synced) {
    const int err = synced ? errno : sync_err;
    ::unlink(temp.c_str());
    return absl::DataLossError(internal::Cat(path, ": flush failed: ", std::strerror(err)));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return absl::PermissionDeniedError(
        internal::Cat(path, ": cannot replace: ", std::strerror(err)));
  }
  return absl::OkStatus();
}

}  // namespace wegwijzer
