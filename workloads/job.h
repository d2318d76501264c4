#pragma once
// TrainingJob: one job of a scenario as plain data -- the model, its plan, its devices
// and how much to train -- as the loader (scenario/job_from_proto.h) builds it.
#include <cmath>
#include <string>

#include "workloads/model.h"
#include "workloads/parallel_plan.h"

namespace podsim::workloads {

struct TrainingBudget {
  enum class Unit { kSteps, kSamples, kTokens };
  Unit unit = Unit::kSteps;
  double amount = 1;
};

struct TrainingJob {
  std::string name;
  double arrival_s = 0;
  ModelSpec model;
  Plan plan;
  int devices = 1;
  TrainingBudget budget;

  // Optimizer steps the budget takes, rounded up. REQUIRES: a validated plan.
  long long steps() const {
    const double per_step = plan.global_batch;
    switch (budget.unit) {
      case TrainingBudget::Unit::kSteps: return static_cast<long long>(budget.amount);
      case TrainingBudget::Unit::kSamples: return static_cast<long long>(std::ceil(budget.amount / per_step));
      case TrainingBudget::Unit::kTokens:
        return static_cast<long long>(std::ceil(budget.amount / (per_step * model.seq_len)));
    }
    return 0;
  }
};

}  // namespace podsim::workloads
