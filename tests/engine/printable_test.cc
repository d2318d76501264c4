// A value from a user's file as quoted in a one-line error message (engine/printable.h).
#include "engine/printable.h"

#include <doctest/doctest.h>

#include <string>

using podsim::printable;

TEST_CASE("printable: control and non-ASCII bytes become '?', a long value is cut at 40 characters") {
  CHECK(printable("") == "");
  CHECK(printable("job-1,8 GPUs") == "job-1,8 GPUs");
  CHECK(printable(std::string("a\tb\nc\rd\0e", 9)) == "a?b?c?d?e");
  CHECK(printable("\x7f\x80\xff") == "???");
  CHECK(printable("H100 \xe2\x80\x94 SXM") == "H100 ??? SXM");  // UTF-8: one '?' a byte
  const std::string forty(40, 'x');
  CHECK(printable(forty) == forty);
  CHECK(printable(forty + "y") == std::string(37, 'x') + "...");
  // Cut before the bytes are replaced: a long binary value is 37 '?' and "...".
  CHECK(printable(std::string(1000, '\0')) == std::string(37, '?') + "...");
}
