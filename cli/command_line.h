#pragma once
// The table of subcommands and the argument parsing they share. A command is one row of
// the table (main.cc): its name, what `podsim --help` says of it, its positional
// arguments, whether it takes --set, and two functions of its `*_command.cc`: one that
// declares its own options and one that runs it from the parsed values. The options
// every command has (-h, -v, -q), the positional argument and --set are declared here,
// once.
#include <spdlog/logger.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace podsim::cli {

// How much podsim says on stderr: -q only errors, -v also what it built and decided.
enum class Verbosity { kQuiet, kNormal, kVerbose };

// Where a command writes: its results to `out` (stdout); progress on stderr only when
// `progress` (stderr is a terminal and not -q: cli/progress.h).
struct Console {
  std::ostream& out;
  bool progress = false;
};

struct Command {
  std::string_view name;
  std::string_view synopsis;  // shown in `podsim --help`, one or two lines
  std::string_view usage;     // the first line of `podsim NAME --help`
  // The positional argument: its option name ("" for none), its help, and how many it
  // takes (1, or -1: every remaining one, as a list).
  const char* positional = "";
  std::string_view positional_help;
  int positional_count = 1;
  // The name of the positional argument in "missing SCENARIO"; empty: it is optional.
  std::string_view required;
  // Non-empty: the command takes --set (repeatable), which does this.
  std::string_view set_help;
  // Declares the command's own options; may be null.
  void (*options)(boost::program_options::options_description& options) = nullptr;
  // Runs the command; returns the exit code. Bad input is a thrown UserError (exit 2).
  int (*run)(const boost::program_options::variables_map& vm, const Console& console) = nullptr;
};

// A command's parsed arguments and the verbosity they ask for.
struct ParsedCommand {
  boost::program_options::variables_map vm;
  std::optional<Verbosity> verbosity;  // -v or -q among the arguments; nullopt: neither
};

// Parses ARGS of `podsim COMMAND` against the command's options and the shared ones.
// Returns nullopt after printing the help to OUT when --help was given. Throws
// UserError naming the command for an unknown option, a malformed value, a missing
// required argument, or -v with -q.
std::optional<ParsedCommand> parse_command_line(const Command& command, const std::vector<std::string>& args,
                                                std::ostream& out);

// The values of a repeatable string option, or an empty list.
std::vector<std::string> strings_of(const boost::program_options::variables_map& vm, const char* name);

// The value of a string option, or `fallback` when it was not given.
std::string string_of(const boost::program_options::variables_map& vm, const char* name,
                      const std::string& fallback = {});

// The value of a path option, or "" when it was not given. Throws UserError
// ("--report: an empty path (expected a file path)") when it was given empty: `--report ""`
// (an unset shell variable) must not silently mean "no report".
std::string path_of(const boost::program_options::variables_map& vm, const char* name);

// --threads N: how many threads the command runs at once, or the machine's hardware
// threads when it was not given. Throws UserError naming `command` unless 1 <= N <= 1024
// (more than a machine's cores only adds switching; a typo must not start a million).
size_t threads_of(const boost::program_options::variables_map& vm, std::string_view command);

// The command line's logger ("cli", made by main at the level -v/-q ask for), or one
// that drops everything when main did not make it (tests call commands directly).
std::shared_ptr<spdlog::logger> cli_log();

// Seconds since construction, for -v's time per phase.
class Stopwatch {
 public:
  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }
  // Seconds since construction or the previous lap.
  double lap() {
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - lap_).count();
    lap_ = now;
    return s;
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), lap_ = start_;
};

// --max-events N and --max-memory-gib G, for commands that run simulations: the
// scenario's limits {...} (docs/reliability.md, "Run size").
void add_limit_options(boost::program_options::options_description& options);
// A value a command-line option sets in the scenario, and the option, which its errors
// name (`--max-events: limits.max_events: ...`, not a `--set` the user never typed).
struct OptionOverride {
  std::string assignment;  // "limits.max_events=N"
  std::string option;      // "--max-events"
};
// The limit options given, as assignments of the scenario's `limits`. They apply to
// the scenario itself, never as a sweep's axis.
std::vector<OptionOverride> limit_overrides(const boost::program_options::variables_map& vm);

}  // namespace podsim::cli
