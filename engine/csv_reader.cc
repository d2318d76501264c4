#include "engine/csv_reader.h"

#include <fmt/format.h>

#include <sstream>
#include <utility>

#include "engine/byte_order_mark.h"
#include "engine/check.h"
#include "engine/error.h"

namespace podsim {
namespace {

constexpr int kEof = std::char_traits<char>::eof();

// A character as it may appear in a one-line message.
std::string shown(int c) {
  if (c >= 0x20 && c < 0x7f) return fmt::format("'{}'", static_cast<char>(c));
  return fmt::format("byte 0x{:02x}", c & 0xff);
}

}  // namespace

CsvReader::CsvReader(std::istream& in, std::string path, size_t first_line, size_t max_record_bytes)
    : in_(in.rdbuf()), path_(std::move(path)), line_(first_line), max_record_bytes_(max_record_bytes) {
  if (in_ == nullptr || first_line != 1) return;
  // The first bytes tell a byte order mark (byte_order_mark.h): a UTF-8 one is not part of
  // the first cell; UTF-16 has no header a reader could match and is refused at once,
  // with the way out.
  if (take_byte_order_mark(*in_) == ByteOrderMark::kUtf16)
    throw UserError(fmt::format("{}:1: UTF-16 text (expected UTF-8 CSV: save the file as UTF-8)", path_));
}

std::optional<CsvRecord> CsvReader::next() {
  if (in_ == nullptr || in_->sgetc() == kEof) return std::nullopt;
  CsvRecord r{.fields = {}, .line = line_};
  std::string field;
  size_t bytes = 0;
  bool any = false;  // anything on the record's line(s) yet
  const auto too_long = [&] {
    return UserError(fmt::format("{}:{}: a record longer than {} bytes (an unclosed quote?)", path_, r.line,
                                 max_record_bytes_));
  };
  const auto end_field = [&] {
    r.fields.push_back(std::move(field));
    field.clear();
  };
  for (;;) {
    // At the start of a field. Spaces before an opening quote are dropped; otherwise kept.
    size_t spaces = 0;
    while (in_->sgetc() == ' ') in_->sbumpc(), ++spaces;
    int c = in_->sgetc();
    if (c == '"') {
      in_->sbumpc();
      any = true;
      for (;;) {
        c = in_->sbumpc();
        if (c == kEof) {
          r.complete = false;
          r.open_quote = true;
          end_field();
          return r;
        }
        if (++bytes > max_record_bytes_) throw too_long();
        if (c == '\n') ++line_;
        if (c != '"') {
          field += static_cast<char>(c);
        } else if (in_->sgetc() == '"') {
          in_->sbumpc();
          field += '"';
        } else {
          break;
        }
      }
      while (in_->sgetc() == ' ') in_->sbumpc();
      c = in_->sgetc();
      if (c == '\r') {
        in_->sbumpc();
        c = in_->sgetc();
        if (c != '\n' && c != kEof)
          throw UserError(fmt::format("{}:{}: field {}: a carriage return after a closing quote, not followed by a "
                                      "line break",
                                      path_, r.line, r.fields.size() + 1));
      }
      if (c != ',' && c != '\n' && c != kEof)
        throw UserError(fmt::format("{}:{}: field {}: {} after a closing quote (expected ',' or the end of the line; a "
                                    "quote inside a quoted field is written \"\")",
                                    path_, r.line, r.fields.size() + 1, shown(c)));
    } else {
      field.append(spaces, ' ');
      for (;;) {
        c = in_->sgetc();
        if (c == ',' || c == '\n' || c == kEof) break;
        in_->sbumpc();
        if (++bytes > max_record_bytes_) throw too_long();
        if (c == '\r' && (in_->sgetc() == '\n' || in_->sgetc() == kEof)) continue;  // CRLF
        // A lone CR outside quotes (RFC 4180 allows none): a file whose lines end in CR
        // alone (classic Mac OS) once read as one long header line, "missing column ...".
        if (c == '\r')
          throw UserError(fmt::format("{}:{}: field {}: a carriage return not followed by a line break (expected lines "
                                      "ending in LF or CRLF; a CR inside a field is quoted)",
                                      path_, r.line, r.fields.size() + 1));
        field += static_cast<char>(c);
        any = true;
      }
      any = any || spaces > 0;
    }
    // After a field: c is ',', '\n' or EOF (not consumed).
    if (c == ',') {
      in_->sbumpc();
      any = true;
      end_field();
      continue;
    }
    if (any || !r.fields.empty()) end_field();
    if (c == '\n') {
      in_->sbumpc();
      ++line_;
    } else {
      r.complete = false;
    }
    return r;
  }
}

std::optional<std::vector<std::string>> parse_csv_record(const std::string& text) {
  std::istringstream in(text);
  CsvReader reader(in, "");
  std::optional<CsvRecord> r;
  try {
    r = reader.next();
  } catch (const UserError&) {
    return std::nullopt;
  }
  if (!r) return std::vector<std::string>{};
  if (r->open_quote || reader.next()) return std::nullopt;
  return std::move(r->fields);
}

}  // namespace podsim
