#pragma once
// CsvReader: the one reader of CSV in podsim (traces in scheduler/, sweep files and
// journals in io/). It lives in engine/ because scheduler/'s trace readers may only use
// the engine below them; it knows nothing of the simulation.
//
// RFC 4180, as Python's csv module and pandas write it: fields separated by commas,
// records by LF or CRLF (a UTF-8 byte order mark at the start of a file is skipped; UTF-16,
// which starts with its own, is refused); a field in double quotes may hold commas, quotes (doubled) and
// line breaks. Two tolerances, for exports seen in the wild: spaces between a comma and
// an opening quote, or between a closing quote and the next comma, are ignored; a quote
// inside an unquoted field is kept as a character.
//
//   CsvReader csv(in, "trace.csv");
//   while (auto r = csv.next()) use(r->fields, r->line);
//
// Errors (UserError) name the file and the line a record starts on:
//   "trace.csv:7: field 3: 'x' after a closing quote (expected ',' or the end of the line)"
// A record longer than a limit (default 1 MiB) is refused, so a stray quote in a large
// file cannot make the reader hold all of it.
#include <cstddef>
#include <istream>
#include <optional>
#include <string>
#include <vector>

namespace podsim {

struct CsvRecord {
  std::vector<std::string> fields;  // empty for a blank line
  size_t line = 0;                  // 1-based line the record starts on
  // False if the input ended before the record's line break (a file cut short, or one
  // without a final newline); the fields are what was read.
  bool complete = true;
  // True if the input ended inside a quoted field (implies !complete).
  bool open_quote = false;
};

class CsvReader {
 public:
  // `path` only names the source in errors; `first_line` is the line number of the
  // stream's first line (2 after a caller read a first line itself).
  CsvReader(std::istream& in, std::string path, size_t first_line = 1, size_t max_record_bytes = 1 << 20);

  // The next record, or nullopt at the end of the input. Throws UserError for text that
  // is not CSV (a character after a closing quote, a record over the limit).
  std::optional<CsvRecord> next();

  const std::string& path() const { return path_; }

 private:
  std::streambuf* in_;
  std::string path_;
  size_t line_;
  size_t max_record_bytes_;
};

// The fields of one record held in a string (its line break, if any, ends it). Nullopt if
// a quote does not close or text follows the record. For small inputs (a --set value, a
// test); files go through CsvReader.
std::optional<std::vector<std::string>> parse_csv_record(const std::string& text);

}  // namespace podsim
