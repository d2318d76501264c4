// A value from a user's file as quoted in a one-line error message (engine/printable.h).
#include "engine/printable.h"

#include <doctest/doctest.h>

#include <string>

using podsim::one_line;
using podsim::printable;
using podsim::printable_lines;

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

TEST_CASE("one_line: every control byte becomes '?', the value is kept whole") {
  CHECK(one_line("") == "");
  CHECK(one_line(std::string("a\nb\tc\rd\x1b[31me\x7f\0f", 16)) == "a?b?c?d?[31me??f");
  CHECK(one_line("H100 \xe2\x80\x94 SXM") == "H100 \xe2\x80\x94 SXM");  // non-ASCII is kept: a path may be UTF-8
  const std::string long_path(300, 'p');
  CHECK(one_line(long_path) == long_path);
}

TEST_CASE("printable_lines: as one_line but the line breaks of a several-line error are kept") {
  CHECK(printable_lines("") == "");
  CHECK(printable_lines("a.textproto:3:1: x: bad\na.textproto:9:1: y: bad") == "a.textproto:3:1: x: bad\na.textproto:9:1: y: bad");
  CHECK(printable_lines(std::string("a\tb\r\n\x1b[2Jc\x7f\0", 12)) == "a?b?\n?[2Jc??");
  // Each line of a several-line message is what one_line makes of it.
  const std::string line = "x\x1b\ty";
  CHECK(printable_lines(line + "\n" + line) == one_line(line) + "\n" + one_line(line));
}
