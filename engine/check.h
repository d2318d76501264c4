#pragma once
// PODSIM_CHECK: an always-on invariant check (assert() vanishes under -DNDEBUG, and a
// simulator that silently continues past a broken invariant prints confident wrong
// numbers). A violation throws InternalError naming the invariant; main reports it as
// "internal error" and exits non-zero.
#include <stdexcept>
#include <string>

namespace podsim {

class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

[[noreturn]] void check_failed(const char* condition, const char* file, int line,
                               const std::string& message);
// The same for a literal message: no std::string is built at the call site, which
// keeps hot functions with a check (EventQueue::push) free of its cleanup code.
[[noreturn, gnu::cold]] void check_failed(const char* condition, const char* file, int line, const char* message);

}  // namespace podsim

#define PODSIM_CHECK(cond, msg)                                                   \
  do {                                                                            \
    if (!(cond)) [[unlikely]]                                                     \
      ::podsim::check_failed(#cond, __FILE__, __LINE__, (msg));                   \
  } while (0)

// For paths the code's invariants make impossible; unlike PODSIM_CHECK(false, ...)
// the compiler knows it does not return.
#define PODSIM_UNREACHABLE(msg) ::podsim::check_failed("unreachable", __FILE__, __LINE__, (msg))
