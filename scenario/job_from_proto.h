#pragma once
// The scenario's `jobs` (proto/podsim/v1/workload.proto) as workloads::TrainingJob:
// model presets looked up by name, overrides applied field by field, defaults filled
// in (dp from devices, global batch), and every problem -- in the proto or found by
// workloads::check() on the result -- reported with the field's place in the file
// ("x.textproto:9:12: jobs[0].plan.tp: 5 does not divide the 96 heads of model
// gpt3-175b") or the --set that changed it.
#include <optional>
#include <vector>

#include "scenario/scenario_check.h"
#include "scenario/scenario_file.h"
#include "engine/device.h"
#include "podsim/v1/workload.pb.h"
#include "workloads/job.h"

namespace podsim::scenario {

// Job `index` of the scenario. Records every problem in `problems`; nullopt iff there
// was any. With `device` (the accelerator the job will run on; may be null), also
// checks the precision against it and that the plan fits its memory.
std::optional<workloads::TrainingJob> training_job(const ScenarioFile& file, int index, Problems& problems,
                                                   const engine::DeviceSpec* device = nullptr);

// The same for a Job message found at `field` (a trace class's workload:
// "sources[0].trace.classes[1].workload").
std::optional<workloads::TrainingJob> training_job(const ScenarioFile& file, const podsim::v1::Job& job,
                                                   const std::string& field, Problems& problems,
                                                   const engine::DeviceSpec* device = nullptr);

// Every job, throwing UserError with every problem of every job.
std::vector<workloads::TrainingJob> training_jobs(const ScenarioFile& file, const engine::DeviceSpec* device = nullptr);

}  // namespace podsim::scenario
