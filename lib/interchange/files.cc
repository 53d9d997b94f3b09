#include "interchange/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>

#include "core/text.h"

namespace wegwijzer {
namespace internal {
namespace {

// Reads from `fd` until end of file or until `text` holds `until` bytes, growing it as
// needed. Returns false on a read error (errno set).
bool ReadInto(int fd, size_t until, std::string* text) {
  while (text->size() < until) {
    const size_t old_size = text->size();
    const size_t chunk = std::min<size_t>(until - old_size, size_t{1} << 20);
    text->resize(old_size + chunk);
    const ssize_t n = ::read(fd, text->data() + old_size, chunk);
    if (n < 0 && errno == EINTR) {
      text->resize(old_size);
      continue;
    }
    if (n <= 0) {
      text->resize(old_size);
      return n == 0;
    }
    text->resize(old_size + static_cast<size_t>(n));
  }
  return true;
}

// Where the first line of a table ends in `text`: just past the first LF that follows
// a byte other than CR or LF (a UTF-8 byte-order mark aside), so that blank lines
// before the header are part of the head; npos when there is none yet.
size_t HeadEnd(std::string_view text) {
  size_t i = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  bool content = false;
  for (; i < text.size(); ++i) {
    if (text[i] == '\n') {
      if (content) return i + 1;
    } else if (text[i] != '\r') {
      content = true;
    }
  }
  return std::string_view::npos;
}

std::string Bytes(int64_t n) {
  if (n >= (int64_t{1} << 30) && n % (int64_t{1} << 30) == 0) return Cat(n >> 30, " GiB");
  if (n >= (int64_t{1} << 20) && n % (int64_t{1} << 20) == 0) return Cat(n >> 20, " MiB");
  return Cat(n, " bytes");
}

absl::Status TooLarge(const std::string& path, std::string_view what, int64_t limit,
                      std::string_view hint) {
  return absl::ResourceExhaustedError(Cat(path, ": ", what, " more than ", Bytes(limit),
                                          ", the limit (max_file_bytes", hint, ")"));
}

}  // namespace

absl::StatusOr<std::string> ReadFileCheckingHead(const std::string& path,
                                                 const ReadLimits& limits,
                                                 const HeadCheck& check_head) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT) return absl::NotFoundError(Cat(path, ": no such file"));
    if (err == EACCES) return absl::PermissionDeniedError(Cat(path, ": permission denied"));
    return absl::UnavailableError(Cat(path, ": ", std::strerror(err)));
  }
  if (S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(Cat(path, ": is a directory, not a file"));
  }
  // A regular file's size is known before reading: refuse a too large one at once.
  const bool regular = S_ISREG(st.st_mode);
  if (regular && st.st_size > limits.max_file_bytes) {
    return TooLarge(path, Cat("the file has ", st.st_size, " bytes,"), limits.max_file_bytes,
                    limits.hint);
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == EACCES) return absl::PermissionDeniedError(Cat(path, ": permission denied"));
    return absl::PermissionDeniedError(
        Cat(path, ": cannot be opened for reading: ", std::strerror(err)));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  std::string text;
  try {
    const size_t limit = static_cast<size_t>(limits.max_file_bytes);
    if (check_head) {
      // The first line, read in small steps: a file with a bad header (a wrong file,
      // a 2 GB export missing a column) is refused for the cost of its header.
      size_t end = std::string::npos;
      while ((end = HeadEnd(text)) == std::string::npos && text.size() < limits.max_head_bytes) {
        const size_t before = text.size();
        if (!ReadInto(fd, std::min(limits.max_head_bytes, before + 4096), &text)) {
          return absl::DataLossError(Cat(path, ": read error: ", std::strerror(errno)));
        }
        if (text.size() == before) break;  // end of file
      }
      if (end == std::string::npos && text.size() >= limits.max_head_bytes) {
        return absl::ResourceExhaustedError(
            Cat(path, ": the first line is longer than ", Bytes(limits.max_head_bytes),
                " (is this a CSV file?)"));
      }
      const std::string_view head =
          end == std::string::npos ? std::string_view(text) : std::string_view(text).substr(0, end);
      // A quoted header field with a line break in it would be cut here: then only
      // the whole text can tell.
      if (std::count(head.begin(), head.end(), '"') % 2 == 0) {
        if (absl::Status s = check_head(head); !s.ok()) return s;
      }
    }
    if (regular) text.reserve(static_cast<size_t>(st.st_size));
    if (!ReadInto(fd, limit + 1, &text)) {
      return absl::DataLossError(Cat(path, ": read error: ", std::strerror(errno)));
    }
    if (text.size() > limit) {
      return TooLarge(path, "the input has", limits.max_file_bytes, limits.hint);
    }
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(
        Cat(path, ": out of memory after reading ", text.size(), " bytes"));
  }
  return text;
}

}  // namespace internal

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  return internal::ReadFileCheckingHead(path, {}, nullptr);
}

}  // namespace wegwijzer
