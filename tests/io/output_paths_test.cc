// No output over an input or another output (issue 17 item 2): file identity, not names.
#include "io/output_paths.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "engine/error.h"
#include "io/sweep_file.h"
#include "tests/test_util.h"

namespace fs = std::filesystem;
using podsim::io::check_outputs;
using podsim::io::same_file;
using podsim::testing::TempDir;

TEST_CASE("same_file: one inode by any name, one resolved path for files not made yet") {
  const TempDir dir("podsim_output_paths_same");
  const fs::path& d = dir.path;
  fs::create_directories(d / "sub");
  { std::ofstream(d / "a.csv") << "a"; }
  { std::ofstream(d / "b.csv") << "b"; }
  fs::create_symlink(d / "a.csv", d / "sub" / "link.csv");
  fs::create_hard_link(d / "a.csv", d / "hard.csv");
  CHECK(same_file(d / "a.csv", d / "sub" / ".." / "a.csv"));
  CHECK(same_file(d / "a.csv", d / "sub" / "link.csv"));
  CHECK(same_file(d / "a.csv", d / "hard.csv"));
  CHECK_FALSE(same_file(d / "a.csv", d / "b.csv"));
  // Not there yet: the same name after resolving, a dangling link included.
  CHECK(same_file(d / "new.csv", d / "sub" / ".." / "new.csv"));
  fs::create_symlink(d / "new.csv", d / "dangling.csv");
  CHECK(same_file(d / "new.csv", d / "dangling.csv"));
  CHECK_FALSE(same_file(d / "new.csv", d / "b.csv"));
  CHECK_FALSE(same_file(d / "new.csv", d / "new2.csv"));
}

TEST_CASE("check_outputs: an output onto an input, or onto another output, is one line naming both") {
  const TempDir dir("podsim_output_paths_check");
  const fs::path& d = dir.path;
  fs::create_directories(d / "sub");
  const fs::path trace = d / "run.trace";
  { std::ofstream(trace) << "t"; }
  fs::create_symlink(trace, d / "link.json");
  const std::string want = (d / "link.json").string() + ": --perfetto: the same file as the trace it reads (" +
                           trace.string() +
                           "); expected another path (podsim never writes over its inputs or one output over another)";
  CHECK_THROWS_WITH_AS(check_outputs({{"trace", trace}}, {{"--perfetto", d / "link.json"}}), want.c_str(),
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(check_outputs({{"scenario", d / "s.textproto"}}, {{"--report", d / "x"}, {"--trace", d / "sub/../x"}}),
                       doctest::Contains("--trace: the same file as the --report output"), podsim::UserError);
  CHECK_NOTHROW(check_outputs({{"trace", trace}}, {{"--perfetto", d / "out.json"}, {"--report", d / "r.html"}}));
  CHECK(fs::exists(trace));
}

TEST_CASE("check_outputs: a directory, a device or a missing directory is refused before anything runs") {
  const TempDir dir("podsim_output_paths_kinds");
  const fs::path& d = dir.path;
  fs::create_directories(d / "sub");
  CHECK_THROWS_WITH_AS(check_outputs({}, {{"--dot", d / "sub"}}),
                       ((d / "sub").string() + ": --dot: is a directory (expected a file path, not a directory)").c_str(),
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(check_outputs({}, {{"--out", "/dev/full"}}),
                       doctest::Contains("/dev/full: --out: not a regular file (a character device)"), podsim::UserError);
  const std::string missing = (d / "none" / "x.csv").string() + ": --out: directory " + (d / "none").string() +
                              " does not exist (expected a path in an existing, writable directory)";
  CHECK_THROWS_WITH_AS(check_outputs({}, {{"--out", d / "none" / "x.csv"}}), missing.c_str(), podsim::UserError);
  // A name longer than the file system takes (NAME_MAX 255) looked absent, so the run
  // printed its results and then failed to write.
  // A line break in the path is '?' in the message, which stays one line.
  CHECK_THROWS_WITH_AS(check_outputs({}, {{"--out", d / "no\nne" / "x.csv"}}),
                       ((d / "no?ne" / "x.csv").string() + ": --out: directory " + (d / "no?ne").string() +
                        " does not exist (expected a path in an existing, writable directory)")
                           .c_str(),
                       podsim::UserError);
  const fs::path long_name = d / std::string(300, 'a');
  CHECK_THROWS_WITH_AS(check_outputs({}, {{"--report", long_name}}),
                       (long_name.string() + ": --report: File name too long (expected a path in an existing, "
                                             "writable directory)")
                           .c_str(),
                       podsim::UserError);
}

TEST_CASE("check_outputs: an existing file is replaced only if it is empty or podsim wrote it (its signature)") {
  const TempDir dir("podsim_output_paths_signature");
  const fs::path& d = dir.path;
  const std::string sig = "# podsim sweep";
  { std::ofstream(d / "notes.csv") << "my own notes\n"; }
  { std::ofstream(d / "ours.csv") << "# podsim sweep v1 fingerprint=0\npoint\n"; }
  { std::ofstream(d / "empty.csv"); }
  // The signature past the first kSignatureWindow bytes is not the writer's header.
  { std::ofstream(d / "late.csv") << std::string(podsim::io::kSignatureWindow, 'x') << sig; }
  fs::create_symlink(d / "notes.csv", d / "link.csv");
  const auto use = [&](const char* name) { return podsim::io::FileUse{"--out", d / name, sig}; };
  CHECK_THROWS_WITH_AS(check_outputs({}, {use("notes.csv")}),
                       ((d / "notes.csv").string() +
                        ": --out: an existing file that podsim did not write (podsim replaces only its own outputs; "
                        "expected a new path, or remove the file first)")
                           .c_str(),
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(check_outputs({}, {use("late.csv")}), doctest::Contains("podsim did not write"), podsim::UserError);
  CHECK_THROWS_WITH_AS(check_outputs({}, {use("link.csv")}), doctest::Contains("podsim did not write"), podsim::UserError);
  CHECK_NOTHROW(check_outputs({}, {use("ours.csv")}));
  CHECK_NOTHROW(check_outputs({}, {use("empty.csv")}));
  CHECK_NOTHROW(check_outputs({}, {use("new.csv")}));
  // No signature (the re-check when the file is finally written): any regular file.
  CHECK_NOTHROW(check_outputs({}, {{"--out", d / "notes.csv"}}));
  std::ifstream in(d / "notes.csv");
  std::string line;
  std::getline(in, line);
  CHECK(line == "my own notes");
}

TEST_CASE("check_outputs: a sweep's results never replace a sweep's journal, nor its journal a results file") {
  // "# podsim sweep" is the start of both headers: `sweep --out A.journal` replaced the
  // journal of the interrupted sweep writing A.
  const TempDir dir("podsim_output_paths_kinds");
  const fs::path& d = dir.path;
  podsim::io::SweepHeader h{.fingerprint = "abc", .points = 2};
  { std::ofstream(d / "r.csv") << podsim::io::format_header(h) << "\npoint\n"; }
  h.kind = podsim::io::kSweepJournal;
  { std::ofstream(d / "r.csv.journal") << podsim::io::format_header(h) << "\npoint\n"; }
  const podsim::io::FileUse results{.role = "--out", .path = {}, .signature = std::string(podsim::io::kSweepSignature),
                                    .kind = "sweep results"};
  const podsim::io::FileUse journal{.role = "--out's journal", .path = {},
                                    .signature = std::string(podsim::io::kSweepJournalSignature),
                                    .kind = "sweep journal"};
  const auto at = [&](podsim::io::FileUse use, const char* name) {
    use.path = d / name;
    return use;
  };
  CHECK_THROWS_WITH_AS(check_outputs({}, {at(results, "r.csv.journal")}),
                       ((d / "r.csv.journal").string() +
                        ": --out: an existing file that is not podsim's sweep results (podsim replaces only its own "
                        "outputs of the same kind; expected a new path, or remove the file first)")
                           .c_str(),
                       podsim::UserError);
  CHECK_THROWS_WITH_AS(check_outputs({}, {at(journal, "r.csv")}),
                       doctest::Contains("--out's journal: an existing file that is not podsim's sweep journal"),
                       podsim::UserError);
  CHECK_NOTHROW(check_outputs({}, {at(results, "r.csv"), at(journal, "r.csv.journal")}));
}
