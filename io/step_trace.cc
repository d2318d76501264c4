#include "io/step_trace.h"

#include "engine/check.h"

namespace podsim::io {

v1::TraceEvent& StepTraceEvents::fresh() {
  event_.Clear();
  event_.set_t_ns(0);
  return event_;
}

void StepTraceEvents::step_begins(const workloads::StepTraceInfo& info) {
  collectives_ = 0;
  flow_count_ = 0;
  v1::StepTraced* e = fresh().mutable_step_traced();
  e->set_job(job_);
  e->set_micro_batches(static_cast<uint32_t>(info.micro_batches));
  e->set_traced_micro_batches(static_cast<uint32_t>(info.traced_micro_batches));
  e->set_stages(static_cast<uint32_t>(info.stages));
  for (const workloads::StepGroup& g : info.groups) {
    v1::DeviceGroup* out = e->add_groups();
    out->set_kind(workloads::to_string(g.kind));
    out->set_stage(static_cast<uint32_t>(g.stage));
    for (uint32_t r : g.ranks) out->add_ranks(r);
  }
  sink_(event_);
}

void StepTraceEvents::collective(const workloads::StepCollective& c) {
  v1::CollectiveRun* e = fresh().mutable_collective();
  e->set_job(job_);
  e->set_id(c.id);
  e->set_group(c.group);
  e->set_kind(workloads::to_string(c.kind));
  e->set_phase(workloads::to_string(c.phase));
  e->set_op(engine::to_string(c.op));
  e->set_algorithm(engine::to_string(c.algorithm));
  e->set_bytes(c.bytes);
  e->set_count(static_cast<uint32_t>(c.count));
  e->set_start_ns(c.start.ns());
  e->set_end_ns(c.end.ns());
  ++collectives_;
  sink_(event_);
}

void StepTraceEvents::flow(const workloads::StepFlow& f) {
  v1::CollectiveFlow* e = fresh().mutable_collective_flow();
  e->set_job(job_);
  e->set_collective(f.collective);
  if (f.src) e->set_src(*f.src);
  if (f.dst) e->set_dst(*f.dst);
  e->set_bytes(f.bytes);
  e->set_start_ns(f.start.ns());
  e->set_end_ns(f.end.ns());
  ++flow_count_;
  sink_(event_);
}

void StepTraceEvents::step_ends(engine::SimTime makespan) {
  v1::StepTraceEnded* e = fresh().mutable_step_trace_ended();
  e->set_job(job_);
  e->set_traced_step_ns(makespan.ns());
  e->set_collectives(collectives_);
  e->set_flows(flow_count_);
  sink_(event_);
}

void restamp(v1::TraceEvent& e, uint32_t job, int64_t t_ns) {
  e.set_t_ns(t_ns);
  using E = v1::TraceEvent;
  switch (e.event_case()) {
    case E::kStepTraced: e.mutable_step_traced()->set_job(job); return;
    case E::kCollective: e.mutable_collective()->set_job(job); return;
    case E::kCollectiveFlow: e.mutable_collective_flow()->set_job(job); return;
    case E::kStepTraceEnded: e.mutable_step_trace_ended()->set_job(job); return;
    default: break;
  }
  PODSIM_CHECK(false, "restamp: not a step-trace event");
}

workloads::StepObserver* RecordedSteps::record(const Key& k) {
  if (has(k)) return nullptr;
  std::vector<v1::TraceEvent>& into = steps_[k];
  recording_.emplace(0, false, [&into](const v1::TraceEvent& e) { into.push_back(e); });
  return &*recording_;
}

}  // namespace podsim::io
