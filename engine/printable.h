#pragma once
// How a value read from a user's file (a CSV cell, a header, a name) appears inside a
// one-line error message. The file may be binary or the wrong file altogether: what is
// quoted from it must neither spill control bytes onto the terminal, nor break the
// message's one line, nor run on for a screen.
#include <string>
#include <string_view>

namespace podsim {

// `s` with every control or non-ASCII byte as '?', and when longer than 40 characters its
// first 37 followed by "...".
std::string printable(std::string_view s);

// `s` with every control byte (a line break, a tab, an escape) as '?', whole: a message
// that quotes a path or a value given on the command line stays on one line.
std::string one_line(std::string_view s);

// `s` with every control byte but the line break as '?': an error of several lines (a
// scenario's problems, one a line) keeps its lines, and nothing quoted in it moves the
// cursor or colors the terminal. What main prints for any error.
std::string printable_lines(std::string_view s);

}  // namespace podsim
