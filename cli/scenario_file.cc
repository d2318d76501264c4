#include "cli/scenario_file.h"

#include <fmt/format.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "cli/field_override.h"
#include "engine/error.h"

namespace podsim::cli {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::TextFormat;

// Collects the parser's complaints as "FILE:LINE:COL: message" (protobuf counts lines
// and columns from 0; people and editors count from 1).
class Collector : public google::protobuf::io::ErrorCollector {
 public:
  explicit Collector(std::string path) : path_(std::move(path)) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    errors_.push_back(fmt::format("{}:{}:{}: {}", path_, line + 1, column + 1, message));
  }
  void AddWarning(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    AddError(line, column, message);  // deprecated fields and the like: treat as errors
  }
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  std::string path_;
  std::vector<std::string> errors_;
};

}  // namespace

ScenarioFile::ScenarioFile() : locations_(std::make_unique<TextFormat::ParseInfoTree>()) {}
ScenarioFile::ScenarioFile(ScenarioFile&&) noexcept = default;
ScenarioFile& ScenarioFile::operator=(ScenarioFile&&) noexcept = default;
ScenarioFile::~ScenarioFile() = default;

ScenarioFile ScenarioFile::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(fmt::format("{}: cannot open scenario file", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw UserError(fmt::format("{}: read error", path));
  return parse(path, text.str());
}

ScenarioFile ScenarioFile::parse(const std::string& path, const std::string& text) {
  ScenarioFile file;
  file.path_ = path;
  file.text_ = text;
  if (text.find('\0') != std::string::npos)
    throw UserError(fmt::format("{}: not a text scenario file (contains NUL bytes)", path));
  Collector collector(path);
  TextFormat::Parser parser;
  parser.RecordErrorsTo(&collector);
  parser.WriteLocationsTo(file.locations_.get());
  parser.AllowUnknownField(false);
  parser.AllowUnknownExtension(false);
  const bool ok = parser.ParseFromString(text, &file.scenario_);
  if (!ok || !collector.errors().empty()) {
    std::string message;
    for (const std::string& e : collector.errors()) message += (message.empty() ? "" : "\n") + e;
    if (message.empty()) message = fmt::format("{}: could not parse scenario", path);
    throw UserError(message);
  }
  return file;
}

void ScenarioFile::apply_override(std::string_view assignment) {
  auto [field, value] = split_assignment(assignment);
  set_field(scenario_, field, value);
  overridden_[field] = std::string(assignment);
}

std::string ScenarioFile::where(std::string_view field_path) const {
  if (auto it = overridden_.find(field_path); it != overridden_.end()) return "--set " + it->first;
  // Walk the location tree along the path; stop at the deepest field that was written.
  const TextFormat::ParseInfoTree* tree = locations_.get();
  const Descriptor* d = scenario_.GetDescriptor();
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
    const auto range = tree->GetLocationRange(f, index);
    if (range.start.line < 0) break;  // not in the file: default value
    location = fmt::format("{}:{}:{}", path_, range.start.line + 1, range.start.column + 1);
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) break;
    tree = tree->GetTreeForNested(f, index);
    d = f->message_type();
    start = dot + 1;
  }
  return location;
}

}  // namespace podsim::cli
