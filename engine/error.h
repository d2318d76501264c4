#pragma once
// UserError: the one exception type that carries a user's mistake (bad scenario field,
// bad --set path, unreadable file) from where it is found to main, which prints its
// message on one line and exits non-zero. The message already names the place
// ("scenarios/x.textproto:12:3: system.preset: ...") and what was expected.
#include <stdexcept>

namespace podsim {

class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace podsim
