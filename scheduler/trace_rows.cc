#include "scheduler/trace_rows.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <optional>
#include <tuple>

#include "engine/check.h"
#include "engine/error.h"
#include "engine/printable.h"

namespace podsim::scheduler {

bool missing_cell(const std::string& s) {
  return s.empty() || s == "NaN" || s == "nan" || s == "NaT" || s == "None" || s == "null" || s == "NULL" ||
         s == "Unknown";
}

void refuse_other_format(std::istream& in, const std::string& path, std::string_view expected) {
  struct Kind {
    std::string_view magic, what, way_out;
  };
  // Magic numbers: RFC 1952 (gzip), PKWARE APPNOTE 4.3.7 (zip; xlsx is one), the xz,
  // bzip2, zstd (RFC 8878) and Parquet file formats, and OLE2 (xls).
  static constexpr Kind kKinds[] = {
      {"\x1f\x8b", "gzip-compressed data", "decompress it first: gunzip"},
      {"PK\x03\x04", "a zip archive or Excel .xlsx workbook", "extract the table from it first, as CSV"},
      {"\xfd" "7zX", "xz-compressed data", "decompress it first: unxz"},
      {"BZh", "bzip2-compressed data", "decompress it first: bunzip2"},
      {"\x28\xb5\x2f\xfd", "zstd-compressed data", "decompress it first: unzstd"},
      {"PAR1", "a Parquet file", "write it out as CSV first"},
      {"\xd0\xcf\x11\xe0", "an OLE2 file, as an Excel .xls workbook is", "save it as CSV first"},
      {"[", "JSON, starting with '['", "convert it to a CSV table first"},
      {"{", "JSON, starting with '{'", "convert it to a CSV table first"},
  };
  std::streambuf& buf = *in.rdbuf();
  constexpr int kEof = std::char_traits<char>::eof();
  char bytes[4];
  size_t n = 0;
  while (n < sizeof bytes && buf.sgetc() != kEof) bytes[n++] = static_cast<char>(buf.sbumpc());
  const std::string_view head(bytes, n);
  for (size_t k = n; k > 0; --k)
    PODSIM_CHECK(buf.sputbackc(bytes[k - 1]) != kEof, "refuse_other_format: cannot put back the first bytes");
  for (const Kind& k : kKinds)
    if (head.starts_with(k.magic))
      throw UserError(fmt::format("{}:1: {} (expected {}; {})", path, k.what, expected, k.way_out));
}

std::ifstream open_trace_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw UserError(fmt::format("{}: is a directory (expected a CSV trace file)", path));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(fmt::format("{}: cannot open trace file ({})", path, std::strerror(errno)));
  return in;
}

std::optional<CsvRecord> next_trace_row(CsvReader& csv) {
  std::optional<CsvRecord> r = csv.next();
  if (!r) return r;
  if (r->open_quote)
    throw UserError(fmt::format("{}:{}: a quoted field is not closed (expected '\"' before the end of the file)",
                                csv.path(), r->line));
  for (std::string& cell : r->fields) {
    while (!cell.empty() && cell.back() == ' ') cell.pop_back();
    size_t b = 0;
    while (b < cell.size() && cell[b] == ' ') ++b;
    cell.erase(0, b);
  }
  return r;
}

std::optional<CsvRecord> next_header_row(CsvReader& csv) {
  std::optional<CsvRecord> r = next_trace_row(csv);
  while (r && r->fields.empty()) r = next_trace_row(csv);
  // A header of one cell that holds another separator is a file of another dialect: a
  // spreadsheet's tab-separated export, sacct --parsable2's '|', a European Excel's ';'.
  // Read as CSV, every row is one cell and the error was "missing column 'job_id'
  // (...; header: job_id?submit?...)".
  // (Text only: a binary file's first "line" may hold a tab among control bytes.)
  const auto text = [](const std::string& cell) {
    return std::all_of(cell.begin(), cell.end(), [](char c) { return c == '\t' || static_cast<unsigned char>(c) >= 0x20; });
  };
  if (r && r->fields.size() == 1 && text(r->fields.front())) {
    const std::string& cell = r->fields.front();
    for (const auto& [c, name] : {std::pair{'\t', "tab"}, {'|', "'|'"}, {';', "';'"}})
      if (cell.find(c) != std::string::npos)
        throw UserError(fmt::format("{}:{}: {}-separated; expected comma-separated CSV (the header row has no comma: "
                                    "'{}')",
                                    csv.path(), r->line, name, printable(cell)));
  }
  return r;
}

std::optional<size_t> find_column(const std::vector<std::string>& header, const std::string& name,
                                  const std::string& where) {
  const auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) return std::nullopt;
  const size_t first = static_cast<size_t>(it - header.begin());
  const auto again = std::find(it + 1, header.end(), name);
  if (again != header.end())
    throw UserError(fmt::format("{}: column '{}' is named twice in the header (columns {} and {}; expected each name "
                                "once)",
                                where, printable(name), first + 1, again - header.begin() + 1));
  return first;
}

namespace {

// `s` lowercased, without the separators names are spelled with ("Submit Time",
// "submit-time", "SubmitTime" all read "submittime").
std::string folded(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != '_' && c != '-' && c != '.' && c != ' ')
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

// Levenshtein distance of a and b (one row of the table at a time).
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The header's column most like `name`: equal once folded, else within two edits of a
// folded name of 6 to 64 letters (the first of the fewest edits). Nullopt if none.
std::optional<size_t> likely_column(const std::vector<std::string>& header, const std::string& name) {
  const std::string want = folded(name);
  if (want.empty()) return std::nullopt;
  std::optional<size_t> near;
  size_t best = 3;
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string have = folded(header[i]);
    if (have == want) return i;
    // Lengths 3 apart are 3 edits apart: most names are not compared letter by letter.
    if (want.size() >= 6 && want.size() <= 64 && have.size() + 2 >= want.size() && have.size() <= want.size() + 2) {
      const size_t d = edit_distance(have, want);
      if (d < best) best = d, near = i;
    }
  }
  return near;
}

}  // namespace

std::string missing_column_message(const std::string& where, const std::string& name, const std::string& why,
                                   const std::vector<std::string>& header) {
  std::string text;
  size_t shown = 0;
  for (; shown < header.size(); ++shown) {
    const std::string cell = printable(header[shown]);
    if (shown > 0 && text.size() + 1 + cell.size() > kMaxHeaderText) break;
    text += (shown > 0 ? "," : "") + cell;
  }
  if (shown < header.size()) text += fmt::format(",... ({} columns)", header.size());
  std::string hint;
  if (const std::optional<size_t> c = likely_column(header, name))
    hint = fmt::format("; the header has '{}', column {}", printable(header[*c]), *c + 1);
  return fmt::format("{}: missing column '{}' ({}{}; header: {})", where, printable(name), why, hint, text);
}

void check_row_width(const CsvRecord& row, size_t header_size, const std::string& path) {
  // Empty cells past the header's (a trailing comma on every row, as some exports
  // write) shift nothing: the row's cells are where the header says.
  const auto blank = [](const std::string& cell) { return cell.find_first_not_of(" \t") == std::string::npos; };
  if (row.fields.size() > header_size &&
      !std::all_of(row.fields.begin() + static_cast<std::ptrdiff_t>(header_size), row.fields.end(), blank))
    throw UserError(fmt::format("{}:{}: {} columns, expected {} as in the header (a comma inside a cell must be "
                                "quoted: \"1,000\")",
                                path, row.line, row.fields.size(), header_size));
}

std::string job_name(const std::string& id_cell, size_t line) {
  return id_cell.empty() ? fmt::format("line{}", line) : id_cell;
}

void check_unique_ids(const std::vector<TraceJob>& jobs, const std::string& column, const std::string& path) {
  std::vector<uint32_t> by_id(jobs.size());
  for (uint32_t k = 0; k < by_id.size(); ++k) by_id[k] = k;
  const auto line_of = [&](uint32_t k) { return jobs[k].line; };
  std::sort(by_id.begin(), by_id.end(), [&](uint32_t a, uint32_t b) {
    return std::tie(jobs[a].id, jobs[a].line) < std::tie(jobs[b].id, jobs[b].line);
  });
  // Of every id used twice, its second use; the earliest of those is what a reader going
  // down the file meets first.
  std::optional<std::pair<uint32_t, uint32_t>> first_repeat;  // (first use, repeat)
  for (size_t k = 1; k < by_id.size(); ++k) {
    const uint32_t prev = by_id[k - 1], cur = by_id[k];
    if (jobs[prev].id != jobs[cur].id || (k >= 2 && jobs[by_id[k - 2]].id == jobs[cur].id)) continue;
    if (!first_repeat || line_of(cur) < line_of(first_repeat->second)) first_repeat = {{prev, cur}};
  }
  if (!first_repeat) return;
  const auto [first, repeat] = *first_repeat;
  // A trace holding both a blank id and the id "line<N>" of that blank's line.
  const bool named_by_line = jobs[repeat].id == job_name("", line_of(first)) || jobs[repeat].id == job_name("", line_of(repeat));
  throw UserError(fmt::format("{}:{}: column '{}': job id '{}' is already used on line {} (expected unique ids{})", path,
                              line_of(repeat), column, printable(jobs[repeat].id), line_of(first),
                              named_by_line ? "; a row with a blank id is named line<N> by its line" : ""));
}

void order_trace(Trace& trace, EarliestJobs&& kept, bool absolute, const std::string& submit_column,
                 const std::string& path) {
  // A header and nothing else is a file cut short or the wrong file, not a trace of no
  // jobs: the run would report zeros for it. (Rows that were all skipped are counted in
  // the run's summary instead.)
  if (kept.offered() == 0 && trace.skipped == 0)
    throw UserError(fmt::format("{}: no rows after the header (expected at least one job row)", path));
  // The latest submission is the row furthest from the first (x - first is monotone in
  // x, rounding included): the trace is refused iff it is, and at its line.
  const double first_submit = absolute && kept.offered() > 0 ? kept.first_submit() : 0;
  if (absolute && kept.offered() > 0 && kept.latest_submit() - first_submit > kMaxTraceSeconds)
    throw UserError(fmt::format("{}:{}: column '{}': {} s after the trace's first submission "
                                "(expected at most 1e9 s)",
                                path, kept.latest_line(), submit_column, kept.latest_submit() - first_submit));
  trace.jobs = std::move(kept).take_in_order();
  if (absolute)
    for (TraceJob& j : trace.jobs) j.submit_s -= first_submit;
}

}  // namespace podsim::scheduler
