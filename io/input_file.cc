#include "io/input_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "engine/error.h"
#include "sim/memory_limit.h"

namespace podsim::io {
namespace {

// Closes a file descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string cap_text(uint64_t bytes) {
  if (bytes % (uint64_t{1} << 30) == 0) return fmt::format("{} GiB", bytes >> 30);
  if (bytes % (uint64_t{1} << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
  return fmt::format("{} bytes", bytes);
}

std::string too_big(const std::filesystem::path& path, std::string_view what, uint64_t size, uint64_t max_bytes) {
  return fmt::format("{}: {}, more than the {} podsim reads (expected a {} of at most {})", path.string(),
                     sim::format_bytes(static_cast<double>(size)), cap_text(max_bytes), what, cap_text(max_bytes));
}

// Opens `path` read-only without blocking and checks what it is. Returns -1 (errno set)
// if it cannot be opened; `is_dir` is set for a directory.
int open_checked(const std::filesystem::path& path, std::string_view what, uint64_t max_bytes, bool& is_dir) {
  is_dir = false;
  // Named as such: "cannot open" began the message with ": " (`podsim run ""`, an unset
  // shell variable).
  if (path.empty()) throw UserError(fmt::format("an empty path (expected a {})", what));
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    errno = e;
    return -1;
  }
  if (S_ISDIR(st.st_mode)) {
    is_dir = true;
    return fd;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw UserError(fmt::format("{}: not a regular file ({}; expected a {})", path.string(),
                                file_type_name(st.st_mode), what));
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    ::close(fd);
    throw UserError(too_big(path, what, static_cast<uint64_t>(st.st_size), max_bytes));
  }
  // A regular file never blocks; reads go on in the ordinary, blocking mode.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

}  // namespace

std::string_view file_type_name(unsigned mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISREG(mode)) return "a regular file";
  return "an unknown kind of file";
}

std::string read_input_file(const std::filesystem::path& path, std::string_view what, uint64_t max_bytes) {
  bool is_dir = false;
  const Fd fd(open_checked(path, what, max_bytes, is_dir));
  if (fd.get() < 0)
    throw UserError(fmt::format("{}: cannot open {} ({})", path.string(), what, std::strerror(errno)));
  if (is_dir) throw UserError(fmt::format("{}: is a directory (expected a {})", path.string(), what));
  // Read to the end, but never past the cap: a file may grow after fstat.
  std::string text;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw UserError(fmt::format("{}: read error ({})", path.string(), std::strerror(errno)));
    if (n == 0) break;
    if (text.size() + static_cast<size_t>(n) > max_bytes)
      throw UserError(too_big(path, what, text.size() + static_cast<size_t>(n), max_bytes));
    text.append(buffer, static_cast<size_t>(n));
  }
  return text;
}

std::optional<uint64_t> count_lines(const std::filesystem::path& path, std::string_view what, uint64_t max_bytes) {
  bool is_dir = false;
  const Fd fd(open_checked(path, what, max_bytes, is_dir));
  if (fd.get() < 0 || is_dir) return std::nullopt;
  uint64_t lines = 0, bytes = 0;
  char buffer[1 << 16];
  char last = '\n';
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    bytes += static_cast<uint64_t>(n);
    if (bytes > max_bytes) throw UserError(too_big(path, what, bytes, max_bytes));
    lines += static_cast<uint64_t>(std::count(buffer, buffer + n, '\n'));
    last = buffer[n - 1];
  }
  return lines + (last != '\n');
}

void check_input_file(const std::filesystem::path& path, std::string_view what, uint64_t max_bytes) {
  bool is_dir = false;
  const Fd fd(open_checked(path, what, max_bytes, is_dir));
}

}  // namespace podsim::io
