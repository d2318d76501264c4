#include "io/sweep_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "engine/csv_reader.h"
#include "engine/error.h"
#include "engine/printable.h"
#include "io/csv_writer.h"
#include "io/input_file.h"
#include "sim/headline_metrics.h"

namespace podsim::io {
namespace {

constexpr std::string_view kMagic = "# podsim ";
constexpr std::string_view kVersion = "v1";

std::optional<size_t> parse_size(std::string_view s) {
  size_t v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// "key=" prefix of the next space-separated token; advances `rest` past it.
std::optional<std::string_view> take(std::string_view& rest, std::string_view key) {
  if (!rest.starts_with(key) || rest.size() <= key.size() || rest[key.size()] != '=') return std::nullopt;
  rest.remove_prefix(key.size() + 1);
  const size_t space = rest.find(' ');
  const std::string_view value = rest.substr(0, space);
  rest.remove_prefix(space == std::string_view::npos ? rest.size() : space + 1);
  return value;
}

}  // namespace

std::string format_header(const SweepHeader& h) {
  const std::string podsim = h.podsim.empty() ? "" : fmt::format("podsim={} ", h.podsim);
  // The header is one line: a line break in the scenario's name would make the rest of
  // the name the column line, and the file unreadable to merge and --resume.
  std::string scenario = h.scenario;
  for (char& c : scenario)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return fmt::format("{}{} {} {}fingerprint={} points={} shard={} {}scenario={}", kMagic, h.kind, kVersion, podsim,
                     h.fingerprint, h.points, to_string(h.shard), h.long_format ? "format=long " : "", scenario);
}

std::string written_by(const SweepHeader& h) {
  return h.podsim.empty() ? "a podsim that did not record its version" : fmt::format("podsim {}", h.podsim);
}

std::optional<SweepHeader> parse_header(std::string_view line, std::string_view kind) {
  const std::string lead = fmt::format("{}{} {} ", kMagic, kind, kVersion);
  if (!line.starts_with(lead)) return std::nullopt;
  std::string_view rest = line.substr(lead.size());
  SweepHeader h{.kind = kind};
  if (const auto podsim = take(rest, "podsim")) h.podsim = std::string(*podsim);
  const auto fingerprint = take(rest, "fingerprint");
  const auto points = take(rest, "points");
  const auto shard = take(rest, "shard");
  if (const auto format = take(rest, "format")) {
    if (*format != "long") return std::nullopt;
    h.long_format = true;
  }
  if (!fingerprint || !points || !shard || !rest.starts_with("scenario=")) return std::nullopt;
  h.fingerprint = std::string(*fingerprint);
  const auto n = parse_size(*points);
  if (!n || *n > kMaxSweepFilePoints) return std::nullopt;
  h.points = *n;
  try {
    h.shard = parse_shard(*shard);
  } catch (const UserError&) {
    return std::nullopt;
  }
  h.scenario = std::string(rest.substr(std::string_view("scenario=").size()));
  return h;
}

SweepTable read_sweep_file(const std::filesystem::path& path, std::string_view kind,
                           std::optional<size_t> rows_per_point) {
  // No FIFO, device or endless file; at most 1 GiB; a missing file or a directory said
  // so, with the reason (an ifstream opens a directory, which then read as an empty file).
  std::istringstream in(read_input_file(path, fmt::format("{} file", kind)));
  std::string first;
  std::getline(in, first);
  SweepTable t;
  const auto header = parse_header(first, kind);
  if (!header)
    throw UserError(fmt::format("{}:1: not a podsim {} file (expected a first line '{}{} {} fingerprint=...')",
                                path.string(), kind, kMagic, kind, kVersion));
  t.header = *header;
  const bool journal = kind == kSweepJournal;
  CsvReader csv(in, path.string(), 2);
  const std::optional<CsvRecord> columns = csv.next();
  if (!columns || !columns->complete || columns->fields.empty() || columns->fields.front() != "point")
    throw UserError(fmt::format("{}:2: expected the column line 'point,...'", path.string()));
  t.columns = columns->fields;
  const size_t width = t.columns.size();
  if (!t.header.long_format) rows_per_point = 1;

  std::optional<size_t> last;  // the point of the previous row
  bool cut = false;            // the journal's last row was cut short
  while (std::optional<CsvRecord> r = csv.next()) {
    const std::string where = fmt::format("{}:{}", path.string(), r->line);
    if (!r->complete) {
      if (journal) {  // A journal's unfinished last row: its point runs again.
        cut = true;
        break;
      }
      throw UserError(fmt::format("{}: truncated (the last row has no line break)", where));
    }
    if (r->fields.size() != width)
      throw UserError(fmt::format("{}: malformed row ({} fields, expected {} as in the column line)", where,
                                  r->fields.size(), width));
    const auto point = parse_size(r->fields.front());
    if (!point || *point >= t.header.points || !t.header.shard.contains(*point))
      throw UserError(fmt::format("{}: point '{}' is not a point of shard {} of {} points", where, r->fields.front(),
                                  to_string(t.header.shard), t.header.points));
    if (*point != last) {
      if (t.rows.contains(*point)) throw UserError(fmt::format("{}: point {} appears twice", where, *point));
      if (last && !rows_per_point) rows_per_point = t.rows[*last].size();
      if (last && t.rows[*last].size() != *rows_per_point)
        throw UserError(fmt::format("{}: point {} has {} rows, expected {} (one per metric)", path.string(), *last,
                                    t.rows[*last].size(), *rows_per_point));
      t.lines[*point] = r->line;
      last = point;
    } else if (rows_per_point && t.rows[*point].size() >= *rows_per_point) {
      // A point's rows are consecutive: one more than it has is a repeated row (said
      // once at the next point, with no line, before).
      throw UserError(fmt::format("{}: point {} again (its {} began on line {}; expected {} per point)", where, *point,
                                  *rows_per_point == 1 ? "row" : "rows", t.lines[*point],
                                  *rows_per_point == 1 ? "one row" : fmt::format("{} rows, one per metric,", *rows_per_point)));
    }
    t.rows[*point].push_back(std::move(r->fields));
  }
  if (last && rows_per_point && t.rows[*last].size() != *rows_per_point) {
    if (!journal || t.rows[*last].size() > *rows_per_point)
      throw UserError(fmt::format("{}: point {} has {} rows, expected {} (one per metric)", path.string(), *last,
                                  t.rows[*last].size(), *rows_per_point));
    cut = true;
  }
  if (cut && last && (!rows_per_point || t.rows[*last].size() != *rows_per_point)) {
    t.rows.erase(*last);
    t.lines.erase(*last);
  }
  return t;
}

bool is_finite_number(std::string_view text) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size() && std::isfinite(v);
}

void check_metric_cells(const SweepTable& t, const std::filesystem::path& path) {
  const auto refuse = [&](size_t point, size_t k, size_t c, std::string_view expected) {
    const auto line = t.lines.find(point);
    throw UserError(fmt::format("{}:{}: column '{}': expected {}, got '{}' (a damaged row: podsim writes a numeric "
                                "metric as a finite decimal number or nothing)",
                                path.string(), line == t.lines.end() ? 0 : line->second + k, t.columns[c], expected,
                                printable(t.rows.at(point)[k][c])));
  };
  const size_t width = t.columns.size();
  if (t.header.long_format) {
    // ..., system, job, metric, value, unit, text, error
    if (width < kLongColumns.size() + 1 ||
        !std::equal(kLongColumns.begin(), kLongColumns.end(), t.columns.end() - long(kLongColumns.size())))
      return;  // not podsim's long layout: nothing known to check
    const size_t value = width - 4, unit = width - 3, text = width - 2;
    for (const auto& [point, rows] : t.rows)
      for (size_t k = 0; k < rows.size(); ++k) {
        if (rows[k][unit].empty()) {
          if (!rows[k][value].empty()) refuse(point, k, value, "nothing (a text metric: its unit is empty)");
          continue;
        }
        if (!rows[k][value].empty() && !is_finite_number(rows[k][value])) refuse(point, k, value, "a finite number");
        if (!rows[k][text].empty()) refuse(point, k, text, "nothing (a numeric metric)");
      }
    return;
  }
  // Wide: a column is a numeric metric if its name is one (a cluster run's), or ends in
  // "/NAME" of one (a comparison's SYSTEM/JOB/NAME). Swept fields' paths have no '/'.
  std::vector<size_t> numeric;
  for (size_t c = 1; c + 1 < width; ++c) {
    const std::string& name = t.columns[c];
    const size_t slash = name.rfind('/');
    const std::string last = slash == std::string::npos ? name : name.substr(slash + 1);
    const auto with_unit = [&](const std::vector<sim::Metric>& ms) {
      return std::any_of(ms.begin(), ms.end(), [&](const sim::Metric& m) { return m.name == last && !m.unit.empty(); });
    };
    if (slash == std::string::npos ? with_unit(sim::cluster_metric_names())
                                   : with_unit(sim::cell_metric_names("", "", false)) ||
                                         with_unit(sim::cell_metric_names("", "", true)))
      numeric.push_back(c);
  }
  for (const auto& [point, rows] : t.rows)
    for (size_t k = 0; k < rows.size(); ++k)
      for (const size_t c : numeric)
        if (!rows[k][c].empty() && !is_finite_number(rows[k][c])) refuse(point, k, c, "a finite number");
}

std::string format_rows(const std::vector<CsvFields>& rows) {
  std::string out;
  for (const CsvFields& r : rows) out += csv_record(r) + '\n';
  return out;
}

void write_sweep_table(const SweepTable& t, std::ostream& out) {
  out << format_header(t.header) << '\n' << csv_record(t.columns) << '\n';
  for (const auto& [point, rows] : t.rows) out << format_rows(rows);
}

Shard parse_shard(std::string_view text, std::string_view option) {
  const auto bad = [&] {
    return UserError(fmt::format("{} {}: expected K/N with 1 <= K <= N <= {} (e.g. 2/8)", option, text, kMaxShards));
  };
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) throw bad();
  Shard s;
  const std::string_view k = text.substr(0, slash), n = text.substr(slash + 1);
  const auto rk = std::from_chars(k.data(), k.data() + k.size(), s.index);
  const auto rn = std::from_chars(n.data(), n.data() + n.size(), s.count);
  if (k.empty() || n.empty() || rk.ec != std::errc() || rk.ptr != k.data() + k.size() || rn.ec != std::errc() ||
      rn.ptr != n.data() + n.size() || s.index < 1 || s.index > s.count || s.count > kMaxShards)
    throw bad();
  return s;
}

std::string to_string(const Shard& s) { return fmt::format("{}/{}", s.index, s.count); }

}  // namespace podsim::io
