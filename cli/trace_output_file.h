#pragma once
// TraceOutputFile: an output stream to PATH.tmp that becomes PATH only when commit()
// succeeds, so a trace or its converted JSON is whole or absent (a run that throws
// half-way leaves nothing behind).
//
//   TraceOutputFile f(path);            // creates PATH.tmp
//   write(f.stream());
//   f.commit();                         // flush, close, rename to PATH
#include <filesystem>
#include <fstream>

namespace podsim::cli {

class TraceOutputFile {
 public:
  // Throws UserError naming PATH.tmp if it cannot be created.
  explicit TraceOutputFile(std::filesystem::path path);
  // Removes PATH.tmp unless commit() succeeded.
  ~TraceOutputFile();
  TraceOutputFile(const TraceOutputFile&) = delete;
  TraceOutputFile& operator=(const TraceOutputFile&) = delete;

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

}  // namespace podsim::cli
