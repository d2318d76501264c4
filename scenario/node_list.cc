#include "scenario/node_list.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "engine/csv_reader.h"
#include "engine/error.h"
#include "engine/printable.h"
#include "scheduler/trace_rows.h"

namespace podsim::scenario {
namespace {

std::string trimmed(const std::string& s) {
  const size_t b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

NodeList read_node_list(const std::string& path, const NodeListColumns& columns) {
  // A directory opens, then fails its first read (exit 3 once); refused by name first.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw UserError(fmt::format("{}: is a directory (expected a CSV node list)", path));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(fmt::format("{}: cannot open node list ({})", path, std::strerror(errno)));
  return read_node_list(in, path, columns);
}

NodeList read_node_list(std::istream& in, const std::string& path, const NodeListColumns& columns) {
  CsvReader csv(in, path);
  std::optional<CsvRecord> head = scheduler::next_header_row(csv);  // blank lines before it skipped
  if (!head) throw UserError(fmt::format("{}: empty node list (expected a header row)", path));
  std::vector<std::string> header;
  for (const std::string& h : head->fields) header.push_back(trimmed(h));
  const auto column = [&](const std::string& name, const char* role) -> std::optional<size_t> {
    if (name.empty()) return std::nullopt;
    if (const auto col = scheduler::find_column(header, name, fmt::format("{}:{}", path, head->line))) return col;
    throw UserError(scheduler::missing_column_message(fmt::format("{}:{}", path, head->line), name,
                                                      fmt::format("declared as the {} column", role), header));
  };
  const size_t gpus_col = *column(columns.gpus, "GPU count");
  const std::optional<size_t> type_col = column(columns.gpu_type, "GPU type");

  NodeList out;
  std::map<std::pair<std::string, int>, size_t> group_of;
  while (std::optional<CsvRecord> r = csv.next()) {
    if (r->open_quote)
      throw UserError(fmt::format("{}:{}: a quoted field is not closed (expected '\"' before the end of the file)",
                                  path, r->line));
    if (r->fields.empty()) continue;  // a blank line
    if (r->fields.size() < header.size())
      throw UserError(fmt::format("{}:{}: {} fields, the header has {}", path, r->line, r->fields.size(), header.size()));
    scheduler::check_row_width(*r, header.size(), path);
    const std::string text = trimmed(r->fields[gpus_col]);
    int gpus = -1;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), gpus);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || gpus < 0 || gpus > kMaxGpusPerMachine)
      throw UserError(fmt::format("{}:{}: column '{}': expected a whole number of GPUs in [0, {}], got '{}'", path,
                                  r->line, header[gpus_col], kMaxGpusPerMachine, printable(text)));
    if (gpus == 0) {
      ++out.skipped["no GPUs"];
      continue;
    }
    std::string type = type_col ? trimmed(r->fields[*type_col]) : std::string();
    const auto [it, fresh] = group_of.try_emplace({type, gpus}, out.groups.size());
    if (fresh) out.groups.push_back({.gpu_type = std::move(type), .gpus = gpus, .machines = 0, .first_line = r->line});
    ++out.groups[it->second].machines;
  }
  return out;
}

}  // namespace podsim::scenario
