#pragma once
// Synthetic job mixes: Poisson arrivals, each job drawn from a weighted set of templates
// (an LLM pre-training run, a video-diffusion fine-tune, ...), with its device count
// from a discrete distribution and its length log-normal around a median -- the shape
// reported for production GPU clusters (Jeon et al., "Analysis of Large-Scale
// Multi-Tenant GPU Clusters for DNN Training Workloads", USENIX ATC'19, Philly: run
// times spread over orders of magnitude; Hu et al., NSDI'24, Acme: a few huge
// pre-training jobs among many small ones).
//
//   SyntheticOptions o{.jobs = 100, .mean_interarrival_s = 600,
//                      .templates = {{.name = "llm", .devices = {{64, 1}, {256, 1}},
//                                     .median_steps = 5000, .sigma = 1}}};
//   std::vector<JobRequest> jobs = generate_jobs(o, rng);
#include <cstdint>
#include <string>
#include <vector>

#include "engine/random.h"
#include "scheduler/job.h"

namespace podsim::scheduler {

struct JobTemplate {
  std::string name;    // jobs are named "<prefix><name>-<k>"
  double weight = 1;   // relative frequency among the templates
  uint32_t workload = 0;  // JobRequest::workload: the model the oracle steps
  // (devices, relative weight) pairs. REQUIRES: non-empty.
  std::vector<std::pair<uint32_t, double>> devices;
  double median_steps = 1000;  // log-normal: median, and sigma of the log
  double sigma = 0;
  std::vector<uint32_t> pools;  // empty: any
  int priority = 0;
  std::string user;
  CheckpointPolicy checkpoint;
};

struct SyntheticOptions {
  uint32_t jobs = 0;
  double mean_interarrival_s = 60;  // Poisson process: exponential gaps
  double start_s = 0;               // first possible arrival
  std::string name_prefix;
  std::vector<JobTemplate> templates;
};

// Throws std::invalid_argument for an empty template list, non-positive weights, or an
// arrival later than 1e9 s.
std::vector<JobRequest> generate_jobs(const SyntheticOptions& options, engine::RandomEngine& rng);

}  // namespace podsim::scheduler
