#pragma once
// CsvWriter: the one writer of CSV in podsim (a cluster run's summary, jobs and timeline;
// sweep results and journals). Its rules, so that Python's csv module, pandas and
// spreadsheets read every file alike:
//
//   - RFC 4180 quoting: a field holding a comma, a quote, CR or LF is put in double quotes
//     and its quotes doubled; line breaks inside it are kept. Records end with LF.
//   - Numbers as the shortest text that reads back as the same double (std::to_chars):
//     no fixed precision that rounds a time to 10 s, no mix of 1.25375e+06 and 408082:
//     plain decimals for magnitudes in [1e-6, 1e21), an exponent only outside.
//   - No inf or NaN: a non-finite number is an InternalError naming its column.
//   - Every record has as many fields as the header (checked).
//
//   CsvWriter csv(out, {"name", "arrival_s"});
//   csv.text(job.name).number(job.arrival_s).end_row();
//
// Column names carry their unit as a suffix (_s, _h, _j, _w, _frac, ...); README.md,
// "Reading the outputs", lists them.
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace podsim::io {

// One field as RFC 4180 writes it (quoted only when it must be).
std::string csv_field(std::string_view text);
// One record, fields quoted as needed, without the line break.
std::string csv_record(const std::vector<std::string>& fields);
// The shortest round-trip decimal text of `v`. Throws InternalError naming `quantity` if
// `v` is not finite.
std::string csv_number(double v, std::string_view quantity);

class CsvWriter {
 public:
  // Writes the header record.
  CsvWriter(std::ostream& out, std::vector<std::string> columns);

  CsvWriter& text(std::string_view s);
  CsvWriter& number(double v);
  CsvWriter& number(const std::optional<double>& v);  // empty field when nullopt
  CsvWriter& integer(int64_t v);
  CsvWriter& empty();
  // Ends the record. REQUIRES: one field per column.
  void end_row();

 private:
  const std::string& column() const;
  CsvWriter& raw(std::string s);

  std::ostream& out_;
  std::vector<std::string> columns_;
  std::vector<std::string> row_;
};

}  // namespace podsim::io
