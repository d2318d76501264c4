#pragma once
// UserError: the one exception type that carries a user's mistake (bad scenario field,
// bad --set path, unreadable file) from where it is found to main, which prints its
// message and exits non-zero. The message already names the place
// ("scenarios/x.textproto:12:3: system.preset: ...") and what was expected.
//
// A message is one line, whatever it quotes: every control byte in it (a line break or
// an escape in a file name, a --set value or a value read from a file) is shown as '?'
// (engine/printable.h one_line), here, so that no message names a path on two lines.
// Several problems found at once are one error of a line each.
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/printable.h"

namespace podsim {

class UserError : public std::runtime_error {
 public:
  explicit UserError(const std::string& message) : std::runtime_error(one_line(message)) {}
  explicit UserError(const char* message) : UserError(std::string(message)) {}
  // Each of `lines` made one line as above; what() joins them with line breaks.
  explicit UserError(const std::vector<std::string>& lines) : std::runtime_error(joined(lines)) {}

 private:
  static std::string joined(const std::vector<std::string>& lines) {
    std::string all;
    for (const std::string& line : lines) all += (all.empty() ? "" : "\n") + one_line(line);
    return all;
  }
};

}  // namespace podsim
