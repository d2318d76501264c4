#pragma once
// ClusterRunSpec: a whole cluster run as plain C++ -- the cluster's parameters, the jobs
// and where they come from, the scheduler's options -- as StudySpec (sim/study.h) is a
// comparison study. sim::run_cluster(spec) (sim/cluster_run.h) builds the cluster, makes
// the jobs on the built inventory (sim/job_sources.h: pools are named, trace run times
// are work on a reference pool), plans them per pool and runs the scheduler.
// scenario/cluster_run.h builds one from a scenario file; a program builds one itself:
//
//   ClusterRunSpec spec{.cluster = {.name = "two racks",
//                                   .pools = {{.name = "nvl72", .preset = "nvl72", .count = 2,
//                                              .system = *topologies::preset("nvl72")}}}};
//   spec.sources.push_back(SyntheticJobs{.jobs = 20, .mean_interarrival_s = 600,
//                                        .templates = {{.name = "llm", .devices = {{64, 1}}, .median_hours = 2}}});
//   ClusterRunOutput out = run_cluster(spec);
//
// Problems found once the cluster is built (a pool name it does not have, a job larger
// than every pool it may use) are thrown together as FieldErrors at the field paths the
// scenario layer uses: "jobs[2].devices", "sources[0].synthetic.templates[1].pools[0]".
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "scheduler/cluster_run.h"
#include "scheduler/job.h"
#include "scheduler/trace_classes.h"
#include "scheduler/traces.h"
#include "topologies/params.h"
#include "workloads/job.h"

namespace podsim::sim {

// A job with a model, stepped by the step model on the placement it gets.
struct ExplicitJob {
  workloads::TrainingJob model;  // its name, devices, arrival and steps are the job's
  bool auto_plan = false;        // search the plan per pool (model.plan gives batch, precision, framework)
  std::vector<std::string> pools;  // pools it may use, by name; empty: any
  int priority = 0;
  std::string user;     // empty: the job's name
  double weight = 1;    // FAIR_SHARE
  scheduler::CheckpointPolicy checkpoint;
  scheduler::PlacementConstraints placement;
  // Where pools and placement were set, for messages ("job_settings[1]"); empty: "jobs[i]".
  std::string settings_field;
};

// A job class of a trace (sim/class_work.h): rows it matches become jobs of its workload.
struct TraceClass {
  std::string name;
  scheduler::ClassRule rule;
  scheduler::PlacementConstraints placement;
  bool auto_plan = false;
  // The class's model at `gpus` GPUs (named by the class, its devices the row's GPUs);
  // nullopt, with `why` set, if its plan cannot cut that many GPUs. Asked once per GPU
  // count its rows have, in row order.
  std::function<std::optional<workloads::TrainingJob>(uint32_t gpus, std::string& why)> workload;
};

// Rows of a job trace, already read (scheduler/traces.h, trace_declared.h).
struct TraceJobs {
  std::string path;  // the file the rows came from: messages say FILE:LINE
  scheduler::Trace trace;
  std::vector<std::string> pools;  // by name; empty: any
  scheduler::CheckpointPolicy checkpoint;
  double start_s = 0;      // added to every submit time
  size_t max_jobs = 0;     // the first jobs in submission order only; 0: all (the readers keep only these)
  bool skip_oversized = false;  // drop rows no pool can hold, instead of refusing the run
  // Classes, first match wins. Without classes every row is a run time at reference speed.
  std::vector<TraceClass> classes;
  std::string reference_pool;  // where class rows' run times were measured; empty: the slowest pool
  bool unmatched_as_durations = false;  // rows no class matches: run times (else skipped)
};

struct SyntheticTemplate {
  std::string name;
  double weight = 1;
  std::vector<std::pair<uint32_t, double>> devices;  // (count, relative weight)
  double median_hours = 1;  // log-normal length at reference speed
  double sigma = 0;
  std::vector<std::string> pools;  // by name; empty: any
  int priority = 0;
  std::string user;
  scheduler::CheckpointPolicy checkpoint;
};

// Poisson arrivals of jobs drawn from templates (scheduler/synthetic.h).
struct SyntheticJobs {
  uint32_t jobs = 0;
  double mean_interarrival_s = 60;
  double start_s = 0;
  std::vector<SyntheticTemplate> templates;
};

// Source i is "sources[i]" in messages; its jobs are named "ROW_ID#i" (traces) or
// "si/TEMPLATE-k" (synthetic, when there is more than one source).
using JobSource = std::variant<TraceJobs, SyntheticJobs>;

struct ClusterRunSpec {
  topologies::ClusterParams cluster;
  std::vector<ExplicitJob> jobs;
  std::vector<JobSource> sources;
  // Seed (synthetic arrivals draw from stream "arrivals/i" of it, failures from
  // "failures"), policy, placement, failures, horizon, timeline samples; its observer
  // and progress are the caller's to set.
  scheduler::ClusterRunOptions options;
};

}  // namespace podsim::sim
