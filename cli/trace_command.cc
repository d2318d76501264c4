#include "cli/trace_command.h"

#include <fmt/format.h>

#include "cli/command_line.h"
#include "io/trace_perfetto.h"
#include "io/trace_summary.h"
#include "engine/error.h"

namespace podsim::cli {

using io::PerfettoStats;
using io::print_trace_summary;
using io::summarize_trace;
using io::write_perfetto;
int trace_main(const std::vector<std::string>& args, std::ostream& out) {
  namespace po = boost::program_options;
  po::options_description options("podsim trace FILE (--summary | --perfetto OUT.json)");
  options.add_options()("help,h", "show this help")("trace", po::value<std::string>(), "trace file (podsim run --trace)")(
      "summary", "print events by kind, the time span and per-job totals")(
      "perfetto", po::value<std::string>(), "write Chrome trace-event JSON for ui.perfetto.dev / chrome://tracing");
  po::positional_options_description positional;
  positional.add("trace", 1);
  const auto vm = parse_command_line("trace", options, positional, args, out);
  if (!vm) return 0;
  require(*vm, "trace", "trace", "FILE");
  const std::string path = (*vm)["trace"].as<std::string>();
  if (!vm->count("summary") && !vm->count("perfetto"))
    throw UserError("podsim trace: nothing to do (expected --summary and/or --perfetto OUT.json)");
  if (vm->count("perfetto")) {
    const std::string json = (*vm)["perfetto"].as<std::string>();
    const PerfettoStats stats = write_perfetto(path, json);
    uint64_t written = 0;
    for (const auto& [phase, n] : stats.by_phase) written += n;
    out << fmt::format("perfetto        {} ({} JSON events from {} trace events; open in ui.perfetto.dev)\n", json,
                       written, stats.trace_events);
  }
  if (vm->count("summary")) print_trace_summary(summarize_trace(path), out);
  return 0;
}

}  // namespace podsim::cli
