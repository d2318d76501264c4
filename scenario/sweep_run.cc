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
#include "engine/printable.h"
#include "io/atomic_file.h"
#include "io/csv_writer.h"
#include "io/sweep_file.h"
#include "io/version.h"
#include "scenario/run_metrics.h"
#include "scenario/sweep_memory.h"
#include "sim/memory_limit.h"

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

// The metrics (without values) every point shares. A point whose overrides already fail
// here is skipped (its row will carry the error); the sweep must not change the names
// (the systems' or jobs' names), since the header is written before any point runs.
//
// Checked on point 0 and the points one axis away from it, not on every point: a
// million-point sweep parsed its scenario a million times here (24 s for one shard of
// smoke.textproto, longer for a larger scenario) before running anything. That is
// enough because each name depends on one field (a job's or system's name, whether a
// job's model is a DiT), every point applies the same field paths, and each field is
// swept by one axis: a name that changes anywhere changes one axis away from point 0.
// If all of these fail, the sweep is refused with the first one's error (a failure here
// comes from the scenario's shape, which every point shares, not from a value).
std::vector<Metric> common_metric_names(const SweepPlan& plan) {
  std::optional<std::vector<Metric>> names;
  std::optional<UserError> first_error;
  size_t first = 0;
  for (const size_t p : plan.one_axis_points()) {
    std::vector<Metric> here;
    try {
      here = headline_metric_names(plan.point_file(p));
    } catch (const UserError& e) {
      if (!first_error) first_error = e;
      continue;
    }
    const auto same = [](const std::vector<Metric>& a, const std::vector<Metric>& b) {
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i)
        if (!a[i].same_kind(b[i])) return false;
      return true;
    };
    if (!names) {
      names = std::move(here);
      first = p;
    } else if (!same(here, *names)) {
      throw UserError(
          fmt::format("sweep of {}: point {} has other result columns than point {} (a sweep may not "
                      "change the names or number of systems and jobs)",
                      plan.scenario_name(), p, first));
    }
  }
  if (!names) throw *first_error;
  return *names;
}

// The shape of a sweep's files: its columns and how a point's values, metrics and error
// become rows.
class Layout {
 public:
  Layout(const SweepPlan& plan, std::vector<Metric> names, bool long_format)
      : names_(std::move(names)), long_(long_format) {
    columns_ = {"point"};
    std::vector<std::string> reserved = io::kLongColumns;
    reserved.push_back("point");
    const std::vector<std::string> fields = long_ ? plan.labels(reserved) : plan.fields();
    params_ = fields.size();
    columns_.insert(columns_.end(), fields.begin(), fields.end());
    if (long_) {
      columns_.insert(columns_.end(), io::kLongColumns.begin(), io::kLongColumns.end());
    } else {
      for (const Metric& m : names_) columns_.push_back(m.column());
      columns_.push_back("error");
    }
  }

  const std::vector<std::string>& columns() const { return columns_; }
  size_t rows_per_point() const { return long_ ? names_.size() : 1; }

  // `metrics` empty when the point failed (`error` then says why).
  std::vector<io::CsvFields> rows(size_t p, const std::vector<std::string>& values, const std::vector<Metric>& metrics,
                                  const std::string& error) const {
    PODSIM_CHECK(metrics.empty() || metrics.size() == names_.size(), "sweep: a point's metrics differ from the header");
    std::vector<std::string> lead{fmt::format("{}", p)};
    lead.insert(lead.end(), values.begin(), values.end());
    const auto cell = [&](size_t i) {
      if (metrics.empty()) return std::string();
      const Metric& m = metrics[i];
      return m.number ? io::csv_number(*m.number, fmt::format("metric '{}'", m.column())) : m.text;
    };
    std::vector<io::CsvFields> out;
    if (!long_) {
      out.push_back(lead);
      for (size_t i = 0; i < names_.size(); ++i) out.back().push_back(cell(i));
      out.back().push_back(error);
      return out;
    }
    for (size_t i = 0; i < names_.size(); ++i) {
      const Metric& m = names_[i];
      io::CsvFields row = lead;
      const bool text = m.unit.empty();
      row.insert(row.end(), {m.system, m.job, m.name, text ? "" : cell(i), m.unit, text ? cell(i) : "", error});
      out.push_back(std::move(row));
    }
    return out;
  }

  // A resumed point's rows must be ones this sweep could have written: its point's values
  // in the parameter columns, the metric names in order, a number (or nothing) for each
  // numeric metric, no metric beside an error. Anything else is a damaged journal (a disk
  // or an editor changed it); it is refused rather than copied into the results.
  void check(size_t p, const std::vector<io::CsvFields>& got, const std::vector<std::string>& values,
             const std::string& where) const {
    const auto damaged = [&](size_t col, const std::string& expected, const std::string& value) {
      return UserError(fmt::format("{}: column '{}': expected {}, got '{}' (a damaged journal row: remove the row or "
                                   "the journal, or run without --resume)",
                                   where, columns_[col], expected, printable(value)));
    };
    const std::string& error = got.front().back();
    for (const io::CsvFields& f : got) {
      for (size_t i = 0; i < values.size(); ++i)
        if (f[1 + i] != values[i]) throw damaged(1 + i, fmt::format("'{}' (point {}'s value)", values[i], p), f[1 + i]);
      if (f.back() != error) throw damaged(f.size() - 1, fmt::format("'{}' (the point's first row)", error), f.back());
    }
    const bool failed = !error.empty();
    const auto value = [&](size_t col, const std::string& v, const Metric& m) {
      if (v.empty()) return;
      if (failed) throw damaged(col, "nothing (the row's error says the point failed)", v);
      if (!m.unit.empty() && !io::is_finite_number(v)) throw damaged(col, "a number", v);
    };
    if (!long_) {
      for (size_t i = 0; i < names_.size(); ++i) value(1 + params_ + i, got.front()[1 + params_ + i], names_[i]);
      return;
    }
    for (size_t i = 0; i < names_.size(); ++i) {
      const io::CsvFields& f = got[i];
      const Metric& m = names_[i];
      const size_t at = 1 + params_;  // system
      const std::string expected[] = {m.system, m.job, m.name};
      for (size_t k = 0; k < 3; ++k)
        if (f[at + k] != expected[k]) throw damaged(at + k, fmt::format("'{}'", expected[k]), f[at + k]);
      if (f[at + 4] != m.unit) throw damaged(at + 4, fmt::format("'{}'", m.unit), f[at + 4]);
      const bool text = m.unit.empty();
      value(at + 3, f[at + 3], m);
      if (text && !f[at + 3].empty()) throw damaged(at + 3, "nothing (a text metric)", f[at + 3]);
      if (!text && !f[at + 5].empty()) throw damaged(at + 5, "nothing (a numeric metric)", f[at + 5]);
      if (failed && !f[at + 5].empty()) throw damaged(at + 5, "nothing (the row's error says the point failed)", f[at + 5]);
    }
  }

 private:
  std::vector<Metric> names_;
  bool long_;
  size_t params_ = 0;
  std::vector<std::string> columns_;
};

// Appends rows to the journal, each flushed as it is written.
class Journal {
 public:
  Journal(const std::filesystem::path& path, const SweepTable& start) : path_(path) {
    io::write_atomically(path, [&](std::ostream& o) { write_sweep_table(start, o); });
    out_.open(path, std::ios::binary | std::ios::app);
    if (!out_) throw UserError(fmt::format("{}: cannot append", path.string()));
  }
  // `rows`: CSV text ending with a line break.
  void append(const std::string& rows) {
    out_ << rows;
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
  const Layout layout(plan, common_metric_names(plan), o.long_format);

  SweepTable table{.header = {.kind = kSweepResults,
                              .podsim = std::string(io::podsim_version()),
                              .fingerprint = plan.fingerprint(),
                              .points = plan.points(),
                              .shard = o.shard,
                              .scenario = plan.scenario_name(),
                              .long_format = o.long_format},
                   .columns = layout.columns(),
                   .rows = {},
                   .lines = {}};
  SweepSummary summary{.points = o.shard.size(plan.points())};

  std::optional<Journal> journal;
  if (o.out) {
    const std::filesystem::path path = o.out->string() + ".journal";
    SweepTable start = table;
    start.header.kind = kSweepJournal;
    std::error_code ec;  // a name one past what the file system takes throws without it
    if (o.resume && std::filesystem::exists(path, ec)) {
      SweepTable old = io::read_sweep_file(path, kSweepJournal, layout.rows_per_point());
      if (old.header.podsim != table.header.podsim)
        throw UserError(fmt::format("{}: written by {}, this is {}: a sweep is not resumed across versions (the "
                                    "model may differ); remove it, or run without --resume",
                                    path.string(), written_by(old.header), written_by(table.header)));
      if (old.header.fingerprint != table.header.fingerprint || old.header.points != plan.points() ||
          old.header.shard.index != o.shard.index || old.header.shard.count != o.shard.count ||
          old.header.long_format != o.long_format || old.columns != table.columns)
        throw UserError(
            fmt::format("{}: a journal of another sweep (fingerprint {}, shard {}{}; this sweep: {}, shard "
                        "{}{}): remove it, or run without --resume",
                        path.string(), old.header.fingerprint, to_string(old.header.shard),
                        old.header.long_format ? ", long format" : "", plan.fingerprint(), to_string(o.shard),
                        o.long_format ? ", long format" : ""));
      for (const auto& [p, rows] : old.rows)
        layout.check(p, rows, plan.values(p), fmt::format("{}:{}", path.string(), old.lines.at(p)));
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
  const auto fail = [&](std::exception_ptr e) {
    std::lock_guard lock(mu);
    if (!error) error = e;
    stop = true;
  };
  // Points started at once must fit in memory together, not each alone.
  MemoryGate gate;
  const std::optional<double> available = sim::available_memory_bytes();
  const std::string available_source = sim::available_memory_source();
  std::atomic<bool> told_of_memory{false};
  const auto work = [&] {
    while (!stop) {
      const size_t k = next++;
      if (k >= todo.size()) return;
      const size_t p = todo[k];
      std::optional<ScenarioFile> file;
      PointMemory need{.bytes = 0, .limit = std::nullopt};
      std::string failure;
      std::exception_ptr internal;
      try {
        file = plan.point_file(p);
        need = point_memory(*file, available);
      } catch (const UserError& e) {
        if (!file) failure = one_line(e.what());  // else the run says it, as a run would
      } catch (...) {
        internal = std::current_exception();
      }
      const MemoryGate::Pass pass = gate.enter(k, need);  // every ticket, in order
      if (internal) return fail(internal);
      if (const auto& w = pass.waited(); w && log && !told_of_memory.exchange(true))
        log->warn("sweep point {} waits to start: estimated to hold ~{}, beside the {} point{} running (~{}) more "
                  "than {}; points run fewer at once than --threads {} while memory is short",
                  p, sim::format_bytes(need.bytes), w->running, w->running == 1 ? "" : "s",
                  sim::format_bytes(w->running_bytes),
                  need.limit_is_set ? fmt::format("the limit of {} (--max-memory-gib, limits.max_memory_gib)",
                                                  sim::format_bytes(*need.limit))
                                    : fmt::format("the {} this machine had available when the sweep began ({})",
                                                  sim::format_bytes(*need.limit), available_source),
                  o.threads);
      const auto t0 = std::chrono::steady_clock::now();
      std::vector<Metric> metrics;
      std::vector<io::CsvFields> rows;
      try {
        try {
          if (file) metrics = headline_metrics(*file);
        } catch (const UserError& e) {
          failure = one_line(e.what());
        }
        rows = layout.rows(p, plan.values(p), metrics, failure);
      } catch (...) {
        return fail(std::current_exception());
      }
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::lock_guard lock(mu);
      try {
        if (journal) journal->append(io::format_rows(rows));
        table.rows.emplace(p, std::move(rows));
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
  summary.most_at_once = gate.most_running();

  // Resumed rows with an error count too, so the summary does not depend on interruption.
  summary.failed = 0;
  for (const auto& [p, rows] : table.rows) summary.failed += !rows.front().back().empty();

  if (o.out) {
    io::write_atomically(*o.out, [&](std::ostream& out) { write_sweep_table(table, out); });
    journal->remove();
  } else {
    write_sweep_table(table, table_out);
  }
  return summary;
}

}  // namespace podsim::scenario
