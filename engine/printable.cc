#include "engine/printable.h"

namespace podsim {

std::string printable(std::string_view s) {
  constexpr size_t kMax = 40;
  std::string out(s.size() > kMax ? s.substr(0, kMax - 3) : s);
  for (char& ch : out)
    if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) >= 0x7f) ch = '?';
  if (s.size() > kMax) out += "...";
  return out;
}

namespace {

// `s` with each control byte (below 0x20, and DEL) as '?', but a line break when `keep_line_breaks`.
std::string controls_masked(std::string_view s, bool keep_line_breaks) {
  std::string out(s);
  for (char& ch : out)
    if ((static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) && !(keep_line_breaks && ch == '\n')) ch = '?';
  return out;
}

}  // namespace

std::string one_line(std::string_view s) { return controls_masked(s, false); }

std::string printable_lines(std::string_view s) { return controls_masked(s, true); }

}  // namespace podsim
