#include "io/trace_writer.h"

#include <fmt/format.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/util/delimited_message_util.h>

#include "engine/check.h"
#include "engine/error.h"
#include "io/trace_reader.h"

namespace podsim::io {
namespace {

// Large blocks: one write() per 256 KiB of trace rather than per event.
constexpr int kBlockBytes = 256 << 10;

void put_devices(google::protobuf::RepeatedField<uint32_t>* out, std::span<const uint32_t> devices) {
  out->Reserve(static_cast<int>(devices.size()));
  for (uint32_t d : devices) out->AddAlreadyReserved(d);
}

}  // namespace

std::optional<TraceLevel> parse_trace_level(std::string_view name) {
  if (name == "jobs") return TraceLevel::kJobs;
  if (name == "steps") return TraceLevel::kSteps;
  if (name == "flows") return TraceLevel::kFlows;
  return std::nullopt;
}

const char* to_string(TraceLevel level) {
  switch (level) {
    case TraceLevel::kJobs: return "jobs";
    case TraceLevel::kSteps: return "steps";
    case TraceLevel::kFlows: return "flows";
  }
  return "?";
}

TraceWriter::TraceWriter(const std::filesystem::path& path, TraceInfo info)
    : info_(std::move(info)),
      file_(path),
      stream_(std::make_unique<google::protobuf::io::OstreamOutputStream>(&file_.stream(), kBlockBytes)) {}

TraceWriter::~TraceWriter() = default;

uint64_t TraceWriter::bytes() const { return stream_ ? static_cast<uint64_t>(stream_->ByteCount()) : bytes_; }

void TraceWriter::finish() {
  PODSIM_CHECK(ended_, "a trace finished before its run ended");
  bytes_ = bytes();
  stream_.reset();  // flushes its buffer into the file stream
  file_.commit();
}

void TraceWriter::write(const google::protobuf::MessageLite& message) {
  // The reader refuses a message past its limit as a corrupted length prefix: a trace
  // podsim writes must be one podsim reads (a job named by 20 MB of text wrote a trace
  // that `podsim trace` then refused). Names and device lists make events this large.
  if (const size_t size = message.ByteSizeLong(); size > kMaxTraceMessageBytes)
    throw UserError(fmt::format("{}: --trace: event {} would be {} bytes, more than the {} a trace event may hold "
                                "(expected names far shorter than that, and jobs on at most a few million devices)",
                                file_.path().string(), events_, size, kMaxTraceMessageBytes));
  if (!google::protobuf::util::SerializeDelimitedToZeroCopyStream(message, stream_.get()))
    throw UserError(fmt::format("{}: write failed (disk full?)", file_.path().string()));
  ++events_;
}

v1::TraceEvent& TraceWriter::event(engine::SimTime t) {
  event_.Clear();
  event_.set_t_ns(t.ns());
  return event_;
}

uint32_t TraceWriter::job_index(uint32_t job) const {
  PODSIM_CHECK(job < trace_job_.size() && trace_job_[job], "a trace event names a job before its submission");
  return *trace_job_[job];
}

void TraceWriter::write_header(v1::TraceHeader h) {
  h.set_format(std::string(kTraceFormat));
  h.set_version(1);
  h.set_scenario(info_.scenario);
  h.set_seed(info_.seed);
  h.set_level(static_cast<v1::TraceLevel>(static_cast<int>(info_.level)));
  h.set_time_unit("ns");
  write(h);
  --events_;  // the header is not an event
}

void TraceWriter::write_event(const v1::TraceEvent& e) {
  write(e);
  if (e.has_run_ended()) ended_ = true;
}

void TraceWriter::run_started(const scheduler::Inventory& inventory, std::span<const scheduler::JobRequest> jobs) {
  v1::TraceHeader h;
  for (uint32_t p = 0; p < inventory.pools().size(); ++p) {
    v1::TracePool* pool = h.add_pools();
    pool->set_name(inventory.pools()[p].name);
    pool->set_devices(inventory.pool_size(p));
    pool->set_domains(static_cast<uint32_t>(inventory.pool_domains(p).size()));
  }
  h.set_devices(static_cast<uint32_t>(inventory.devices().size()));
  h.set_leaves(static_cast<uint32_t>(inventory.leaves().size()));
  write_header(std::move(h));
  trace_job_.assign(jobs.size(), std::nullopt);
  pending_steps_.assign(jobs.size(), nullptr);
  step_key_.clear();
  for (const scheduler::JobRequest& j : jobs) step_key_.emplace_back(j.workload, j.devices, scheduler::PlacementShape{});
}

void TraceWriter::run_ended(engine::SimTime t, uint32_t finished, uint32_t unfinished) {
  v1::RunEnded* e = event(t).mutable_run_ended();
  e->set_finished(finished);
  e->set_unfinished(unfinished);
  write(event_);
  ended_ = true;
}

void TraceWriter::job_submitted(engine::SimTime t, uint32_t job, const scheduler::JobRequest& r) {
  trace_job_.at(job) = submitted_++;
  v1::JobSubmitted* e = event(t).mutable_submitted();
  e->set_name(r.name);
  e->set_devices(r.devices);
  e->set_steps(r.steps);
  e->set_user(r.user);
  e->set_priority(r.priority);
  for (uint32_t p : r.pools) e->add_pools(p);
  write(event_);
}

void TraceWriter::job_started(engine::SimTime t, const scheduler::JobStartEvent& s) {
  v1::JobStarted* e = event(t).mutable_started();
  e->set_job(job_index(s.job));
  e->set_pool(s.shape.pool);
  put_devices(e->mutable_devices(), s.devices);
  e->set_domains(s.shape.domains);
  e->set_nodes(s.shape.nodes);
  e->set_leaves(s.shape.leaves);
  e->set_step_s(s.estimate->step_seconds);
  if (s.estimate->mfu) e->set_mfu(*s.estimate->mfu);
  e->set_restart(s.restart);
  e->set_restart_ns(s.restart_cost.ns());
  e->set_progress(s.progress);
  write(event_);
  if (wants_steps()) {
    std::get<2>(step_key_.at(s.job)) = s.shape;
    pending_steps_.at(s.job) = recorded_.find(step_key_[s.job]);
  }
}

void TraceWriter::job_preempted(engine::SimTime t, uint32_t job, double progress, double lost_steps) {
  v1::JobPreempted* e = event(t).mutable_preempted();
  e->set_job(job_index(job));
  e->set_progress(progress);
  e->set_lost_steps(lost_steps);
  write(event_);
}

void TraceWriter::job_failed(engine::SimTime t, const scheduler::JobFailureEvent& f) {
  v1::JobFailed* e = event(t).mutable_failed();
  e->set_job(job_index(f.job));
  e->set_lost_steps(f.lost_steps);
  e->set_progress(f.progress);
  e->set_requeued(f.requeued);
  write(event_);
}

void TraceWriter::job_checkpointed(engine::SimTime t, uint32_t job, double progress, engine::SimTime write_cost) {
  v1::JobCheckpointed* e = event(t).mutable_checkpointed();
  e->set_job(job_index(job));
  e->set_progress(progress);
  e->set_write_ns(write_cost.ns());
  write(event_);
}

void TraceWriter::job_restarted(engine::SimTime t, const scheduler::JobRestartEvent& r) {
  v1::JobRestarted* e = event(t).mutable_restarted();
  e->set_job(job_index(r.job));
  put_devices(e->mutable_replaced(), r.replaced);
  put_devices(e->mutable_spares(), r.spares);
  e->set_restart_ns(r.restart_cost.ns());
  write(event_);
}

void TraceWriter::job_finished(engine::SimTime t, uint32_t job, double held_s) {
  v1::JobFinished* e = event(t).mutable_finished();
  e->set_job(job_index(job));
  e->set_held_s(held_s);
  write(event_);
}

void TraceWriter::devices_down(engine::SimTime t, std::span<const uint32_t> devices, engine::SimTime repair_after) {
  v1::DevicesDown* e = event(t).mutable_devices_down();
  put_devices(e->mutable_devices(), devices);
  e->set_repair_ns(repair_after.ns());
  write(event_);
}

void TraceWriter::devices_repaired(engine::SimTime t, std::span<const uint32_t> devices) {
  put_devices(event(t).mutable_devices_repaired()->mutable_devices(), devices);
  write(event_);
}

void TraceWriter::cluster_sample(engine::SimTime t, const scheduler::ClusterSampleEvent& s) {
  v1::ClusterSample* e = event(t).mutable_cluster();
  for (uint32_t p = 0; p < s.pools.size(); ++p) {
    v1::PoolUsage* u = e->add_pools();
    u->set_pool(p);
    u->set_allocated(s.pools[p].allocated);
    u->set_down(s.pools[p].down);
  }
  e->set_queued(s.queued);
  e->set_running(s.running);
  e->set_power_w(s.power_w);
  write(event_);
}

void TraceWriter::link_sample(engine::SimTime t, const scheduler::LinkSampleEvent& s) {
  v1::LinkSample* e = event(t).mutable_link();
  e->set_leaf(s.leaf);
  e->set_load_bytes_per_s(s.load_bytes_per_s);
  e->set_capacity_bytes_per_s(s.capacity_bytes_per_s);
  write(event_);
}

void TraceWriter::step(engine::SimTime t, const scheduler::StepEvent& s) {
  v1::Step* e = event(t).mutable_step();
  e->set_job(job_index(s.job));
  e->set_step_s(s.step_seconds);
  e->set_model_step_s(s.estimate->step_seconds);
  e->set_contention_s(s.step_seconds - s.estimate->step_seconds);
  if (const auto& b = s.estimate->breakdown) {
    e->set_compute_s(b->compute_s);
    e->set_bubble_s(b->bubble_s);
    if (b->host_s > 0) e->set_host_s(b->host_s);
    if (b->offload_s > 0) e->set_offload_s(b->offload_s);
    for (const auto& [kind, seconds] : b->exposed_s) {
      v1::ExposedComm* x = e->add_exposed();
      x->set_kind(kind);
      x->set_seconds(seconds);
    }
  }
  write(event_);
  // The job's traced step, once per start (trace.proto, TRACE_LEVEL_STEPS).
  if (const std::vector<v1::TraceEvent>* steps = pending_steps_.at(s.job)) {
    pending_steps_[s.job] = nullptr;
    for (const v1::TraceEvent& recorded : *steps) {
      event_ = recorded;
      restamp(event_, job_index(s.job), t.ns());
      write(event_);
    }
  }
}

void TraceWriter::flow_started(engine::SimTime t, const scheduler::FlowEvent& f) {
  v1::FlowStarted* e = event(t).mutable_flow_started();
  e->set_flow(f.flow);
  e->set_job(job_index(f.job));
  e->set_leaf(f.leaf);
  e->set_demand_bytes_per_s(f.demand_bytes_per_s);
  write(event_);
}

void TraceWriter::flow_ended(engine::SimTime t, uint32_t flow) {
  event(t).mutable_flow_ended()->set_flow(flow);
  write(event_);
}

}  // namespace podsim::io
