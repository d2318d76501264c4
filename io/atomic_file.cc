#include "io/atomic_file.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "engine/error.h"

namespace podsim::io {

AtomicOutputFile::AtomicOutputFile(std::filesystem::path path)
    : path_(std::move(path)), tmp_(path_.string() + ".tmp") {
  out_.open(tmp_, std::ios::binary | std::ios::trunc);
  if (!out_) throw UserError(fmt::format("{}: cannot create: {}", tmp_.string(), std::strerror(errno)));
}

AtomicOutputFile::~AtomicOutputFile() {
  if (committed_) return;
  out_.close();
  std::error_code ec;
  std::filesystem::remove(tmp_, ec);
}

void AtomicOutputFile::commit() {
  out_.close();
  if (!out_) throw UserError(fmt::format("{}: write failed (disk full?)", tmp_.string()));
  std::error_code ec;
  std::filesystem::rename(tmp_, path_, ec);
  if (ec) throw UserError(fmt::format("{}: cannot rename to {}: {}", tmp_.string(), path_.string(), ec.message()));
  committed_ = true;
}

void write_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write) {
  AtomicOutputFile file(path);
  write(file.stream());
  file.commit();
}

}  // namespace podsim::io
