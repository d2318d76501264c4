#pragma once
// Outputs never destroy anything (docs/reliability.md, "Outputs"): before a command
// writes, every output path it was given is checked against every file it reads, every
// other output and the files stdout, stderr and stdin are redirected to, by file
// identity (device and inode, after following symbolic links), and by resolved name for
// outputs that do not exist yet. Every command with an output option calls check_outputs() once, before it runs
// anything, so an hour-long run is not lost to a path that could never be written.
//
//   check_outputs({{"trace", trace_path}}, {{"--perfetto", json_path}});
//   // run.trace: --perfetto: the same file as the trace read (run.trace); expected ...
//
// An output path that exists must be a regular file (or a symbolic link to one): a
// device, FIFO or socket is refused, never written to or replaced (outputs are written
// whole to a temporary file and renamed into place, io/atomic_file.h). And it must be
// empty or a file podsim wrote: every output names the text its writer always puts in
// its first bytes (FileUse::signature), and an existing file without it is the user's
// (or another of podsim's outputs: a sweep's results never replace a sweep's journal),
// refused rather than replaced. A rerun replaces its own earlier outputs.
#include <filesystem>
#include <string>
#include <vector>

namespace podsim::io {

// A file a command reads or writes, with the option or field that named it.
struct FileUse {
  std::string role;  // "--out", "scenario", "outputs.out_dir", "sources[0].trace.path", ...
  std::filesystem::path path;
  // Outputs: text that every file podsim writes there has within its first
  // kSignatureWindow bytes. Empty: no check (inputs, and the final write's re-check).
  std::string signature;
  // What a file with that signature is, for the refusal of one without it ("sweep
  // results", "sweep journal"): where two outputs share a prefix, the file podsim wrote
  // for the other is not this output's to replace. Empty: "a file podsim did not write".
  std::string kind = {};
};

inline constexpr size_t kSignatureWindow = 4096;

// Throws UserError (one line, the output's path and role first) if an output cannot be
// written as a whole file (check_output_path) or is the same file as an input, another
// output, or the file a standard stream (stdout, stderr, stdin) is redirected to.
void check_outputs(const std::vector<FileUse>& inputs, const std::vector<FileUse>& outputs);

// Throws UserError unless `path` can become a whole output file: it is absent or a
// regular file (following symbolic links) that is empty or has the output's signature,
// and its directory exists.
void check_output_path(const FileUse& output);

// True iff a and b name one file: one inode if both exist, else one resolved path.
bool same_file(const std::filesystem::path& a, const std::filesystem::path& b);

}  // namespace podsim::io
