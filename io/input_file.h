#pragma once
// Input files are read only if they are regular files of a bounded size, so that no
// input can block podsim (a FIFO with no writer blocks an ordinary open() forever) or
// grow it without bound (/dev/zero, /dev/urandom, a file that never ends). The type is
// found by opening without blocking (O_NONBLOCK) and asking the open file (fstat), so a
// path swapped between a check and the open cannot slip past. docs/reliability.md,
// "Inputs".
//
//   const std::string text = read_input_file(path, "scenario file");   // whole, <= 1 GiB
//   check_input_file(path, "trace file", kMaxStreamedInputBytes);      // then stream it
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace podsim::io {

// Inputs read whole into memory: scenarios, trace CSVs, sweep CSVs and journals.
inline constexpr uint64_t kMaxInputBytes = uint64_t{1} << 30;  // 1 GiB
// Inputs read as a stream in bounded memory: protobuf traces (podsim trace). A
// flows-level trace of a long run can pass 1 GiB, and podsim must read what it wrote.
inline constexpr uint64_t kMaxStreamedInputBytes = uint64_t{64} << 30;  // 64 GiB

// Reads the whole of `path`. Throws UserError, one line:
//   "PATH: cannot open WHAT (REASON)"               missing or unreadable
//   "PATH: is a directory (expected a WHAT)"
//   "PATH: not a regular file (a FIFO; expected a WHAT)"   a device, FIFO or socket
//   "PATH: 2.15 GB, more than the 1 GiB podsim reads (expected a WHAT of at most 1 GiB)"
std::string read_input_file(const std::filesystem::path& path, std::string_view what,
                            uint64_t max_bytes = kMaxInputBytes);

// The same checks without reading, for readers that open the file themselves. A path
// that cannot be opened or is a directory passes: the caller's own open reports it in
// its words. Throws UserError for a device, FIFO or socket, or a file over max_bytes.
void check_input_file(const std::filesystem::path& path, std::string_view what, uint64_t max_bytes = kMaxInputBytes);

// The lines of a regular file (newlines, plus one for a last line without one), read
// in blocks under check_input_file's checks; nullopt if it cannot be opened or is a
// directory (its reader says why).
std::optional<uint64_t> count_lines(const std::filesystem::path& path, std::string_view what,
                                    uint64_t max_bytes = kMaxInputBytes);

// "a FIFO", "a character device", ... for st_mode's file type.
std::string_view file_type_name(unsigned mode);

}  // namespace podsim::io
