#include "io/compare_trace.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine/check.h"

namespace podsim::io {

CompareTrace::CompareTrace(TraceWriter& writer, std::span<const TracedSystem> systems) : writer_(writer) {
  v1::TraceHeader h;
  uint32_t devices = 0;
  for (const TracedSystem& s : systems) {
    v1::TracePool* p = h.add_pools();
    p->set_name(s.name);
    p->set_devices(s.devices);
    p->set_domains(s.domains);
    devices = std::max(devices, s.devices);
  }
  h.set_devices(devices);
  h.set_comparison(true);
  writer_.write_header(std::move(h));
}

workloads::StepObserver* CompareTrace::cell_begins(uint32_t system, const std::string& job, uint32_t devices,
                                                   double steps) {
  system_ = system;
  event_.Clear();
  event_.set_t_ns(0);
  v1::JobSubmitted* e = event_.mutable_submitted();
  e->set_name(job);
  e->set_devices(devices);
  e->set_steps(steps);
  e->add_pools(system);
  writer_.write_event(event_);
  steps_.reset();
  if (writer_.level() < TraceLevel::kSteps) return nullptr;
  steps_.emplace(cells_, writer_.level() >= TraceLevel::kFlows,
                 [this](const v1::TraceEvent& ev) { writer_.write_event(ev); });
  return &*steps_;
}

void CompareTrace::cell_ended(std::span<const engine::DeviceId> placement, uint32_t domains,
                              const workloads::StepResult& r) {
  const uint32_t job = cells_++;
  event_.Clear();
  event_.set_t_ns(0);
  v1::JobStarted* s = event_.mutable_started();
  s->set_job(job);
  s->set_pool(system_);
  for (engine::DeviceId d : placement) s->add_devices(engine::index(d));
  s->set_domains(domains);
  s->set_step_s(r.step_s);
  s->set_mfu(r.mfu);
  writer_.write_event(event_);
  if (writer_.level() >= TraceLevel::kSteps) {
    event_.Clear();
    event_.set_t_ns(0);
    v1::Step* st = event_.mutable_step();
    st->set_job(job);
    st->set_step_s(r.step_s);
    st->set_model_step_s(r.step_s);
    st->set_compute_s(r.compute_s);
    st->set_bubble_s(r.bubble_s);
    if (r.host_s > 0) st->set_host_s(r.host_s);
    if (r.offload_s > 0) st->set_offload_s(r.offload_s);
    for (size_t k = 0; k < workloads::kCommClasses; ++k) {
      if (r.exposed_s[k] <= 0) continue;
      v1::ExposedComm* x = st->add_exposed();
      x->set_kind(workloads::to_string(static_cast<workloads::CommClass>(k)));
      x->set_seconds(r.exposed_s[k]);
    }
    writer_.write_event(event_);
  }
  step_ns_.push_back(engine::SimTime::seconds_ceil(r.step_s).ns());
  steps_.reset();
}

void CompareTrace::finish() {
  std::vector<uint32_t> order(step_ns_.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return step_ns_[a] < step_ns_[b]; });
  int64_t end = 0;
  for (uint32_t j : order) {
    event_.Clear();
    event_.set_t_ns(step_ns_[j]);
    v1::JobFinished* f = event_.mutable_finished();
    f->set_job(j);
    f->set_held_s(static_cast<double>(step_ns_[j]) / 1e9);
    writer_.write_event(event_);
    end = std::max(end, step_ns_[j]);
  }
  event_.Clear();
  event_.set_t_ns(end);
  event_.mutable_run_ended()->set_finished(cells_);
  writer_.write_event(event_);
}

}  // namespace podsim::io
