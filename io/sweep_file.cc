#include "io/sweep_file.h"

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "engine/error.h"

namespace podsim::io {
namespace {

constexpr std::string_view kMagic = "# podsim ";
constexpr std::string_view kVersion = "v1";

std::optional<size_t> parse_size(std::string_view s) {
  size_t v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// "key=" prefix of the next space-separated token; advances `rest` past it.
std::optional<std::string_view> take(std::string_view& rest, std::string_view key) {
  if (!rest.starts_with(key) || rest.size() <= key.size() || rest[key.size()] != '=') return std::nullopt;
  rest.remove_prefix(key.size() + 1);
  const size_t space = rest.find(' ');
  const std::string_view value = rest.substr(0, space);
  rest.remove_prefix(space == std::string_view::npos ? rest.size() : space + 1);
  return value;
}

}  // namespace

std::string format_header(const SweepHeader& h) {
  const std::string podsim = h.podsim.empty() ? "" : fmt::format("podsim={} ", h.podsim);
  return fmt::format("{}{} {} {}fingerprint={} points={} shard={} scenario={}", kMagic, h.kind, kVersion, podsim,
                     h.fingerprint, h.points, to_string(h.shard), h.scenario);
}

std::string written_by(const SweepHeader& h) {
  return h.podsim.empty() ? "a podsim that did not record its version" : fmt::format("podsim {}", h.podsim);
}

std::optional<SweepHeader> parse_header(std::string_view line, std::string_view kind) {
  const std::string lead = fmt::format("{}{} {} ", kMagic, kind, kVersion);
  if (!line.starts_with(lead)) return std::nullopt;
  std::string_view rest = line.substr(lead.size());
  SweepHeader h{.kind = kind};
  if (const auto podsim = take(rest, "podsim")) h.podsim = std::string(*podsim);
  const auto fingerprint = take(rest, "fingerprint");
  const auto points = take(rest, "points");
  const auto shard = take(rest, "shard");
  if (!fingerprint || !points || !shard || !rest.starts_with("scenario=")) return std::nullopt;
  h.fingerprint = std::string(*fingerprint);
  const auto n = parse_size(*points);
  if (!n) return std::nullopt;
  h.points = *n;
  try {
    h.shard = parse_shard(*shard);
  } catch (const UserError&) {
    return std::nullopt;
  }
  h.scenario = std::string(rest.substr(std::string_view("scenario=").size()));
  return h;
}

std::string csv_row(const std::vector<std::string>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += ',';
    const std::string& f = fields[i];
    if (f.find_first_of(",\"\n\r") == std::string::npos) {
      line += f;
      continue;
    }
    line += '"';
    for (char c : f) {
      if (c == '"') line += '"';
      line += (c == '\n' || c == '\r') ? ' ' : c;
    }
    line += '"';
  }
  return line;
}

std::optional<std::vector<std::string>> parse_csv_row(std::string_view line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c != '"')
        out.back() += c;
      else if (i + 1 < line.size() && line[i + 1] == '"')
        out.back() += '"', ++i;
      else
        quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  if (quoted) return std::nullopt;
  return out;
}

SweepTable read_sweep_file(const std::filesystem::path& path, std::string_view kind) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(fmt::format("{}: cannot open", path.string()));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();

  std::vector<std::string_view> lines;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(std::string_view(text).substr(start, nl - start));
  if (start < text.size()) {
    if (kind != kSweepJournal)
      throw UserError(fmt::format("{}:{}: truncated (the last line has no newline)", path.string(), lines.size() + 1));
    // A journal's unfinished last row: the point runs again.
  }

  SweepTable t;
  const auto header = lines.empty() ? std::nullopt : parse_header(lines[0], kind);
  if (!header)
    throw UserError(fmt::format("{}:1: not a podsim {} file (expected a first line '{}{} {} fingerprint=...')",
                                path.string(), kind, kMagic, kind, kVersion));
  t.header = *header;
  if (lines.size() < 2 || !lines[1].starts_with("point,"))
    throw UserError(fmt::format("{}:2: expected the column line 'point,...'", path.string()));
  t.columns = std::string(lines[1]);
  const size_t width = parse_csv_row(t.columns)->size();
  for (size_t i = 2; i < lines.size(); ++i) {
    const auto fields = parse_csv_row(lines[i]);
    const std::string where = fmt::format("{}:{}", path.string(), i + 1);
    if (!fields || fields->size() != width)
      throw UserError(fmt::format("{}: malformed row (expected {} comma-separated fields)", where, width));
    const auto point = parse_size(fields->front());
    if (!point || *point >= t.header.points || !t.header.shard.contains(*point))
      throw UserError(fmt::format("{}: point '{}' is not a point of shard {} of {} points", where, fields->front(),
                                  to_string(t.header.shard), t.header.points));
    if (!t.rows.emplace(*point, std::string(lines[i])).second)
      throw UserError(fmt::format("{}: point {} appears twice", where, *point));
    t.lines[*point] = i + 1;
  }
  return t;
}

void write_sweep_table(const SweepTable& t, std::ostream& out) {
  out << format_header(t.header) << '\n' << t.columns << '\n';
  for (const auto& [point, row] : t.rows) out << row << '\n';
}

Shard parse_shard(std::string_view text, std::string_view option) {
  const auto bad = [&] {
    return UserError(fmt::format("{} {}: expected K/N with 1 <= K <= N (e.g. 2/8)", option, text));
  };
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) throw bad();
  Shard s;
  const std::string_view k = text.substr(0, slash), n = text.substr(slash + 1);
  const auto rk = std::from_chars(k.data(), k.data() + k.size(), s.index);
  const auto rn = std::from_chars(n.data(), n.data() + n.size(), s.count);
  if (k.empty() || n.empty() || rk.ec != std::errc() || rk.ptr != k.data() + k.size() || rn.ec != std::errc() ||
      rn.ptr != n.data() + n.size() || s.index < 1 || s.index > s.count)
    throw bad();
  return s;
}

std::string to_string(const Shard& s) { return fmt::format("{}/{}", s.index, s.count); }

}  // namespace podsim::io
