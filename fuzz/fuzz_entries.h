#pragma once
// The fuzzed entry points, one per input format a user hands podsim. Each takes raw
// bytes and runs them through the same code `podsim` runs on a file or an argument, up
// to the point where simulation would start.
//
// Contract (what a fuzzer checks): every input either passes or is refused with a
// UserError, which these functions swallow. Anything else escaping -- InternalError
// from a PODSIM_CHECK, std::invalid_argument from a library that trusted its caller,
// std::out_of_range, a sanitizer report, a hang -- is a bug in podsim.
//
// The same functions are compiled into the normal test suite, which replays every
// input kept in tests/fuzz_regressions/<target>/ (fuzz/fuzz_regression_test.cc).
#include <string_view>

namespace podsim::fuzz {

// Text -> ScenarioFile, then check_scenario() and every job's checks (cli/), as
// `podsim run` does before it builds anything.
void scenario_loader(std::string_view data);
// Lines of "path=value" applied with --set semantics (scenario/field_override.h) to a small
// valid scenario, then the same checks as scenario_loader.
void set_path(std::string_view data);
// The same lines on a tiny cluster run (one HGX server, one small job, a synthetic
// source), then the run itself when the checks pass: nothing in range may reach an
// internal error or a non-finite result (sim/finite_results.h). Inputs that ask for a
// bigger run than a fuzzer can afford per input (more systems, jobs, failures,
// checkpoints or timeline rows than the base's limits below) stop after the checks.
void set_run(std::string_view data);
// The Microsoft ITP and the Slurm-style CSV readers (scheduler/traces.h).
void itp_trace(std::string_view data);
void slurm_trace(std::string_view data);
// The Standard Workload Format reader (scheduler/trace_swf.h).
void swf_trace(std::string_view data);
// The declared-columns reader (scheduler/trace_declared.h). The first byte picks one
// of five declarations (a Kubernetes pod list with gpu_milli and offset times, a Slurm
// sacct export with ISO 8601 times and Elapsed, a Philly-style table of intervals and
// nodes x GPUs per node, Alibaba PAI's headerless task table with GPUs in percent,
// epoch milliseconds with start and end and a status filter); the rest is the CSV.
void declared_trace(std::string_view data);
// The node-list reader (scenario/node_list.h): the first byte picks the columns (odd: GPU
// count "gpu" and type "model", the openb layout; even: "gpus" alone); the rest is the CSV.
void node_list(std::string_view data);
// The protobuf trace reader behind `podsim trace` (io/trace_reader.h).
void protobuf_trace(std::string_view data);

// Runs the entry named `target` ("scenario_loader", ...). Returns false for an
// unknown name.
bool run_target(std::string_view target, std::string_view data);

}  // namespace podsim::fuzz
