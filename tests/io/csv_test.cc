// The one CSV writer (io/csv_writer.h), the one CSV reader (engine/csv_reader.h) and the
// one JSON writer (io/json_writer.h): RFC 4180 quoting both ways, shortest round-trip
// numbers, no non-finite number written, line numbers in the reader's errors.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "engine/check.h"
#include "engine/csv_reader.h"
#include "engine/error.h"
#include "io/csv_writer.h"
#include "io/json_writer.h"
#include "tests/test_util.h"

using podsim::CsvReader;
using podsim::CsvRecord;
using Fields = std::vector<std::string>;

namespace {

std::vector<CsvRecord> read_all(const std::string& text, size_t first_line = 1) {
  std::istringstream in(text);
  CsvReader csv(in, "t.csv", first_line);
  std::vector<CsvRecord> out;
  while (auto r = csv.next()) out.push_back(*r);
  return out;
}

std::string error_of(const std::string& text) {
  return podsim::testing::error_of([&] { read_all(text); });
}

}  // namespace

TEST_CASE("fields are quoted only when they must be, quotes doubled, line breaks kept (RFC 4180)") {
  using podsim::io::csv_field;
  CHECK(csv_field("llama3-8b") == "llama3-8b");
  CHECK(csv_field("") == "");
  CHECK(csv_field("llama, 8b") == "\"llama, 8b\"");
  CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_field("two\nlines") == "\"two\nlines\"");
  CHECK(csv_field("cr\r") == "\"cr\r\"");
  CHECK(csv_field("Zürich 東京") == "Zürich 東京");  // UTF-8 passes as bytes
  CHECK(podsim::io::csv_record({"a", "b,c", ""}) == "a,\"b,c\",");
  CHECK(podsim::io::csv_record({""}) == "\"\"");  // not a blank line
}

TEST_CASE("numbers are the shortest text that reads back as the same double") {
  using podsim::io::csv_number;
  CHECK(csv_number(1253750, "x") == "1253750");  // not 1.25375e+06
  CHECK(csv_number(408082, "x") == "408082");
  CHECK(csv_number(0.1, "x") == "0.1");
  CHECK(csv_number(237779.571, "x") == "237779.571");
  CHECK(csv_number(-0.0, "x") == "0");
  CHECK(csv_number(1e6, "x") == "1000000");  // not 1e+06: no exponent in [1e-6, 1e21)
  CHECK(csv_number(8.6708e10, "x") == "86708000000");
  CHECK(csv_number(1.5e-6, "x") == "0.0000015");
  CHECK(csv_number(1e22, "x") == "1e+22");
  CHECK(csv_number(1e-7, "x") == "1e-07");
  for (double v : {1.0 / 3, 86399.99999, 6.02214076e23, 5e-324, 123456789.123456789}) {
    const std::string text = csv_number(v, "x");
    CHECK(std::strtod(text.c_str(), nullptr) == v);
  }
  CHECK_THROWS_WITH_AS(csv_number(std::numeric_limits<double>::infinity(), "column 'energy_j'"),
                       "column 'energy_j' is inf: podsim never writes a non-finite number", podsim::InternalError);
  CHECK_THROWS_AS(csv_number(std::nan(""), "x"), podsim::InternalError);
}

TEST_CASE("CsvWriter: a header, one field per column, numbers and empty cells") {
  std::ostringstream out;
  podsim::io::CsvWriter csv(out, {"name", "devices", "end_s", "mfu_frac"});
  csv.text("llama, 8b").integer(64).number(7532.108).number(std::optional<double>()).end_row();
  CHECK(out.str() == "name,devices,end_s,mfu_frac\n\"llama, 8b\",64,7532.108,\n");
  csv.text("x").integer(1);
  // Names the column of the quantity.
  CHECK_THROWS_WITH_AS(csv.number(std::numeric_limits<double>::infinity()),
                       "column 'end_s' is inf: podsim never writes a non-finite number", podsim::InternalError);
}

TEST_CASE("CsvWriter refuses a NaN, naming the column") {
  std::ostringstream out;
  podsim::io::CsvWriter csv(out, {"t_s", "power_w"});
  csv.number(1);
  CHECK_THROWS_WITH_AS(csv.number(std::nan("")), "column 'power_w' is nan: podsim never writes a non-finite number",
                       podsim::InternalError);
}

TEST_CASE("CsvReader: quotes, commas, line breaks, CRLF and UTF-8, records keep their first line") {
  const std::string text =
      "name,devices\r\n"
      "\"llama, 8b\",8\r\n"
      "\"say \"\"hi\"\"\",16\n"
      "\"two\nlines\",32\n"
      "\n"
      "Zürich 東京,\"\"\n"
      "last,1";
  const std::vector<CsvRecord> r = read_all(text);
  REQUIRE(r.size() == 7);
  CHECK(r[0].fields == Fields{"name", "devices"});
  CHECK(r[1].fields == Fields{"llama, 8b", "8"});
  CHECK(r[1].line == 2);
  CHECK(r[2].fields == Fields{"say \"hi\"", "16"});
  CHECK(r[3].fields == Fields{"two\nlines", "32"});
  CHECK(r[3].line == 4);
  CHECK(r[4].fields.empty());  // a blank line
  CHECK(r[4].line == 6);       // after the two-line record
  CHECK(r[5].fields == Fields{"Zürich 東京", ""});
  CHECK(r[6].fields == Fields{"last", "1"});
  CHECK(!r[6].complete);  // no final line break
  CHECK(!r[6].open_quote);
  CHECK(r[0].complete);
}

TEST_CASE("CsvReader: what the writer writes reads back the same") {
  const std::vector<Fields> rows = {{"a", "b,c", "d\"e", ""}, {"x\ny", "\r\n", " spaced ", "ü"}, {",", "\"", "", "z"}};
  std::ostringstream out;
  for (const Fields& f : rows) out << podsim::io::csv_record(f) << '\n';
  const std::vector<CsvRecord> back = read_all(out.str());
  REQUIRE(back.size() == rows.size());
  for (size_t i = 0; i < rows.size(); ++i) CHECK(back[i].fields == rows[i]);
  CHECK(*podsim::parse_csv_record(podsim::io::csv_record(rows[1])) == rows[1]);
}

TEST_CASE("CsvReader: tolerances of exports, and what is not CSV") {
  // Spaces around a quoted field; a quote inside an unquoted one is a character.
  CHECK(read_all("a, \"2020-03-01 08:00:00\" ,b\n")[0].fields == Fields{"a", "2020-03-01 08:00:00", "b"});
  CHECK(read_all("5\"7,x\n")[0].fields == Fields{"5\"7", "x"});
  CHECK(read_all("a,\n")[0].fields == Fields{"a", ""});
  // An open quote at the end of the input is reported, not an error of the reader.
  const std::vector<CsvRecord> open = read_all("a,b\n1,\"open\n2,3\n");
  REQUIRE(open.size() == 2);
  CHECK(open[1].open_quote);
  CHECK(!open[1].complete);
  CHECK(error_of("a,b\n\"x\"y,1\n") ==
        "t.csv:2: field 1: 'y' after a closing quote (expected ',' or the end of the line; a quote inside a quoted "
        "field is written \"\")");
  // Line numbers count the line breaks inside quoted fields.
  CHECK(error_of("\"a\nb\",c\n\"d\"e\n").starts_with("t.csv:3: field 1: 'e' after a closing quote"));
  // A record cannot grow without bound.
  std::istringstream big("\"" + std::string(100, 'x') + "\n");
  CsvReader small(big, "big.csv", 1, 64);
  CHECK_THROWS_WITH_AS(small.next(), "big.csv:1: a record longer than 64 bytes (an unclosed quote?)", podsim::UserError);
  // A UTF-8 byte order mark starts a file, not its first field; elsewhere it is text, and
  // a partial one is put back as it was.
  CHECK(read_all("\xef\xbb\xbf\"a\",b\n")[0].fields == Fields{"a", "b"});
  CHECK(read_all("\xef\xbb\xbf").empty());
  CHECK(read_all("\xef\xbbx,b\n")[0].fields == Fields{"\xef\xbbx", "b"});
  CHECK(read_all("x\n\xef\xbb\xbfy\n", 2)[1].fields == Fields{"\xef\xbb\xbfy"});
  // UTF-16 (Windows' "Unicode": a byte order mark, then every other byte NUL) is refused
  // at once rather than read as a header of '?'.
  CHECK(error_of(std::string("\xff\xfej\0o\0b\0\n\0", 10)) ==
        "t.csv:1: UTF-16 text (expected UTF-8 CSV: save the file as UTF-8)");
  CHECK(error_of(std::string("\xfe\xff\0j\0o\0b\0\n", 10)) ==
        "t.csv:1: UTF-16 text (expected UTF-8 CSV: save the file as UTF-8)");
  CHECK(read_all("\xff,x\n")[0].fields == Fields{"\xff", "x"});  // one such byte is only a byte
  // first_line: a caller that read the first line itself.
  CHECK(read_all("x\ny\n", 2)[1].line == 3);
}

TEST_CASE("JSON: nlohmann-json writes it, strings escaped, invalid UTF-8 replaced, non-finite numbers refused") {
  using podsim::io::Json;
  CHECK(podsim::io::json_string("llama, \"8b\"\n") == R"("llama, \"8b\"\n")");
  CHECK(podsim::io::json_string("Zürich") == "\"Zürich\"");
  CHECK(podsim::io::json_string("bad \xff byte") == "\"bad \xef\xbf\xbd byte\"");
  CHECK(podsim::io::json_number(0.1, "x") == "0.1");
  CHECK_THROWS_AS(podsim::io::json_number(std::nan(""), "x"), podsim::InternalError);

  Json doc = Json::object();
  doc["summary"]["makespan_s"] = 7532.108;
  doc["summary"]["mfu_utilization_frac"] = nullptr;
  doc["jobs"] = Json::array({Json{{"name", "a"}}});
  std::ostringstream out;
  podsim::io::write_json(doc, out);
  CHECK(out.str() ==
        "{\n  \"summary\": {\n    \"makespan_s\": 7532.108,\n    \"mfu_utilization_frac\": null\n  },\n  \"jobs\": [\n"
        "    {\n      \"name\": \"a\"\n    }\n  ]\n}\n");
  doc["jobs"][0]["end_s"] = std::numeric_limits<double>::infinity();
  std::ostringstream bad;
  CHECK_THROWS_WITH_AS(podsim::io::write_json(doc, bad), "jobs[0].end_s is inf: podsim never writes a non-finite number",
                       podsim::InternalError);
  CHECK(bad.str().empty());
}
