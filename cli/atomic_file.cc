#include "cli/atomic_file.h"

#include <fmt/format.h>

#include <fstream>
#include <string>
#include <system_error>

#include "engine/error.h"

namespace podsim::cli {

void write_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  std::error_code ec;
  {
    std::ofstream out(tmp);
    if (!out) throw UserError(fmt::format("{}: cannot write", tmp.string()));
    write(out);
    out.close();
    if (!out) {
      std::filesystem::remove(tmp, ec);
      throw UserError(fmt::format("{}: write failed", tmp.string()));
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    const std::string why = ec.message();
    std::filesystem::remove(tmp, ec);
    throw UserError(fmt::format("{}: cannot rename to {}: {}", tmp.string(), path.string(), why));
  }
}

}  // namespace podsim::cli
