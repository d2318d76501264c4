#pragma once
// Failure model: devices, nodes and scale-out links fail independently, each unit as a
// renewal process (time to failure exponential or Weibull with the given mean, then a
// fixed repair time, then a fresh draw), and checkpoint intervals derived from it.
//
// Defaults are Llama 3's pre-training run (Dubey et al., "The Llama 3 Herd of Models",
// 2024, §3.3.4): 419 unexpected interruptions in a 54-day snapshot on 16,384 H100 GPUs.
// Charged to the GPUs, that is one interruption per 54 x 24 x 16,384 / 419 = 50,677
// GPU-hours. The report gives no repair times; the default below is ours.
#include <cstdint>
#include <vector>

#include "engine/sim_time.h"

namespace podsim::scheduler {

enum class FailureUnit {
  kDevice,  // the device is down until repaired
  kNode,    // every device of the node
  kLink,    // the node's scale-out link: modelled as the node unavailable until repaired
};
const char* to_string(FailureUnit u);

struct FailureKind {
  FailureUnit unit = FailureUnit::kDevice;
  double mtbf_hours = 0;      // mean time between failures of ONE unit; > 0
  double weibull_shape = 1;   // 1: exponential; < 1: infant mortality; > 1: wear-out
  engine::SimTime repair = engine::SimTime::seconds(3 * 3600.0);
};

// Llama 3's interruption rate charged to single devices (see above).
inline constexpr double kLlama3DeviceMtbfHours = 54.0 * 24.0 * 16384.0 / 419.0;
inline FailureKind llama3_device_failures() {
  return {.unit = FailureUnit::kDevice, .mtbf_hours = kLlama3DeviceMtbfHours};
}

// A failure at a given time, for tests and what-if studies ("lose node 12 at hour 30").
struct ScriptedFailure {
  engine::SimTime at;
  FailureUnit unit = FailureUnit::kDevice;
  uint32_t index = 0;  // device or node index in the inventory
  engine::SimTime repair = engine::SimTime::seconds(3 * 3600.0);
};

struct FailureOptions {
  std::vector<FailureKind> kinds;  // empty: no random failures
  std::vector<ScriptedFailure> scripted;
  // Devices held back per pool as hot spares: a job that loses devices restarts at once
  // on spares (paying its restart cost) instead of queueing again.
  uint32_t spares_per_pool = 0;
};

// Mean time between interruptions of a job spanning `devices` devices on `nodes`
// nodes, in seconds; +inf without failures.
double job_mtbf_seconds(const FailureOptions& f, uint32_t devices, uint32_t nodes);

// Young's first-order optimum checkpoint interval sqrt(2 C M) (J. W. Young, "A first
// order approximation to the optimum checkpoint interval", CACM 17(9), 1974), with
// Daly's correction dropped (Daly, FGCS 22(3), 2006, shows it matters only when C is
// not << M). REQUIRES: write_cost > 0.
engine::SimTime young_daly_interval(engine::SimTime write_cost, double job_mtbf_seconds);

}  // namespace podsim::scheduler
