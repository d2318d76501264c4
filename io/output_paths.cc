#include "io/output_paths.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <system_error>

#include "engine/error.h"
#include "io/input_file.h"

namespace podsim::io {
namespace {

namespace fs = std::filesystem;

// Who a path is: its inode if it exists, else the absolute name it resolves to
// (symbolic links followed, dangling ones too, so that "link -> new.csv" and "new.csv"
// are one output).
struct Identity {
  std::optional<std::pair<dev_t, ino_t>> inode;
  std::string name;
};

fs::path resolve_name(const fs::path& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  if (ec) return path.lexically_normal();
  for (int hops = 0; hops < 40 && fs::is_symlink(fs::symlink_status(p, ec)); ++hops) {
    const fs::path target = fs::read_symlink(p, ec);
    if (ec) break;
    p = target.is_absolute() ? target : p.parent_path() / target;
  }
  const fs::path canonical = fs::weakly_canonical(p, ec);
  return ec ? p.lexically_normal() : canonical;
}

Identity identify(const fs::path& path) {
  Identity id{.inode = std::nullopt, .name = resolve_name(path).string()};
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) id.inode = std::make_pair(st.st_dev, st.st_ino);
  return id;
}

bool same(const Identity& a, const Identity& b) {
  if (a.inode && b.inode) return *a.inode == *b.inode;
  if (a.inode || b.inode) return false;
  return a.name == b.name;
}

// The standard streams that are regular files (a shell's `> FILE`, `2> FILE`, `< FILE`),
// each with how a refusal names it. An output onto one (`--out /dev/stderr` while stderr
// goes to a log file) would be renamed over that file: the log, or the file the user
// redirected stdin from, replaced by podsim's output.
std::vector<std::pair<Identity, std::string>> standard_stream_files() {
  std::vector<std::pair<Identity, std::string>> out;
  const std::pair<int, const char*> streams[] = {{STDOUT_FILENO, "stdout, which is redirected to it"},
                                                 {STDERR_FILENO, "stderr, which is redirected to it"},
                                                 {STDIN_FILENO, "stdin, which is redirected from it"}};
  for (const auto& [fd, what] : streams) {
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
      out.emplace_back(Identity{.inode = std::make_pair(st.st_dev, st.st_ino), .name = {}}, what);
  }
  return out;
}

// True iff the regular file at `path` is empty or its first kSignatureWindow bytes
// contain `signature`.
bool empty_or_signed(const std::string& path, off_t size, const std::string& signature) {
  if (size == 0) return true;
  std::ifstream in(path, std::ios::binary);
  std::string head(kSignatureWindow, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  return head.find(signature) != std::string::npos;
}

// Throws UserError if the regular file at output.path exists, is not empty and lacks
// output.signature.
void check_signature(const FileUse& output) {
  const std::string& path = output.path.string();
  struct stat st {};
  if (output.signature.empty() || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
  if (empty_or_signed(path, st.st_size, output.signature)) return;
  if (output.kind.empty())
    throw UserError(fmt::format("{}: {}: an existing file that podsim did not write (podsim replaces only its own "
                                "outputs; expected a new path, or remove the file first)",
                                path, output.role));
  throw UserError(fmt::format("{}: {}: an existing file that is not podsim's {} (podsim replaces only its own "
                              "outputs of the same kind; expected a new path, or remove the file first)",
                              path, output.role, output.kind));
}

}  // namespace

bool same_file(const fs::path& a, const fs::path& b) { return same(identify(a), identify(b)); }

void check_output_path(const FileUse& output) {
  const std::string& path = output.path.string();
  if (path.empty()) throw UserError(fmt::format("{}: an empty path (expected a file path)", output.role));
  struct stat st {};
  errno = 0;
  const bool exists = ::stat(path.c_str(), &st) == 0;
  // A name too long, or a directory on the way that cannot be searched: the write would
  // fail after the run, its results printed and the file missing.
  if (!exists && errno != ENOENT && errno != ENOTDIR)
    throw UserError(fmt::format("{}: {}: {} (expected a path in an existing, writable directory)", path, output.role,
                                std::strerror(errno)));
  if (exists) {
    if (S_ISDIR(st.st_mode))
      throw UserError(fmt::format("{}: {}: is a directory (expected a file path, not a directory)", path, output.role));
    if (!S_ISREG(st.st_mode))
      throw UserError(fmt::format("{}: {}: not a regular file ({}); podsim writes an output whole to a new file and "
                                  "renames it into place, never onto a device, FIFO or socket (expected a file path)",
                                  path, output.role, file_type_name(st.st_mode)));
  }
  const fs::path dir = resolve_name(output.path).parent_path();
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw UserError(fmt::format("{}: {}: directory {} {} (expected a path in an existing, writable directory)", path,
                                output.role, dir.string(), fs::exists(dir, ec) ? "is not a directory" : "does not exist"));
  if (::access(dir.c_str(), W_OK) != 0)
    throw UserError(fmt::format("{}: {}: directory {} is not writable (expected a path in an existing, writable "
                                "directory)",
                                path, output.role, dir.string()));
  check_signature(output);
}

void check_outputs(const std::vector<FileUse>& inputs, const std::vector<FileUse>& outputs) {
  std::vector<Identity> input_ids, output_ids;
  for (const FileUse& in : inputs) input_ids.push_back(identify(in.path));
  const std::vector<std::pair<Identity, std::string>> streams = standard_stream_files();
  for (size_t i = 0; i < outputs.size(); ++i) {
    const FileUse& o = outputs[i];
    // Its kind first, then what it would overwrite (a named input or output says more
    // than "not podsim's"), then whether podsim wrote it.
    check_output_path({.role = o.role, .path = o.path});
    const Identity id = identify(o.path);
    const auto refuse = [&](const std::string& what) {
      throw UserError(fmt::format("{}: {}: the same file as {}; expected another path (podsim never writes over "
                                  "its inputs or one output over another)",
                                  o.path.string(), o.role, what));
    };
    for (size_t k = 0; k < inputs.size(); ++k)
      if (same(id, input_ids[k])) refuse(fmt::format("the {} it reads ({})", inputs[k].role, inputs[k].path.string()));
    for (size_t k = 0; k < i; ++k)
      if (same(id, output_ids[k]))
        refuse(fmt::format("the {} output ({})", outputs[k].role, outputs[k].path.string()));
    for (const auto& [stream, what] : streams)
      if (same(id, stream)) refuse(what);
    check_signature(o);
    output_ids.push_back(id);
  }
}

}  // namespace podsim::io
