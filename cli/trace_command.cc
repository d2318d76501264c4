#include "cli/trace_command.h"

#include <fmt/format.h>

#include "cli/command_line.h"
#include "io/output_paths.h"
#include "io/trace_perfetto.h"
#include "io/trace_summary.h"
#include "engine/error.h"

namespace podsim::cli {

using io::PerfettoStats;
using io::print_trace_summary;
using io::summarize_trace;
using io::write_perfetto;
void trace_options(boost::program_options::options_description& options) {
  options.add_options()("summary", "print events by kind, the time span and per-job totals")(
      "perfetto", boost::program_options::value<std::string>(),
      "write Chrome trace-event JSON for ui.perfetto.dev / chrome://tracing");
}

int trace_run(const boost::program_options::variables_map& vm, const Console& console) {
  std::ostream& out = console.out;
  const std::string path = vm["trace"].as<std::string>();
  if (!vm.count("summary") && !vm.count("perfetto"))
    throw UserError("podsim trace: nothing to do (expected --summary and/or --perfetto OUT.json)");
  if (vm.count("perfetto")) {
    const std::string json = vm["perfetto"].as<std::string>();
    io::check_outputs({{.role = "trace", .path = path}}, {{.role = "--perfetto", .path = json, .signature = std::string(io::kPerfettoSignature)}});
    const PerfettoStats stats = write_perfetto(path, json);
    uint64_t written = 0;
    for (const auto& [phase, n] : stats.by_phase) written += n;
    out << fmt::format("perfetto        {} ({} JSON events from {} trace events; open in ui.perfetto.dev)\n", json,
                       written, stats.trace_events);
  }
  if (vm.count("summary")) print_trace_summary(summarize_trace(path), out);
  return 0;
}

}  // namespace podsim::cli
