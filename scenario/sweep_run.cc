#include "scenario/sweep_run.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <exception>
#include <fstream>
#include <mutex>
#include <thread>

#include "engine/check.h"
#include "engine/error.h"
#include "io/atomic_file.h"
#include "io/sweep_file.h"
#include "io/version.h"
#include "scenario/run_metrics.h"

namespace podsim::scenario {

using io::kSweepJournal;
using io::kSweepResults;
using io::SweepHeader;
using io::SweepTable;
using sim::Metric;
namespace {

std::string one_line(std::string s) {
  for (size_t at; (at = s.find('\n')) != std::string::npos;) s.replace(at, 1, "; ");
  return s;
}

// The metric names every point shares. A point whose overrides already fail here is
// skipped (its row will carry the error); the sweep must not change the names (the
// systems' or jobs' names), since the header is written before any point runs.
std::vector<std::string> common_metric_names(const SweepPlan& plan) {
  std::optional<std::vector<std::string>> names;
  std::optional<UserError> first_error;
  size_t first = 0;
  for (size_t p = 0; p < plan.points(); ++p) {
    std::vector<std::string> here;
    try {
      here = headline_metric_names(plan.point_file(p));
    } catch (const UserError& e) {
      if (!first_error) first_error = e;
      continue;
    }
    if (!names) {
      names = std::move(here);
      first = p;
    } else if (here != *names) {
      throw UserError(
          fmt::format("sweep of {}: point {} has other result columns than point {} (a sweep may not "
                      "change the names or number of systems and jobs)",
                      plan.scenario_name(), p, first));
    }
  }
  if (!names) throw *first_error;
  return *names;
}

// A cell as it may appear in a one-line message.
std::string printable(std::string s) {
  for (char& ch : s)
    if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) >= 0x7f) ch = '?';
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

bool finite_number(const std::string& s) {
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(v);
}

// A resumed row must be one this sweep could have written: its point's values in the
// parameter columns, a number (or nothing) in each metric column, no metric beside an
// error, and the quoting csv_row gives. Anything else is a damaged journal (a disk or
// an editor changed it); it is refused rather than copied into the results.
void check_resumed_rows(const SweepTable& old, const std::filesystem::path& path, const SweepPlan& plan,
                        const std::vector<std::string>& columns) {
  for (const auto& [p, line] : old.rows) {
    const std::string where = fmt::format("{}:{}", path.string(), old.lines.at(p));
    const auto damaged = [&](size_t col, const std::string& expected, const std::string& got) {
      return UserError(fmt::format("{}: column '{}': expected {}, got '{}' (a damaged journal row: remove the row or "
                                   "the journal, or run without --resume)",
                                   where, columns[col], expected, printable(got)));
    };
    const std::vector<std::string> f = *io::parse_csv_row(line);  // read_sweep_file checked the quotes and width
    const std::vector<std::string> values = plan.values(p);
    for (size_t i = 0; i < values.size(); ++i)
      if (f[1 + i] != values[i]) throw damaged(1 + i, fmt::format("'{}' (point {}'s value)", values[i], p), f[1 + i]);
    const bool failed = !f.back().empty();
    for (size_t i = 1 + values.size(); i + 1 < f.size(); ++i) {
      if (f[i].empty()) continue;
      if (failed) throw damaged(i, "nothing (the row's error says the point failed)", f[i]);
      // Every metric is a number but a study's plan and bottleneck, which are text
      // (cli/headline_metrics.cc, kCellNames).
      const std::string_view name = columns[i];
      if (name.ends_with("/plan") || name.ends_with("/bottleneck")) continue;
      if (!finite_number(f[i])) throw damaged(i, "a number", f[i]);
    }
    if (io::csv_row(f) != line)
      throw UserError(fmt::format("{}: fields quoted as podsim never writes them (a damaged journal row: remove the row "
                                  "or the journal, or run without --resume)",
                                  where));
  }
}

// Appends rows to the journal, each flushed as it is written.
class Journal {
 public:
  Journal(const std::filesystem::path& path, const SweepTable& start) : path_(path) {
    io::write_atomically(path, [&](std::ostream& o) { write_sweep_table(start, o); });
    out_.open(path, std::ios::binary | std::ios::app);
    if (!out_) throw UserError(fmt::format("{}: cannot append", path.string()));
  }
  void append(const std::string& row) {
    out_ << row << '\n';
    out_.flush();
    if (!out_) throw UserError(fmt::format("{}: write failed", path_.string()));
  }
  void remove() {
    out_.close();
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }

 private:
  std::filesystem::path path_;
  std::ofstream out_;
};

}  // namespace

SweepSummary run_sweep(const SweepPlan& plan, const SweepOptions& o, std::ostream& table_out) {
  PODSIM_CHECK(o.threads >= 1, "sweep: no threads");
  PODSIM_CHECK(!o.resume || o.out, "sweep: --resume without an output file");
  const std::vector<std::string> fields = plan.fields();
  const std::vector<std::string> names = common_metric_names(plan);
  std::vector<std::string> columns{"point"};
  columns.insert(columns.end(), fields.begin(), fields.end());
  columns.insert(columns.end(), names.begin(), names.end());
  columns.push_back("error");

  SweepTable table{.header = {.kind = kSweepResults,
                              .podsim = std::string(io::podsim_version()),
                              .fingerprint = plan.fingerprint(),
                              .points = plan.points(),
                              .shard = o.shard,
                              .scenario = plan.scenario_name()},
                   .columns = io::csv_row(columns),
                   .rows = {}};
  SweepSummary summary{.points = o.shard.size(plan.points())};

  std::optional<Journal> journal;
  if (o.out) {
    const std::filesystem::path path = o.out->string() + ".journal";
    SweepTable start = table;
    start.header.kind = kSweepJournal;
    if (o.resume && std::filesystem::exists(path)) {
      SweepTable old = io::read_sweep_file(path, kSweepJournal);
      if (old.header.podsim != table.header.podsim)
        throw UserError(fmt::format("{}: written by {}, this is {}: a sweep is not resumed across versions (the "
                                    "model may differ); remove it, or run without --resume",
                                    path.string(), written_by(old.header), written_by(table.header)));
      if (old.header.fingerprint != table.header.fingerprint || old.header.points != plan.points() ||
          old.header.shard.index != o.shard.index || old.header.shard.count != o.shard.count ||
          old.columns != table.columns)
        throw UserError(
            fmt::format("{}: a journal of another sweep (fingerprint {}, shard {}; this sweep: {}, shard "
                        "{}): remove it, or run without --resume",
                        path.string(), old.header.fingerprint, to_string(old.header.shard), plan.fingerprint(),
                        to_string(o.shard)));
      check_resumed_rows(old, path, plan, columns);
      start.rows = std::move(old.rows);
      summary.resumed = start.rows.size();
    }
    try {
      journal.emplace(path, start);
    } catch (const UserError& e) {
      throw UserError(fmt::format("--out {}: cannot write there ({})", o.out->string(), e.what()));
    }
    table.rows = start.rows;
  }

  std::vector<size_t> todo;
  for (size_t p = 0; p < plan.points(); ++p)
    if (o.shard.contains(p) && !table.rows.contains(p)) todo.push_back(p);

  auto log = spdlog::get("scenario");
  std::mutex mu;  // guards table.rows, journal, done, error
  size_t done = 0;
  std::exception_ptr error;
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  const auto work = [&] {
    while (!stop) {
      const size_t k = next++;
      if (k >= todo.size()) return;
      const size_t p = todo[k];
      const auto t0 = std::chrono::steady_clock::now();
      std::vector<std::string> row{fmt::format("{}", p)};
      const std::vector<std::string> values = plan.values(p);
      row.insert(row.end(), values.begin(), values.end());
      std::string failure;
      try {
        const std::vector<Metric> metrics = headline_metrics(plan.point_file(p));
        PODSIM_CHECK(metrics.size() == names.size(), "sweep: a point's metrics differ from the header");
        for (const Metric& m : metrics) row.push_back(m.value);
      } catch (const UserError& e) {
        failure = one_line(e.what());
        row.resize(1 + values.size() + names.size());
      } catch (...) {
        std::lock_guard lock(mu);
        if (!error) error = std::current_exception();
        stop = true;
        return;
      }
      row.push_back(failure);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::lock_guard lock(mu);
      try {
        const std::string line = io::csv_row(row);
        if (journal) journal->append(line);
        table.rows.emplace(p, line);
      } catch (...) {
        if (!error) error = std::current_exception();
        stop = true;
        return;
      }
      ++done;
      if (o.progress) o.progress(done, todo.size());
      if (log && !failure.empty())
        log->warn("sweep point {}: {}", p, failure);
      else if (log)
        log->info("sweep point {} done in {:.2f} s ({} of {})", p, seconds, done, todo.size());
    }
  };
  const size_t n = std::min(o.threads, todo.size());
  if (n <= 1) {
    work();
  } else {
    std::vector<std::thread> pool;
    for (size_t i = 0; i < n; ++i) pool.emplace_back(work);
    for (std::thread& t : pool) t.join();
  }
  if (error) std::rethrow_exception(error);
  PODSIM_CHECK(table.rows.size() == summary.points, "sweep: rows missing after every point ran");

  // Resumed rows with an error count too, so the summary does not depend on interruption.
  summary.failed = 0;
  for (const auto& [p, line] : table.rows) summary.failed += !io::parse_csv_row(line)->back().empty();

  if (o.out) {
    io::write_atomically(*o.out, [&](std::ostream& out) { write_sweep_table(table, out); });
    journal->remove();
  } else {
    write_sweep_table(table, table_out);
  }
  return summary;
}

}  // namespace podsim::scenario
