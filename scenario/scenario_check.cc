#include "scenario/scenario_check.h"

#include <fmt/format.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <filesystem>
#include <set>

#include "scenario/cluster_from_proto.h"
#include "scenario/field_ranges.h"
#include "engine/error.h"
#include "engine/printable.h"

namespace podsim::scenario {

void Problems::add(const std::string& field_path, const std::string& message) {
  const std::string context = file_.context().empty() ? "" : file_.context() + ": ";
  std::string line = fmt::format("{}: {}{}: {}", file_.where(field_path), context, file_.source_path(field_path), message);
  // The same field may be checked on more than one path (the whole scenario, then its
  // cluster): say each problem once.
  if (seen_.insert(line).second) lines_.push_back(std::move(line));
}

void Problems::throw_if_any() const {
  if (lines_.empty()) return;
  std::vector<std::string> listed(lines_.begin(), lines_.begin() + static_cast<long>(std::min(lines_.size(), kMaxListedProblems)));
  if (lines_.size() > kMaxListedProblems)
    listed.push_back(fmt::format("{}: and {} more problems ({} in all; the first {} are listed)", file_.path(),
                                 lines_.size() - kMaxListedProblems, lines_.size(), kMaxListedProblems));
  throw UserError(listed);  // a line each
}

namespace {

// outputs.out_dir is written after the run: find out now that it can be, without
// creating anything (a refused run leaves nothing behind). The deepest part of the
// path that exists must be a directory podsim may write into.
void check_out_dir(const std::string& dir, Problems& problems) {
  namespace fs = std::filesystem;
  std::error_code ec;
  struct stat st {};
  errno = 0;
  if (::stat(dir.c_str(), &st) != 0 && errno == ENAMETOOLONG) {  // else it looks absent, and fails after the run
    problems.add("outputs.out_dir", fmt::format("cannot create '{}': {} (expected a directory path podsim can create "
                                                "or write into)",
                                                printable(dir), std::strerror(errno)));
    return;
  }
  fs::path existing = fs::absolute(dir, ec);
  if (ec) return;  // the write reports it
  // Kernel file systems take ordinary files as root (and a write there can reach a
  // device or a kernel setting): never results there, also through a symbolic link.
  const fs::path resolved = fs::weakly_canonical(existing, ec);
  for (const fs::path system : {"/dev", "/proc", "/sys"}) {
    if (ec) break;
    const auto [end, _] = std::mismatch(system.begin(), system.end(), resolved.begin(), resolved.end());
    if (end == system.end()) {
      problems.add("outputs.out_dir", fmt::format("'{}' is {} or under it, a system directory (resolved: '{}'; expected a "
                                                  "directory for result files, e.g. out/)",
                                                  printable(dir), system.string(), printable(resolved.string())));
      return;
    }
  }
  // The root itself: "$OUT/" with OUT unset. Results there sit among the system's
  // directories, and a second run would replace them there.
  if (!ec && resolved == resolved.root_path()) {
    problems.add("outputs.out_dir", fmt::format("'{}' is the root directory (expected a directory for result files, "
                                                "e.g. out/; an unset variable in \"$DIR/\"?)",
                                                printable(dir)));
    return;
  }
  while (!fs::exists(existing, ec) && existing.has_relative_path()) existing = existing.parent_path();
  if (!fs::is_directory(existing, ec))
    problems.add("outputs.out_dir", fmt::format("cannot create '{}': '{}' is not a directory (expected a directory "
                                                "path podsim can create or write into)",
                                                dir, existing.string()));
  else if (::access(existing.c_str(), W_OK) != 0)
    problems.add("outputs.out_dir", fmt::format("cannot create '{}': '{}' is not writable (expected a directory "
                                                "path podsim can create or write into)",
                                                dir, existing.string()));
}

}  // namespace

void check_scenario(const ScenarioFile& file) {
  const podsim::v1::Scenario& s = file.scenario();
  Problems problems(file);
  // The scenario's name heads stdout's results and a sweep file's first line: one line.
  // (Job names may hold anything: CSV and JSON outputs quote them, tests/io/csv_python_roundtrip.sh.)
  if (s.name().empty()) problems.add("name", "missing (expected a short identifier, e.g. name: \"cm384_vs_nvl72\")");
  check_one_line("name", s.name(), problems);
  check_field_ranges(file, s, "", problems);
  // LAS demotes a job at each threshold in turn: they must ascend.
  const auto& las = s.scheduler().las_thresholds_device_hours();
  for (int i = 1; i < las.size(); ++i)
    if (!(las[i] > las[i - 1]))
      problems.add(fmt::format("scheduler.las_thresholds_device_hours[{}]", i),
                   fmt::format("expected thresholds in ascending order, got {} after {}", las[i], las[i - 1]));
  std::set<std::string> job_names;
  for (int i = 0; i < s.jobs_size(); ++i) {
    const auto& job = s.jobs(i);
    const std::string at = fmt::format("jobs[{}]", i);
    if (job.name().empty()) problems.add(at + ".name", "missing (expected a unique job name)");
    else if (!job_names.insert(job.name()).second) problems.add(at + ".name", fmt::format("duplicate job name '{}'", job.name()));
  }
  job_settings_by_name(s, problems);
  if (!s.outputs().out_dir().empty()) check_out_dir(s.outputs().out_dir(), problems);
  if (s.has_cluster()) cluster_params(file, problems);  // records its own problems
  problems.throw_if_any();
}

bool is_one_line(std::string_view text) {
  return std::none_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

void check_one_line(const std::string& field, const std::string& text, Problems& problems) {
  if (!is_one_line(text))
    problems.add(field, fmt::format("expected one line of text without control characters (tabs, line breaks), got '{}'",
                                    printable(text)));
}

std::map<std::string, int> job_settings_by_name(const podsim::v1::Scenario& s, Problems& problems) {
  // (A set of the names, not a scan of the jobs per setting: 200,000 of each made 4e10
  // comparisons.)
  std::set<std::string_view> job_names;
  for (const auto& j : s.jobs()) job_names.insert(j.name());
  std::map<std::string, int> settings;
  for (int i = 0; i < s.job_settings_size(); ++i) {
    const std::string& name = s.job_settings(i).job();
    const std::string at = fmt::format("job_settings[{}].job", i);
    if (job_names.empty()) {
      // Once accepted without a word: a cluster without jobs printed its summary, a
      // trace's jobs ran without the pools or priority meant for them.
      problems.add(at, fmt::format("settings for job '{}', but the scenario has no jobs (expected 'jobs' entries "
                                   "for job_settings to apply to; traces and synthetic mixes take pools, priority "
                                   "and checkpoint in their source)",
                                   printable(name)));
    } else if (!job_names.contains(name)) {
      problems.add(at, fmt::format("no job named '{}' in jobs", printable(name)));
    } else if (const auto [it, fresh] = settings.try_emplace(name, i); !fresh) {
      // Once the later one silently replaced the earlier.
      problems.add(at, fmt::format("job '{}' has settings already, at job_settings[{}] (expected one entry per job)",
                                   printable(name), it->second));
    }
  }
  return settings;
}

}  // namespace podsim::scenario
