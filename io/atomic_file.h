#pragma once
// Output files are whole or absent: written to PATH.tmp, then renamed to PATH.
#include <filesystem>
#include <fstream>
#include <functional>
#include <ostream>

namespace podsim::io {

// A stream on PATH.tmp that becomes PATH only when commit() succeeds, for outputs
// written as a run goes (a trace): a run that throws half-way leaves nothing behind.
//
//   AtomicOutputFile f(path);           // creates PATH.tmp
//   write(f.stream());
//   f.commit();                         // flush, close, rename to PATH
class AtomicOutputFile {
 public:
  // Throws UserError ("PATH.tmp: cannot create: REASON") if it cannot be created.
  explicit AtomicOutputFile(std::filesystem::path path);
  // Removes PATH.tmp unless commit() succeeded.
  ~AtomicOutputFile();
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;

  std::ostream& stream() { return out_; }
  const std::filesystem::path& path() const { return path_; }
  const std::filesystem::path& temporary() const { return tmp_; }

  // Throws UserError if a write failed or the rename does (PATH.tmp is removed).
  void commit();

 private:
  std::filesystem::path path_, tmp_;
  std::ofstream out_;
  bool committed_ = false;
};

// Writes a whole output at once: calls `write` with an AtomicOutputFile's stream and
// commits it. Leaves no PATH.tmp behind if `write` or the commit throws.
void write_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write);

}  // namespace podsim::io
