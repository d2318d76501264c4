#pragma once
// The shared part of every subcommand's argument parsing, so each `*_command.cc` only
// declares its options and turns them into its own options struct.

#include <boost/program_options.hpp>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace podsim::cli {

// One subcommand: `podsim NAME ARGS...`. `main` returns the exit code and writes
// results to `out`; bad input is a thrown UserError (exit 2).
struct Command {
  std::string_view name;
  std::string_view synopsis;  // shown in `podsim --help`, one or two lines
  int (*main)(const std::vector<std::string>& args, std::ostream& out);
};

// Parses ARGS of `podsim COMMAND` against OPTIONS (which should hold "help,h").
// Returns nullopt after printing the help to OUT when --help was given. Throws
// UserError naming the command for an unknown option or a malformed value.
std::optional<boost::program_options::variables_map> parse_command_line(
    std::string_view command, const boost::program_options::options_description& options,
    const boost::program_options::positional_options_description& positional,
    const std::vector<std::string>& args, std::ostream& out);

// The values of a repeatable string option, or an empty list.
std::vector<std::string> strings_of(const boost::program_options::variables_map& vm, const char* name);

// The "--set a.b=VALUE" option every scenario-reading command takes.
void add_set_option(boost::program_options::options_description& options);

// Throws UserError "podsim COMMAND: missing WHAT (see 'podsim COMMAND --help')" unless
// vm has `name`.
void require(const boost::program_options::variables_map& vm, const char* name, std::string_view command,
             std::string_view what);

}  // namespace podsim::cli
