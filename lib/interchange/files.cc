#include "interchange/files.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

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

}  // namespace wegwijzer
