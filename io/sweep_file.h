#pragma once
// The files of a sweep: results (`podsim sweep --out`, one per shard), journals (rows
// appended as points complete, for --resume) and merged results. All are CSV (written by
// io/csv_writer.h, read by engine/csv_reader.h) after one comment line that says which
// podsim wrote them (io/version.h), which sweep and which slice of it they hold:
//
//   # podsim sweep v1 podsim=0.1.0+g6ded8b4c1e2f fingerprint=3f0c9e2a11d4b7c8 points=12 shard=1/1 scenario=NAME
//   point,scheduler.policy,makespan_s,...,error
//   0,FIFO,86400,...,
//
// Wide (the default): one row per point. Long (`format=long` in the header line, before
// `scenario=`): one row per (point, system, job, metric), the rows of a point together
// and in the same order for every point. A journal says "sweep-journal" instead of
// "sweep", and its points are in completion order; results hold their shard's points in
// point order. A row's `error` is empty, or the one-line error that point ended with
// (its metrics are then empty).
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace podsim::io {

// Shard `index` of `count` (1-based, as Slurm array task ids): the points p with
// p mod count == index - 1. Round-robin rather than blocks, because neighbouring points
// (the last axis) often cost alike, so every shard gets a similar mix.
struct Shard {
  size_t index = 1;
  size_t count = 1;
  bool contains(size_t point) const { return point % count == index - 1; }
  // Points of a sweep of `points` in this shard.
  size_t size(size_t points) const { return points / count + (points % count >= index ? 1 : 0); }
};

// A sweep has at most 1e6 points (scenario/sweep_plan.h, kMaxSweepPoints), so more
// shards than that only make empty ones; a file claiming more points or shards is
// damaged (and a merge must not size anything by such a count).
inline constexpr size_t kMaxShards = 1000000;
inline constexpr size_t kMaxSweepFilePoints = 1000000;

// Parses "K/N" with 1 <= K <= N <= kMaxShards. Throws UserError naming `option`.
Shard parse_shard(std::string_view text, std::string_view option = "--shard");
std::string to_string(const Shard& s);

// Every sweep file (results, shards, merged tables, journals) begins with
// "# podsim KIND v1 " (format_header). The outputs' signatures (io/output_paths.h) name
// the kind, with the space after it: "# podsim sweep" alone is also the start of
// "# podsim sweep-journal", and `sweep --out X.journal` replaced the journal of the
// sweep writing X (and a journal path replaced a results file of that name).
inline constexpr std::string_view kSweepSignature = "# podsim sweep ";
inline constexpr std::string_view kSweepJournalSignature = "# podsim sweep-journal ";
inline constexpr std::string_view kSweepResults = "sweep";
inline constexpr std::string_view kSweepJournal = "sweep-journal";

struct SweepHeader {
  std::string_view kind = kSweepResults;
  // The podsim that computed the rows (io/version.h); empty in files of podsims that did
  // not record it. Rows of two versions are never joined: the model may have changed.
  std::string podsim;
  std::string fingerprint;
  size_t points = 0;
  Shard shard;
  std::string scenario;  // the scenario's name, for people; not compared
  bool long_format = false;
};

std::string format_header(const SweepHeader& h);
// Who wrote a file, for messages: "podsim 0.1.0+g6ded8b4c1e2f", or "a podsim that did not
// record its version".
std::string written_by(const SweepHeader& h);
// Nullopt unless `line` is a header of `kind`.
std::optional<SweepHeader> parse_header(std::string_view line, std::string_view kind);

using CsvFields = std::vector<std::string>;

struct SweepTable {
  SweepHeader header;
  CsvFields columns;
  std::map<size_t, std::vector<CsvFields>> rows;  // point -> its rows (one when wide)
  std::map<size_t, size_t> lines;                 // point -> the line its first row starts on (1-based)
};

// Reads a file of `kind`. Each row must have as many fields as the columns and a point
// index that is in the header's shard; a point's rows are together and not seen again.
// Every point has `rows_per_point` rows (wide: 1; long: as many as the first point when
// not given). A journal's last point cut short (a write interrupted: its last row
// without a line break, or fewer rows) is dropped; in results it is an error. Throws
// UserError "PATH[:LINE]: what is wrong".
SweepTable read_sweep_file(const std::filesystem::path& path, std::string_view kind,
                           std::optional<size_t> rows_per_point = std::nullopt);

// The columns after the swept fields in the long format.
inline const std::vector<std::string> kLongColumns = {"system", "job", "metric", "value", "unit", "text", "error"};

// Whether `text` is a finite number whole, as podsim writes one (io/csv_writer.h
// csv_number: decimal, no hex, no blanks, no trailing bytes).
bool is_finite_number(std::string_view text);

// Throws UserError "PATH:LINE: column 'X': ..." for a numeric metric's cell that is not
// empty and not a finite number whole: "nan", "inf", "1e999", "0x10", "1" followed by a
// NUL or a control byte. podsim never writes one, so such a row was damaged, and copying
// it would put it in the merged results. Numeric metrics are those with a unit
// (sim/headline_metrics.h): in the wide format known by their column's name, in the long
// format by the row's `unit` (whose `text` must then be empty). The swept fields'
// columns, text metrics and errors hold any text.
void check_metric_cells(const SweepTable& t, const std::filesystem::path& path);

// The rows of one point as CSV text, each ending with a line break.
std::string format_rows(const std::vector<CsvFields>& rows);
// Header, columns, rows in point order.
void write_sweep_table(const SweepTable& t, std::ostream& out);

}  // namespace podsim::io
