#include "cli/command_line.h"

#include <fmt/format.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <ostream>
#include <thread>

#include "engine/error.h"

namespace po = boost::program_options;

namespace podsim::cli {

std::optional<ParsedCommand> parse_command_line(const Command& command, const std::vector<std::string>& args,
                                                std::ostream& out) {
  po::options_description options(std::string(command.usage));
  options.add_options()("help,h", "show this help")("verbose,v", po::bool_switch(),
                                                    "say what podsim builds and decides, and how long each phase takes")(
      "quiet,q", po::bool_switch(), "print only errors on stderr (no log lines, no progress)");
  po::positional_options_description positional;
  if (*command.positional) {
    if (command.positional_count == 1)
      options.add_options()(command.positional, po::value<std::string>(), std::string(command.positional_help).c_str());
    else
      options.add_options()(command.positional, po::value<std::vector<std::string>>(),
                            std::string(command.positional_help).c_str());
    positional.add(command.positional, command.positional_count);
  }
  if (!command.set_help.empty())
    options.add_options()("set", po::value<std::vector<std::string>>()->composing(),
                          std::string(command.set_help).c_str());
  if (command.options) command.options(options);

  ParsedCommand parsed;
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), parsed.vm);
    if (parsed.vm.count("help")) {
      out << options << "\n";
      return std::nullopt;
    }
    po::notify(parsed.vm);
  } catch (const po::invalid_option_value& e) {
    // Boost says only "the argument ('1e3') for option '--devices' is invalid": say what
    // an integer option takes.
    const std::string name = e.get_option_name();
    const po::option_description* o = options.find_nothrow(name.substr(name.find_first_not_of('-')), false);
    const bool integer = o != nullptr && dynamic_cast<const po::typed_value<int>*>(o->semantic().get()) != nullptr;
    throw UserError(fmt::format("podsim {}: {}{} (see 'podsim {} --help')", command.name, e.what(),
                                integer ? " (expected a whole number, digits only, at most 2147483647)" : "",
                                command.name));
  } catch (const po::error& e) {
    throw UserError(fmt::format("podsim {}: {} (see 'podsim {} --help')", command.name, e.what(), command.name));
  }
  const bool verbose = parsed.vm["verbose"].as<bool>(), quiet = parsed.vm["quiet"].as<bool>();
  if (verbose && quiet)
    throw UserError(fmt::format("podsim {}: -v and -q together: expected one of them", command.name));
  if (verbose) parsed.verbosity = Verbosity::kVerbose;
  if (quiet) parsed.verbosity = Verbosity::kQuiet;
  if (!command.required.empty() && !parsed.vm.count(command.positional))
    throw UserError(fmt::format("podsim {}: missing {} (see 'podsim {} --help')", command.name, command.required,
                                command.name));
  return parsed;
}

std::vector<std::string> strings_of(const po::variables_map& vm, const char* name) {
  if (!vm.count(name)) return {};
  return vm[name].as<std::vector<std::string>>();
}

std::string string_of(const po::variables_map& vm, const char* name, const std::string& fallback) {
  return vm.count(name) ? vm[name].as<std::string>() : fallback;
}

std::string path_of(const po::variables_map& vm, const char* name) {
  const std::string path = string_of(vm, name);
  if (vm.count(name) && path.empty()) throw UserError(fmt::format("--{}: an empty path (expected a file path)", name));
  return path;
}

size_t threads_of(const po::variables_map& vm, std::string_view command) {
  if (!vm.count("threads")) return std::max(1U, std::thread::hardware_concurrency());
  const int n = vm["threads"].as<int>();
  if (n < 1 || n > 1024) throw UserError(fmt::format("{}: --threads {}: expected an integer in [1, 1024]", command, n));
  return static_cast<size_t>(n);
}

std::shared_ptr<spdlog::logger> cli_log() {
  if (auto log = spdlog::get("cli")) return log;
  return std::make_shared<spdlog::logger>("cli", std::make_shared<spdlog::sinks::null_sink_mt>());
}

void add_limit_options(po::options_description& options) {
  options.add_options()("max-events", po::value<std::string>(),
                        "refuse a cluster run estimated to process more events (default 1e9, ~45 min); sets "
                        "limits.max_events")(
      "max-memory-gib", po::value<std::string>(),
      "refuse a cluster run estimated to hold more memory, in GiB (default: MemAvailable); sets "
      "limits.max_memory_gib");
}

std::vector<OptionOverride> limit_overrides(const po::variables_map& vm) {
  std::vector<OptionOverride> out;
  if (vm.count("max-events"))
    out.push_back({"limits.max_events=" + vm["max-events"].as<std::string>(), "--max-events"});
  if (vm.count("max-memory-gib"))
    out.push_back({"limits.max_memory_gib=" + vm["max-memory-gib"].as<std::string>(), "--max-memory-gib"});
  return out;
}

}  // namespace podsim::cli
