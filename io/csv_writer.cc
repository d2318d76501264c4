#include "io/csv_writer.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <utility>

#include "engine/check.h"

namespace podsim::io {

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string csv_record(const std::vector<std::string>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += ',';
    line += csv_field(fields[i]);
  }
  // A record of one empty field would read back as a blank line (no fields).
  if (fields.size() == 1 && fields[0].empty()) line = "\"\"";
  return line;
}

std::string csv_number(double v, std::string_view quantity) {
  if (!std::isfinite(v))
    throw InternalError(fmt::format("{} is {}: podsim never writes a non-finite number", quantity, v));
  if (v == 0) return "0";  // not "-0"
  // Plain decimals (no exponent) for the magnitudes results have, as JavaScript prints
  // numbers, so a column never mixes 1e+06 with 1250000; the exponent only outside.
  const double a = std::abs(v);
  const bool plain = a >= 1e-6 && a < 1e21;
  std::array<char, 64> buf;
  const auto [end, ec] = plain ? std::to_chars(buf.data(), buf.data() + buf.size(), v, std::chars_format::fixed)
                               : std::to_chars(buf.data(), buf.data() + buf.size(), v);
  PODSIM_CHECK(ec == std::errc(), "to_chars of a double needs at most 64 characters");
  return std::string(buf.data(), end);
}

CsvWriter::CsvWriter(std::ostream& out, std::vector<std::string> columns) : out_(out), columns_(std::move(columns)) {
  PODSIM_CHECK(!columns_.empty(), "a CSV file without columns");
  out_ << csv_record(columns_) << '\n';
}

const std::string& CsvWriter::column() const {
  PODSIM_CHECK(row_.size() < columns_.size(), "a CSV record with more fields than columns");
  return columns_[row_.size()];
}

CsvWriter& CsvWriter::raw(std::string s) {
  column();
  row_.push_back(std::move(s));
  return *this;
}

CsvWriter& CsvWriter::text(std::string_view s) { return raw(std::string(s)); }
CsvWriter& CsvWriter::number(double v) { return raw(csv_number(v, fmt::format("column '{}'", column()))); }
CsvWriter& CsvWriter::number(const std::optional<double>& v) { return v ? number(*v) : empty(); }
CsvWriter& CsvWriter::integer(int64_t v) { return raw(fmt::format("{}", v)); }
CsvWriter& CsvWriter::empty() { return raw(""); }

void CsvWriter::end_row() {
  PODSIM_CHECK(row_.size() == columns_.size(), "a CSV record with fewer fields than columns");
  out_ << csv_record(row_) << '\n';
  row_.clear();
}

}  // namespace podsim::io
