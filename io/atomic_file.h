#pragma once
// Output files are whole or absent, and never destroy anything podsim did not create:
// an output is written to a new temporary file beside it (a unique name, created with
// O_EXCL, so an unrelated file is never overwritten) and renamed onto PATH when whole.
// PATH itself must be absent or a regular file; a symbolic link to a regular file is
// kept and its target replaced. A device, FIFO or socket at PATH is refused, not
// replaced (io/output_paths.h).
#include <filesystem>
#include <fstream>
#include <functional>
#include <ostream>

namespace podsim::io {

// A stream on a temporary file that becomes PATH only when commit() succeeds, for
// outputs written as a run goes (a trace): a run that throws half-way leaves nothing
// behind.
//
//   AtomicOutputFile f(path);           // creates PATH.<pid>.<n>.tmp beside PATH
//   write(f.stream());
//   f.commit();                         // flush, close, rename to PATH
class AtomicOutputFile {
 public:
  // Throws UserError ("PATH: cannot create the output (REASON; expected ...)", or
  // check_output_path's refusal) if it cannot be created.
  explicit AtomicOutputFile(std::filesystem::path path);
  // Removes the temporary file unless commit() succeeded.
  ~AtomicOutputFile();
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;

  std::ostream& stream() { return out_; }
  const std::filesystem::path& path() const { return path_; }
  const std::filesystem::path& temporary() const { return tmp_; }

  // Throws UserError if a write failed or the rename does (the temporary is removed).
  void commit();

 private:
  std::filesystem::path path_;    // as given, for messages
  std::filesystem::path target_;  // what is replaced: path_, or the file its symbolic link names
  std::filesystem::path tmp_;
  std::ofstream out_;
  bool committed_ = false;
};

// Writes a whole output at once: calls `write` with an AtomicOutputFile's stream and
// commits it. Leaves no temporary behind if `write` or the commit throws.
void write_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write);

}  // namespace podsim::io
