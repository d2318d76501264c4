#include "scenario/scenario_file.h"

#include <fmt/format.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <sstream>
#include <vector>

#include "io/input_file.h"
#include "scenario/field_override.h"
#include "sim/memory_limit.h"
#include "engine/byte_order_mark.h"
#include "engine/error.h"
#include "engine/printable.h"

namespace podsim::scenario {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::TextFormat;

std::string names_of(const Descriptor* d) {
  std::string out;
  for (int i = 0; i < d->field_count(); ++i) out += (i ? ", " : "") + d->field(i)->name();
  return out;
}

// The enum types of fields named `field` anywhere under a Scenario.
void enums_of_field(const Descriptor* d, const std::string& field, std::set<const Descriptor*>& seen,
                    std::set<const EnumDescriptor*>& out) {
  if (!seen.insert(d).second) return;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->enum_type() != nullptr && f->name() == field) out.insert(f->enum_type());
    if (f->message_type() != nullptr) enums_of_field(f->message_type(), field, seen, out);
  }
}

// An enum's values a file may name (the 0 value is each enum's "unset").
std::string value_names(const EnumDescriptor* e) {
  std::string values;
  for (int i = 0; i < e->value_count(); ++i)
    if (e->value(i)->number() != 0) values += (values.empty() ? "" : ", ") + e->value(i)->name();
  return values;
}

// The text format takes a number for an enum field and keeps it even when the enum has
// no such value (proto3 enums are open), so `sharding: 9` would parse and silently mean
// the default. The first such field under `msg`, as "FILE:LINE:COL: path: message".
std::optional<std::string> undefined_enum_value(const google::protobuf::Message& msg,
                                                const TextFormat::ParseInfoTree* tree, const std::string& file,
                                                const std::string& prefix) {
  const google::protobuf::Reflection* r = msg.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(msg, &fields);
  for (const FieldDescriptor* f : fields) {
    const int n = f->is_repeated() ? r->FieldSize(msg, f) : 1;
    for (int i = 0; i < n; ++i) {
      const int index = f->is_repeated() ? i : -1;
      const std::string path = prefix + f->name() + (f->is_repeated() ? fmt::format("[{}]", i) : "");
      if (f->enum_type() != nullptr) {
        const int number = f->is_repeated() ? r->GetRepeatedEnumValue(msg, f, i) : r->GetEnumValue(msg, f);
        if (f->enum_type()->FindValueByNumber(number) != nullptr) continue;
        std::string where = file;
        if (tree != nullptr) {
          const auto range = tree->GetLocationRange(f, index);
          if (range.start.line >= 0) where = fmt::format("{}:{}:{}", file, range.start.line + 1, range.start.column + 1);
        }
        return fmt::format("{}: {}: {} is not a {} (expected one of {})", where, path, number, f->enum_type()->name(),
                           value_names(f->enum_type()));
      }
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        const google::protobuf::Message& sub =
            f->is_repeated() ? r->GetRepeatedMessage(msg, f, i) : r->GetMessage(msg, f);
        if (auto e = undefined_enum_value(sub, tree ? tree->GetTreeForNested(f, index) : nullptr, file, path + "."))
          return e;
      }
    }
  }
  return std::nullopt;
}

// The parts of a parser message between `pieces`: {"Message type \"", "\" has no field
// named \"", "\"."} takes 'Message type "A" has no field named "b".' apart into {"A", "b"}.
// Each part runs to the first occurrence of the next piece and may not hold a '"'; the
// last piece must end the message unless `prefix_only`. std::regex is not used here: its
// matcher recurses once per character, and a 100,000-character unknown field name in a
// scenario overflowed the stack (exit 139).
std::optional<std::vector<std::string>> parts_between(std::string_view message,
                                                      std::initializer_list<std::string_view> pieces,
                                                      bool prefix_only = false) {
  const std::string_view* piece = pieces.begin();
  if (!message.starts_with(*piece)) return std::nullopt;
  size_t at = piece->size();
  std::vector<std::string> parts;
  for (++piece; piece != pieces.end(); ++piece) {
    const bool last = piece + 1 == pieces.end();
    const size_t next = last && !prefix_only ? (message.ends_with(*piece) ? message.size() - piece->size()
                                                                          : std::string_view::npos)
                                             : message.find(*piece, at);
    if (next == std::string_view::npos || next < at) return std::nullopt;
    const std::string_view part = message.substr(at, next - at);
    if (part.find('"') != std::string_view::npos) return std::nullopt;
    parts.emplace_back(part);
    at = next + piece->size();
  }
  return parts;
}

// True iff `s` is a protobuf identifier (or, with dots, a full type name).
bool is_identifier(std::string_view s, bool dots = false) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (dots && c == '.');
  });
}

// Adds what was expected to the parser's messages that only say what was wrong.
std::string explain(const std::string& message) {
  const auto unknown_field = parts_between(message, {"Message type \"", "\" has no field named \"", "\"."});
  if (unknown_field && is_identifier((*unknown_field)[0], true) && is_identifier((*unknown_field)[1])) {
    const Descriptor* d = google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName((*unknown_field)[0]);
    if (d != nullptr)
      return fmt::format("{} has no field '{}' (expected one of: {})", d->name(), printable((*unknown_field)[1]),
                         names_of(d));
  }
  const auto unknown_enum = parts_between(message, {"Unknown enumeration value of \"", "\" for field \"", "\"."});
  if (unknown_enum && is_identifier((*unknown_enum)[1])) {
    std::set<const Descriptor*> seen;
    std::set<const EnumDescriptor*> enums;
    enums_of_field(podsim::v1::Scenario::descriptor(), (*unknown_enum)[1], seen, enums);
    if (enums.size() == 1) {
      const EnumDescriptor* e = *enums.begin();
      return fmt::format("'{}' is not a {} for field '{}' (expected one of {})", printable((*unknown_enum)[0]),
                         e->name(), (*unknown_enum)[1], value_names(e));
    }
  }
  if (message.starts_with("String literals cannot cross line boundaries"))
    return "a string is not closed on its line (expected a closing '\"' before the end of the line)";
  if (message.starts_with("Interpreting non ascii codepoint"))
    return "not a text scenario file: a non-ASCII byte outside a string (expected protobuf text format; UTF-8 only "
           "inside \"...\")";
  const auto set_twice = parts_between(message, {"Non-repeated field \"", "\" is specified multiple times."});
  if (set_twice && is_identifier((*set_twice)[0]))
    return fmt::format("'{}' is set twice (expected one value: it is not a repeated field)", (*set_twice)[0]);
  // Two members of a oneof (a pool's `nvlink { }` beside its `cloudmatrix384 { }`).
  const auto oneof = parts_between(
      message, {"Field \"", "\" is specified along with field \"", "\", another member of oneof \"", "\"."});
  if (oneof && is_identifier((*oneof)[0]) && is_identifier((*oneof)[1]))
    return fmt::format("'{}' is set beside '{}', its alternative (oneof '{}'): expected only one of them",
                       (*oneof)[0], (*oneof)[1], (*oneof)[2]);
  if (message == "Expected integer, got: -")
    return "a negative number for a field that cannot be negative (expected an integer >= 0)";
  if (message.starts_with("Need space between number and identifier"))
    return "a number runs into letters or '_' (expected a plain number such as 1000 or 1e3, then a space)";
  // The parser quotes the token it did not expect whole: a million-letter word would be a
  // million-character line. Cut it as every quoted input is (engine/printable.h).
  if (const size_t got = message.find(", got: "); got != std::string::npos)
    return message.substr(0, got + 7) + printable(std::string_view(message).substr(got + 7));
  if (const size_t found = message.find(", found \""); found != std::string::npos && message.ends_with("\"."))
    return message.substr(0, found + 9) +
           printable(std::string_view(message).substr(found + 9, message.size() - 2 - (found + 9))) + "\".";
  return message;
}

// The integer fields named `field` anywhere under a Scenario, as "[MIN, MAX]" ranges of
// their types; empty if there is none or their types differ.
std::string integer_range_of(const std::string& field) {
  std::set<const Descriptor*> seen;
  std::set<FieldDescriptor::CppType> types;
  const std::function<void(const Descriptor*)> walk = [&](const Descriptor* d) {
    if (!seen.insert(d).second) return;
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      if (f->message_type() != nullptr) walk(f->message_type());
      else if (f->name() == field) types.insert(f->cpp_type());
    }
  };
  walk(podsim::v1::Scenario::descriptor());
  if (types.size() != 1) return {};
  switch (*types.begin()) {
    case FieldDescriptor::CPPTYPE_INT32: return "[-2147483648, 2147483647]";
    case FieldDescriptor::CPPTYPE_INT64: return "[-9223372036854775808, 9223372036854775807]";
    case FieldDescriptor::CPPTYPE_UINT32: return "[0, 4294967295]";
    case FieldDescriptor::CPPTYPE_UINT64: return "[0, 18446744073709551615]";
    default: return {};
  }
}

// Collects the parser's complaints as "FILE:LINE:COL: message" (protobuf counts lines
// and columns from 0; people and editors count from 1). Only the first is reported:
// after one error the parser's later complaints are consequences of it.
class Collector : public google::protobuf::io::ErrorCollector {
 public:
  Collector(std::string path, const std::string& text) : path_(std::move(path)), text_(text) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    if (!first_.empty()) return;
    if (auto value = parts_between(message, {"Unknown enumeration value of \"", "\" for field"}, true))
      point_at_value((*value)[0], line, column);
    std::string text = explain(message);
    if (message.starts_with("Integer out of range")) {
      // The parser does not say which field; the name before the value does.
      const std::string field = field_before(line, column);
      const std::string range = integer_range_of(field);
      const auto number = parts_between(message, {"Integer out of range (", ")"});
      const std::string value = number ? printable((*number)[0]) : "the value";
      text = range.empty() ? fmt::format("{} is out of range (expected an integer the field's type can hold)", value)
                           : fmt::format("{}: {} is out of range (expected an integer in {})", field, value, range);
    }
    if (const std::optional<std::string> why = malformed_number(message)) {
      // The tokenizer stops inside the number; the field is the name before it.
      const std::string field = field_before(line, column, /*within_value=*/true);
      text = fmt::format("{}{} (expected a decimal number such as 1000, 2.5 or 1e3)",
                         field.empty() ? "" : field + ": ", *why);
    }
    first_ = fmt::format("{}:{}:{}: {}", path_, line + 1, column + 1, text);
  }
  void AddWarning(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    AddError(line, column, message);  // deprecated fields, non-ASCII bytes: treat as errors
  }
  const std::string& first() const { return first_; }

 private:
  // The parser reports an unknown enum value at the token after it; move back to the
  // value itself, the last occurrence of it up to the reported place.
  void point_at_value(const std::string& value, int& line, int& column) const {
    if (value.empty()) return;
    size_t offset = 0;
    for (int l = 0; l < line && offset != std::string::npos; ++l) {
      offset = text_.find('\n', offset);
      if (offset != std::string::npos) ++offset;
    }
    if (offset == std::string::npos) return;
    const size_t at = text_.rfind(value, std::min(text_.size(), offset + static_cast<size_t>(std::max(column, 0))));
    if (at == std::string::npos) return;
    const size_t line_start = at == 0 ? 0 : text_.rfind('\n', at - 1);
    line = static_cast<int>(std::count(text_.begin(), text_.begin() + static_cast<long>(at), '\n'));
    column = static_cast<int>(line_start == std::string::npos || at == 0 ? at : at - line_start - 1);
  }

  // What is wrong with a number the tokenizer or the parser could not read, from its
  // message (they say neither the field nor what a number looks like); nullopt for
  // other messages.
  static std::optional<std::string> malformed_number(const std::string& message) {
    constexpr std::string_view kNotDecimal = "Expect a decimal number, got: ";
    if (message.starts_with(kNotDecimal))
      return fmt::format("'{}' is not a decimal number (a leading 0 or 0x)",
                         printable(std::string_view(message).substr(kNotDecimal.size())));
    if (message.starts_with("\"e\" must be followed by exponent"))
      return "a number's 'e' is not followed by an exponent";
    if (message.starts_with("Already saw decimal point or exponent"))
      return "a number with a second decimal point or exponent";
    if (message.starts_with("\"0x\" must be followed by hex digits"))
      return "a number's '0x' is not followed by hex digits";
    if (message.starts_with("Numbers starting with leading zero must be in octal"))
      return "a number with a leading 0 and a digit 8 or 9";
    return std::nullopt;
  }

  // The field name written before the value at (line, column): "NAME:" or "NAME :", on
  // the same line. Empty if there is none (a value inside [...] lists, say). With
  // `within_value`, (line, column) may lie inside or just after the value's token.
  std::string field_before(int line, int column, bool within_value = false) const {
    size_t offset = 0;
    for (int l = 0; l < line && offset != std::string::npos; ++l) {
      offset = text_.find('\n', offset);
      if (offset != std::string::npos) ++offset;
    }
    if (offset == std::string::npos || column < 0) return {};
    size_t at = std::min(text_.size(), offset + static_cast<size_t>(column));
    if (within_value)
      while (at > offset && (std::isalnum(static_cast<unsigned char>(text_[at - 1])) ||
                             std::string_view("._+-").find(text_[at - 1]) != std::string_view::npos))
        --at;
    const auto skip_spaces = [&] {
      while (at > offset && (text_[at - 1] == ' ' || text_[at - 1] == '\t')) --at;
    };
    skip_spaces();
    if (at == offset || text_[at - 1] != ':') return {};
    --at;
    skip_spaces();
    const size_t end = at;
    while (at > offset && (std::isalnum(static_cast<unsigned char>(text_[at - 1])) || text_[at - 1] == '_')) --at;
    return text_.substr(at, end - at);
  }

  std::string path_;
  const std::string& text_;
  std::string first_;
};

// Drops the tokenizer's complaints: the text is tokenized again after the parser has
// said everything about it.
class QuietCollector : public google::protobuf::io::ErrorCollector {
  void AddError(int, google::protobuf::io::ColumnNumber, const std::string&) override {}
};

// Whether (line, column) lies in `range` (protobuf's 0-based places; the end is past the
// range's last token).
bool contains(const TextFormat::ParseLocationRange& range, int line, int column) {
  const auto before = [](int l1, int c1, int l2, int c2) { return l1 < l2 || (l1 == l2 && c1 < c2); };
  return range.start.line >= 0 && !before(line, column, range.start.line, range.start.column) &&
         before(line, column, range.end.line, range.end.column);
}

// The values written in `range` of the text: its tokens after the field name and ':',
// less the punctuation of a list ("f: [1, 2]" holds 2; "f: 1" holds 1).
int values_in(const std::string& text, const TextFormat::ParseLocationRange& range) {
  using google::protobuf::io::Tokenizer;
  QuietCollector quiet;
  google::protobuf::io::ArrayInputStream input(text.data(), static_cast<int>(text.size()));
  Tokenizer tokens(&input, &quiet);
  tokens.set_comment_style(Tokenizer::SH_COMMENT_STYLE);
  int values = 0;
  bool name = true;
  while (tokens.Next()) {
    const Tokenizer::Token& t = tokens.current();
    if (!contains(range, t.line, t.column)) {
      if (t.line > range.end.line) break;
      continue;
    }
    if (name) name = false;  // the field's name opens its range
    else if (t.type != Tokenizer::TYPE_SYMBOL) ++values;
  }
  return values;
}

// The full path ("cluster.pools[0].count") of the scalar field whose value the text holds
// at (line, column), or "" if none does. `text` is what `tree` was parsed from.
std::string path_at(const google::protobuf::Message& msg, const TextFormat::ParseInfoTree* tree,
                    const std::string& text, int line, int column, const std::string& prefix) {
  if (tree == nullptr) return {};
  const google::protobuf::Reflection* r = msg.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(msg, &fields);
  for (const FieldDescriptor* f : fields) {
    const int n = f->is_repeated() ? r->FieldSize(msg, f) : 1;
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      for (int i = 0; i < n; ++i) {
        const int index = f->is_repeated() ? i : -1;
        const std::string path = prefix + f->name() + (f->is_repeated() ? fmt::format("[{}]", i) : "");
        const google::protobuf::Message& sub = f->is_repeated() ? r->GetRepeatedMessage(msg, f, i) : r->GetMessage(msg, f);
        if (std::string at = path_at(sub, tree->GetTreeForNested(f, index), text, line, column, path + ".");
            !at.empty())
          return at;
      }
      continue;
    }
    if (!f->is_repeated()) {
      if (contains(tree->GetLocationRange(f, -1), line, column)) return prefix + f->name();
      continue;
    }
    // A repeated scalar has a place per "f: v" and one per "f: [v, w]" list; its element
    // is the values of the places before and the one's own values before (line, column).
    int before = 0;
    for (int k = 0;; ++k) {
      const auto range = tree->GetLocationRange(f, k);
      if (range.start.line < 0) break;
      if (contains(range, line, column)) {
        auto upto = range;
        upto.end = {line, column + 1};
        return fmt::format("{}{}[{}]", prefix, f->name(), before + values_in(text, upto) - 1);
      }
      before += values_in(text, range);
    }
  }
  return {};
}

// Numbers protobuf reads as something other than what they look like, found in the
// text and refused at their place, after the field name before them:
//  - one nearer 0 than a double holds ("horizon_s: 1e-400") parses as 0 without a word,
//    and 0 often means "unset" (a token with a nonzero digit before its exponent that
//    reads as 0);
//  - an integer with a leading 0 ("seed: 010") is octal to protobuf: 8, not 10.
// Each is named by its full path in `scenario`, parsed from `text` with `tree`.
std::optional<std::string> misread_number(const std::string& path, const std::string& text,
                                          const podsim::v1::Scenario& scenario,
                                          const TextFormat::ParseInfoTree& tree) {
  using google::protobuf::io::Tokenizer;
  QuietCollector quiet;
  // At most 1 GiB (io::read_input_file), so its size fits an int.
  google::protobuf::io::ArrayInputStream input(text.data(), static_cast<int>(text.size()));
  Tokenizer tokens(&input, &quiet);
  tokens.set_comment_style(Tokenizer::SH_COMMENT_STYLE);
  // The field's full path; its bare name (the one before the value) if the walk finds
  // none, which a parsed file does not allow.
  std::string field;
  const auto field_of = [&](const Tokenizer::Token& t) {
    const std::string at = path_at(scenario, &tree, text, t.line, t.column, "");
    return at.empty() ? printable(field) : at;
  };
  while (tokens.Next()) {
    const Tokenizer::Token& t = tokens.current();
    if (t.type == Tokenizer::TYPE_IDENTIFIER) field = t.text;
    if (t.type == Tokenizer::TYPE_INTEGER && t.text.size() > 1 && t.text[0] == '0' &&
        std::isdigit(static_cast<unsigned char>(t.text[1]))) {
      uint64_t octal = 0;
      Tokenizer::ParseInteger(t.text, UINT64_MAX, &octal);
      return fmt::format("{}:{}:{}: {}: '{}' has a leading 0, which protobuf text format reads as octal ({}) "
                         "(expected the number without leading zeros)",
                         path, t.line + 1, t.column + 1, field_of(t), printable(t.text), octal);
    }
    if (t.type != Tokenizer::TYPE_FLOAT) continue;
    const std::string mantissa = t.text.substr(0, t.text.find_first_of("eE"));
    if (mantissa.find_first_of("123456789") == std::string::npos || Tokenizer::ParseFloat(t.text) != 0) continue;
    return fmt::format("{}:{}:{}: {}: '{}' is nearer 0 than a double holds (expected 0, or a magnitude of at least "
                       "2.2e-308)",
                       path, t.line + 1, t.column + 1, field_of(t), printable(t.text));
  }
  return std::nullopt;
}

}  // namespace

ScenarioFile::ScenarioFile() = default;
ScenarioFile::ScenarioFile(ScenarioFile&&) noexcept = default;
ScenarioFile& ScenarioFile::operator=(ScenarioFile&&) noexcept = default;
ScenarioFile::~ScenarioFile() = default;

ScenarioFile ScenarioFile::load(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw UserError(fmt::format("{}: is a directory (expected a scenario .textproto file)", path));
  const std::string text = io::read_input_file(path, "scenario file");  // a regular file of at most 1 GiB
  // Parsing keeps every field's place (for messages) beside the message itself: measured
  // peak RSS of `podsim topo` on 200,000 jobs written out (23.7 MB of text) 467 MB, ~20
  // bytes per byte; a 100 MB string 5 bytes per byte (docs/reliability.md, section 5).
  constexpr double kBytesPerTextByte = 467e6 / 23.7e6;
  if (auto why = sim::memory_refusal(static_cast<double>(text.size()) * kBytesPerTextByte, "reading it",
                                     fmt::format("{} of text, ~20 bytes each as parsed",
                                                 sim::format_bytes(static_cast<double>(text.size()))),
                                     "a smaller scenario: jobs from a trace CSV or a synthetic source rather than "
                                     "written out"))
    throw UserError(fmt::format("{}: {}", path, *why));
  return parse(path, text);
}

ScenarioFile ScenarioFile::parse(const std::string& path, const std::string& text_as_read) {
  ScenarioFile file;
  file.path_ = path;
  // A UTF-8 byte order mark (Windows editors write one) is not text of the scenario;
  // editors do not count it as a column either. UTF-16 (Windows' "Unicode") is refused.
  const ByteOrderMark bom = byte_order_mark(text_as_read);
  file.text_ = std::make_shared<const std::string>(bom == ByteOrderMark::kUtf8 ? text_as_read.substr(kUtf8BomSize)
                                                                               : text_as_read);
  const std::string& text = *file.text_;
  if (bom == ByteOrderMark::kUtf16)
    throw UserError(fmt::format("{}:1:1: UTF-16 text (expected UTF-8 protobuf text format: save the file as UTF-8)",
                                path));
  if (const size_t nul = text.find('\0'); nul != std::string::npos) {
    const size_t line_start = nul == 0 ? std::string::npos : text.rfind('\n', nul - 1);
    const size_t line = static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<long>(nul), '\n')) + 1;
    const size_t column = line_start == std::string::npos ? nul + 1 : nul - line_start;
    throw UserError(fmt::format("{}:{}:{}: not a text scenario file (a NUL byte; expected protobuf text format)", path,
                                line, column));
  }
  Collector collector(path, text);
  auto locations = std::make_shared<TextFormat::ParseInfoTree>();
  file.locations_ = locations;
  TextFormat::Parser parser;
  parser.RecordErrorsTo(&collector);
  parser.WriteLocationsTo(locations.get());
  parser.AllowUnknownField(false);
  parser.AllowUnknownExtension(false);
  const bool ok = parser.ParseFromString(text, &file.scenario_);
  if (!ok || !collector.first().empty())
    throw UserError(collector.first().empty() ? fmt::format("{}: could not parse scenario", path) : collector.first());
  if (auto e = undefined_enum_value(file.scenario_, locations.get(), path, "")) throw UserError(*e);
  if (auto e = misread_number(path, text, file.scenario_, *locations)) throw UserError(*e);
  if (file.scenario_.ByteSizeLong() == 0)
    throw UserError(fmt::format("{}: the scenario sets no fields (expected protobuf text format, e.g. name: \"x\" "
                                "and a cluster or compare section)",
                                path));
  return file;
}

void ScenarioFile::apply_override(std::string_view assignment, std::string_view origin) {
  auto [field, value] = split_assignment(assignment);
  set_field(scenario_, field, value, origin);
  std::string in_file = source_path(field);
  overridden_[in_file] = origin.empty() ? "--set " + in_file : std::string(origin);
}

ScenarioFile ScenarioFile::derive(podsim::v1::Scenario scenario, std::vector<Rename> renames,
                                  std::string context) const {
  ScenarioFile out;
  out.path_ = path_;
  out.text_ = text_;
  out.scenario_ = std::move(scenario);
  out.locations_ = locations_;
  out.overridden_ = overridden_;
  out.renames_ = std::move(renames);
  out.context_ = std::move(context);
  return out;
}

std::string ScenarioFile::source_path(std::string_view field_path) const {
  const Rename* best = nullptr;
  for (const Rename& r : renames_) {
    const std::string& from = r.first;
    const bool whole = field_path.starts_with(from) &&
                       (field_path.size() == from.size() || field_path[from.size()] == '.' || field_path[from.size()] == '[');
    if (whole && (best == nullptr || from.size() >= best->first.size())) best = &r;
  }
  if (best == nullptr) return std::string(field_path);
  return best->second + std::string(field_path.substr(best->first.size()));
}

std::string ScenarioFile::where(std::string_view derived_path) const {
  const std::string source = source_path(derived_path);
  const std::string_view field_path = source;
  if (auto it = overridden_.find(field_path); it != overridden_.end()) return it->second;
  // Walk the location tree along the path; stop at the deepest field that was written.
  const TextFormat::ParseInfoTree* tree = locations_.get();
  const Descriptor* d = podsim::v1::Scenario::descriptor();  // the file's, for a derived scenario too
  std::string location = path_;
  size_t start = 0;
  while (start < field_path.size() && tree != nullptr && d != nullptr) {
    size_t dot = field_path.find('.', start);
    if (dot == std::string_view::npos) dot = field_path.size();
    std::string_view part = field_path.substr(start, dot - start);
    int index = -1;
    if (size_t b = part.find('['); b != std::string_view::npos) {
      index = std::atoi(std::string(part.substr(b + 1)).c_str());
      part = part.substr(0, b);
    }
    const FieldDescriptor* f = d->FindFieldByName(std::string(part));
    if (f == nullptr) break;
    if (!f->is_repeated()) index = -1;
    else if (index < 0) break;  // a whole repeated field: its parent's place
    const auto range = tree->GetLocationRange(f, index);
    if (range.start.line < 0) {
      // Not in the file: a default value, or a part a --set made (`--set jobs[2].name=x`
      // appends a job whose missing model is then the --set's problem, not the file's).
      const std::string_view made = field_path.substr(0, dot);
      for (auto it = overridden_.lower_bound(made); it != overridden_.end() && it->first.starts_with(made); ++it)
        if (it->first.size() == made.size() || it->first[made.size()] == '.' || it->first[made.size()] == '[')
          return it->second;
      break;
    }
    location = fmt::format("{}:{}:{}", path_, range.start.line + 1, range.start.column + 1);
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) break;
    tree = tree->GetTreeForNested(f, index);
    d = f->message_type();
    start = dot + 1;
  }
  return location;
}

}  // namespace podsim::scenario
