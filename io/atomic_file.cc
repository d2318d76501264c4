#include "io/atomic_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "engine/error.h"
#include "io/output_paths.h"

namespace podsim::io {
namespace {

// The name of a temporary beside `target`: its file name, then `suffix`, the file name
// cut short if the two would be longer than the directory's file system takes. A name
// that fits (a 250-byte one, say) once got a temporary that did not: the run finished,
// printed its results, and then could not write them.
std::filesystem::path temporary_name(const std::filesystem::path& target, const std::string& suffix) {
  const std::filesystem::path dir = target.parent_path();
  errno = 0;
  long name_max = ::pathconf(dir.empty() ? "." : dir.c_str(), _PC_NAME_MAX);
  if (name_max <= 0) name_max = 255;  // no limit said: Linux's
  std::string name = target.filename().string();
  const size_t room = static_cast<size_t>(name_max) > suffix.size() ? static_cast<size_t>(name_max) - suffix.size() : 0;
  if (name.size() > room) name.resize(room);
  return dir / (name + suffix);
}

// Creates a new, empty temporary file beside `target` and returns its path. O_EXCL: a
// file already there (an unrelated PATH.tmp, another podsim's temporary) is never
// opened, only a fresh name tried. Its mode is the replaced file's, else the umask's.
std::filesystem::path create_temporary(const std::filesystem::path& target, const std::filesystem::path& shown) {
  static std::atomic<unsigned> counter{0};
  struct stat old {};
  const bool replacing = ::stat(target.c_str(), &old) == 0;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::filesystem::path tmp =
        temporary_name(target, fmt::format(".{}.{}.tmp", static_cast<long>(::getpid()), counter++));
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno == EEXIST) continue;
    if (fd < 0)
      throw UserError(fmt::format("{}: cannot create the output ({}; expected a path in an existing, writable "
                                  "directory)",
                                  shown.string(), std::strerror(errno)));
    if (replacing) (void)::fchmod(fd, old.st_mode & 07777);
    ::close(fd);
    return tmp;
  }
  throw UserError(fmt::format("{}: cannot create the output (100 temporary names beside it are taken)", shown.string()));
}

}  // namespace

AtomicOutputFile::AtomicOutputFile(std::filesystem::path path) : path_(std::move(path)) {
  check_output_path({.role = "output", .path = path_});
  std::error_code ec;
  target_ = std::filesystem::is_symlink(std::filesystem::symlink_status(path_, ec)) &&
                    std::filesystem::exists(path_, ec)
                ? std::filesystem::canonical(path_, ec)
                : path_;
  if (ec) target_ = path_;
  tmp_ = create_temporary(target_, path_);
  out_.open(tmp_, std::ios::binary | std::ios::trunc);
  if (!out_) {
    const std::string why = std::strerror(errno);
    std::filesystem::remove(tmp_, ec);
    throw UserError(fmt::format("{}: cannot create the output ({})", path_.string(), why));
  }
}

AtomicOutputFile::~AtomicOutputFile() {
  if (committed_) return;
  out_.close();
  std::error_code ec;
  std::filesystem::remove(tmp_, ec);
}

void AtomicOutputFile::commit() {
  out_.close();
  if (!out_) throw UserError(fmt::format("{}: write failed (disk full?); nothing was written", path_.string()));
  std::error_code ec;
  std::filesystem::rename(tmp_, target_, ec);
  if (ec) throw UserError(fmt::format("{}: cannot put the output in place: {}", path_.string(), ec.message()));
  committed_ = true;
}

void write_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write) {
  AtomicOutputFile file(path);
  write(file.stream());
  file.commit();
}

}  // namespace podsim::io
