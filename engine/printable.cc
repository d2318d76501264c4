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

std::string one_line(std::string_view s) {
  std::string out(s);
  for (char& ch : out)
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '?';
  return out;
}

}  // namespace podsim
