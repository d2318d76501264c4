#include "scenario/field_override.h"

#include <fmt/format.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <charconv>
#include <cstdlib>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "engine/error.h"
#include "engine/printable.h"

namespace podsim::scenario {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

struct Segment {
  std::string name;
  std::optional<int> index;
};

// `label` says where the assignment came from: "--set PATH", or the option that made it.
[[noreturn]] void fail(std::string_view label, const std::string& why) {
  throw UserError(fmt::format("{}: {}", label, why));
}

// A field path as a message shows it: whole, on one line; cut like any quoted input if it
// is no path a scenario could have (a sweep file's field of a megabyte).
std::string shown_path(std::string_view path) { return path.size() > 200 ? printable(path) : one_line(path); }

std::vector<Segment> parse_path(std::string_view path, std::string_view label) {
  if (path.empty()) fail(label, "empty field path (expected e.g. scheduler.policy=FIFO)");
  std::vector<Segment> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    if (dot == std::string_view::npos) dot = path.size();
    std::string_view part = path.substr(start, dot - start);
    Segment seg;
    const size_t bracket = part.find('[');
    if (bracket != std::string_view::npos) {
      if (part.back() != ']') fail(label, fmt::format("'{}': expected name[index]", printable(part)));
      std::string_view digits = part.substr(bracket + 1, part.size() - bracket - 2);
      int idx = -1;
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), idx);
      if (ec == std::errc::result_out_of_range)  // digits only, but more than an int holds
        fail(label, fmt::format("'{}': index {} is out of range (expected an existing index)", printable(part),
                                printable(digits)));
      if (ec != std::errc() || p != digits.data() + digits.size() || idx < 0)
        fail(label, fmt::format("'{}': index must be a non-negative integer", printable(part)));
      // "jobs[01]" would set jobs[1] but be remembered as another path than the jobs[1]
      // later checks name, and the file, not the --set, would be blamed for its problems.
      if (digits.size() > 1 && digits[0] == '0')
        fail(label, fmt::format("'{}': index {} has a leading 0 (expected {})", printable(part), printable(digits), idx));
      seg.index = idx;
      part = part.substr(0, bracket);
    }
    if (part.empty()) fail(label, "empty field name in path");
    seg.name = std::string(part);
    segments.push_back(std::move(seg));
    start = dot + 1;
  }
  return segments;
}

std::string field_names(const Descriptor* d) {
  std::string out;
  for (int i = 0; i < d->field_count(); ++i) {
    if (i) out += ", ";
    out += d->field(i)->name();
  }
  return out;
}

template <typename T>
T parse_integer(std::string_view label, std::string_view value, const char* expected) {
  T out{};
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec == std::errc::result_out_of_range)
    fail(label, fmt::format("'{}' is out of range for {}", printable(value), expected));
  if (ec != std::errc() || p != value.data() + value.size() || value.empty())
    fail(label, fmt::format("expected {}, got '{}'", expected, printable(value)));
  return out;
}

double parse_double(std::string_view label, std::string_view value) {
  double out = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  // 1e-400 is a number, but nearer 0 than a double holds (strtod gives 0, where 1e999
  // gives infinity): not "not finite", and not 0 either.
  if (ec == std::errc::result_out_of_range && p == value.data() + value.size() &&
      std::strtod(std::string(value).c_str(), nullptr) == 0)
    fail(label, fmt::format("'{}' is nearer 0 than a double holds (expected 0, or a magnitude of at least 2.2e-308)",
                            printable(value)));
  if (ec != std::errc() || p != value.data() + value.size() || value.empty() || !std::isfinite(out))
    fail(label, fmt::format("expected a finite number, got '{}'", printable(value)));
  return out;
}

// Sets field `f` (element `index` if repeated; index == size appends) of `m`.
void set_scalar(Message& m, const FieldDescriptor* f, std::optional<int> index, std::string_view label,
                std::string_view value) {
  const Reflection* r = m.GetReflection();
  const bool repeated = f->is_repeated();
  const bool append = repeated && *index == r->FieldSize(m, f);
#define PODSIM_SET(Kind, v)                   \
  do {                                        \
    if (!repeated) r->Set##Kind(&m, f, v);    \
    else if (append) r->Add##Kind(&m, f, v);  \
    else r->SetRepeated##Kind(&m, f, *index, v); \
  } while (0)
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: PODSIM_SET(Int32, parse_integer<int32_t>(label, value, "a 32-bit integer")); break;
    case FieldDescriptor::CPPTYPE_INT64: PODSIM_SET(Int64, parse_integer<int64_t>(label, value, "a 64-bit integer")); break;
    case FieldDescriptor::CPPTYPE_UINT32: PODSIM_SET(UInt32, parse_integer<uint32_t>(label, value, "a non-negative 32-bit integer")); break;
    case FieldDescriptor::CPPTYPE_UINT64: PODSIM_SET(UInt64, parse_integer<uint64_t>(label, value, "a non-negative 64-bit integer")); break;
    case FieldDescriptor::CPPTYPE_DOUBLE: PODSIM_SET(Double, parse_double(label, value)); break;
    case FieldDescriptor::CPPTYPE_FLOAT: {
      const double d = parse_double(label, value);
      if (std::fabs(d) > std::numeric_limits<float>::max()) fail(label, fmt::format("'{}' is out of range for a float", printable(value)));
      PODSIM_SET(Float, static_cast<float>(d));
      break;
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool b;
      if (value == "true" || value == "1") b = true;
      else if (value == "false" || value == "0") b = false;
      else fail(label, fmt::format("expected true or false, got '{}'", printable(value)));
      PODSIM_SET(Bool, b);
      break;
    }
    case FieldDescriptor::CPPTYPE_STRING: PODSIM_SET(String, std::string(value)); break;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* e = f->enum_type()->FindValueByName(std::string(value));
      if (e == nullptr) {
        std::string names;
        for (int i = 0; i < f->enum_type()->value_count(); ++i)
          names += (i ? ", " : "") + f->enum_type()->value(i)->name();
        fail(label, fmt::format("'{}' is not a {} (expected one of: {})", printable(value), f->enum_type()->name(), names));
      }
      PODSIM_SET(Enum, e);
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      fail(label, fmt::format("'{}' is a message ({}); set one of its fields: {}", f->name(),
                             f->message_type()->name(), field_names(f->message_type())));
  }
#undef PODSIM_SET
}

}  // namespace

std::pair<std::string, std::string> split_assignment(std::string_view assignment) {
  const size_t eq = assignment.find('=');
  if (eq == std::string_view::npos)
    throw UserError(fmt::format("--set {}: expected FIELD.PATH=VALUE", assignment));
  return {std::string(assignment.substr(0, eq)), std::string(assignment.substr(eq + 1))};
}

std::string canonical_field_path(std::string_view path) {
  std::string out;
  for (const Segment& seg : parse_path(path, "--set " + shown_path(path))) {
    out += (out.empty() ? "" : ".") + seg.name;
    if (seg.index) out += fmt::format("[{}]", *seg.index);
  }
  return out;
}

void set_field(Message& message, std::string_view path, std::string_view value, std::string_view origin) {
  const std::string shown = shown_path(path);
  const std::string label = origin.empty() ? fmt::format("--set {}", shown) : fmt::format("{}: {}", origin, shown);
  const std::vector<Segment> segments = parse_path(path, label);
  Message* m = &message;
  for (size_t i = 0; i < segments.size(); ++i) {
    const Segment& seg = segments[i];
    const Descriptor* d = m->GetDescriptor();
    const FieldDescriptor* f = d->FindFieldByName(seg.name);
    if (f == nullptr)
      fail(label, fmt::format("{} has no field '{}' (expected one of: {})", d->name(), printable(seg.name),
                              field_names(d)));
    const Reflection* r = m->GetReflection();
    if (f->is_repeated() && !seg.index)
      fail(label, fmt::format("'{}' is repeated: give an index, e.g. {}[0]", seg.name, seg.name));
    if (!f->is_repeated() && seg.index) fail(label, fmt::format("'{}' is not repeated: drop the [index]", seg.name));
    if (seg.index && *seg.index > r->FieldSize(*m, f))
      fail(label, fmt::format("index {} is out of range: '{}' has {} element(s) (expected an existing index, or {} to append)", *seg.index,
                             seg.name, r->FieldSize(*m, f), r->FieldSize(*m, f)));
    const bool last = i + 1 == segments.size();
    if (last) {
      set_scalar(*m, f, seg.index, label, value);
      return;
    }
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE)
      fail(label, fmt::format("'{}' is a scalar and has no field '{}'", seg.name, segments[i + 1].name));
    if (!f->is_repeated()) m = r->MutableMessage(m, f);
    else if (*seg.index == r->FieldSize(*m, f)) m = r->AddMessage(m, f);
    else m = r->MutableRepeatedMessage(m, f, *seg.index);
  }
}

}  // namespace podsim::scenario
