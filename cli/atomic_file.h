#pragma once
// Output files are whole or absent: written to PATH.tmp, then renamed to PATH.
#include <filesystem>
#include <functional>
#include <ostream>

namespace podsim::cli {

// Calls `write` with a stream on PATH.tmp and renames it to `path` when the stream is
// still good after closing. Throws UserError ("PATH.tmp: cannot write", ...) otherwise,
// leaving no temporary file behind.
void write_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write);

}  // namespace podsim::cli
