#include "io/trace_perfetto.h"

#include <fmt/format.h>

#include <cmath>
#include <optional>
#include <unordered_map>
#include <vector>

#include "io/atomic_file.h"
#include "io/json_writer.h"
#include "io/trace_reader.h"

namespace podsim::io {
namespace {

constexpr int kJobsPid = 1, kPoolsPid = 2, kLinksPid = 3, kCollectivesPid = 4;
// A comparison study's systems are processes kSystemPid + system index.
constexpr int kSystemPid = 10;
// Collective tracks' thread ids, clear of the jobs' (job index + 1).
constexpr uint64_t kGroupTid = 1'000'000'000;

// Microseconds, the unit of "ts" and "dur", exactly: ns / 1000 with three decimals.
std::string micros(int64_t ns) { return fmt::format("{}.{:03}", ns / 1000, ns % 1000); }

// JSON has no NaN or infinity: a trace's non-finite number (a hand-made or damaged
// trace may hold one) is written as null.
std::string number(double x) { return json_number_or_null(x); }

class PerfettoWriter {
 public:
  PerfettoWriter(std::ostream& out, PerfettoStats& stats) : out_(out), stats_(stats) {}

  void header(const v1::TraceHeader& h) {
    header_ = h;
    out_ << kPerfettoSignature << json_quote(h.scenario())
         << ",\"seed\":" << h.seed() << "},\"traceEvents\":[";
    if (h.comparison()) {
      for (int p = 0; p < h.pools_size(); ++p) process(kSystemPid + p, h.pools(p).name());
    } else {
      process(kJobsPid, "jobs");
    }
    process(kPoolsPid, "device groups");
    process(kLinksPid, "scale-out");
  }

  void event(const v1::TraceEvent& e) {
    ++stats_.trace_events;
    const int64_t t = e.t_ns();
    using E = v1::TraceEvent;
    switch (e.event_case()) {
      case E::kSubmitted: {
        const auto j = static_cast<uint32_t>(jobs_.size());
        // A study's cell goes to its system's process, a cluster run's job to "jobs".
        const bool cell = header_.comparison() && e.submitted().pools_size() > 0;
        const int pid = cell ? kSystemPid + static_cast<int>(e.submitted().pools(0)) : kJobsPid;
        jobs_.push_back({.name = e.submitted().name(), .pid = pid, .queued_since = t});
        emit(fmt::format(R"({{"name":"thread_name","ph":"M","pid":{},"tid":{},"args":{{"name":{}}}}})", pid, j + 1,
                         json_quote(e.submitted().name())));
        emit(fmt::format(R"({{"name":"thread_sort_index","ph":"M","pid":{},"tid":{},"args":{{"sort_index":{}}}}})",
                         pid, j + 1, cell ? uint64_t{j + 1} * 1000 : j + 1));
        instant(j, t, "submitted",
                fmt::format(R"("devices":{},"steps":{})", e.submitted().devices(), number(e.submitted().steps())));
        break;
      }
      case E::kStarted: {
        const v1::JobStarted& s = e.started();
        Job& job = jobs_[s.job()];
        close_queue(s.job(), t);
        close_run(s.job(), t);
        job.run_since = t;
        job.run_name = fmt::format("run on {}", pool_name(s.pool()));
        job.run_args = fmt::format(R"("devices":{},"domains":{},"nodes":{},"leaves":{},"step_s":{},"restart":{})",
                                   s.devices_size(), s.domains(), s.nodes(), s.leaves(), number(s.step_s()),
                                   s.restart() ? "true" : "false");
        if (s.has_mfu()) job.run_args += fmt::format(R"(,"mfu":{})", number(s.mfu()));
        break;
      }
      case E::kPreempted:
        instant(e.preempted().job(), t, "preempted", fmt::format(R"("progress":{})", number(e.preempted().progress())));
        close_run(e.preempted().job(), t);
        jobs_[e.preempted().job()].queued_since = t;
        break;
      case E::kFailed:
        instant(e.failed().job(), t, "failed",
                fmt::format(R"("lost_steps":{},"requeued":{})", number(e.failed().lost_steps()),
                            e.failed().requeued() ? "true" : "false"));
        if (e.failed().requeued()) {
          close_run(e.failed().job(), t);
          jobs_[e.failed().job()].queued_since = t;
        }
        break;
      case E::kCheckpointed:
        instant(e.checkpointed().job(), t, "checkpoint",
                fmt::format(R"("progress":{},"write_s":{})", number(e.checkpointed().progress()),
                            number(static_cast<double>(e.checkpointed().write_ns()) / 1e9)));
        break;
      case E::kRestarted:
        instant(e.restarted().job(), t, "restarted on spares",
                fmt::format(R"("replaced":{},"restart_s":{})", e.restarted().replaced_size(),
                            number(static_cast<double>(e.restarted().restart_ns()) / 1e9)));
        break;
      case E::kFinished:
        close_run(e.finished().job(), t);
        close_queue(e.finished().job(), t);
        instant(e.finished().job(), t, "finished", fmt::format(R"("held_s":{})", number(e.finished().held_s())));
        break;
      case E::kStep: step(e.step(), t); break;
      case E::kDevicesDown:
        emit(fmt::format(R"({{"name":"devices down","ph":"i","s":"p","pid":{},"tid":0,"ts":{},"args":{{"devices":{},"repair_s":{}}}}})",
                         kPoolsPid, micros(t), e.devices_down().devices_size(),
                         number(static_cast<double>(e.devices_down().repair_ns()) / 1e9)));
        break;
      case E::kDevicesRepaired:
        emit(fmt::format(R"({{"name":"devices repaired","ph":"i","s":"p","pid":{},"tid":0,"ts":{},"args":{{"devices":{}}}}})",
                         kPoolsPid, micros(t), e.devices_repaired().devices_size()));
        break;
      case E::kFlowStarted: {
        const v1::FlowStarted& f = e.flow_started();
        const uint64_t id = next_flow_id_++;
        std::string name = fmt::format("{} leaf {}", jobs_[f.job()].name, f.leaf());
        emit(fmt::format(R"({{"name":{},"cat":"flow","ph":"b","id":{},"pid":{},"tid":0,"ts":{},"args":{{"demand_GBps":{}}}}})",
                         json_quote(name), id, kLinksPid, micros(t), number(f.demand_bytes_per_s() / 1e9)));
        flows_[f.flow()] = {id, std::move(name)};
        break;
      }
      case E::kFlowEnded:
        end_flow(e.flow_ended().flow(), t);
        break;
      case E::kCluster: {
        const v1::ClusterSample& c = e.cluster();
        for (const v1::PoolUsage& u : c.pools())
          counter(kPoolsPid, pool_name(u.pool()) + " devices", t,
                  fmt::format(R"("allocated":{},"down":{})", u.allocated(), u.down()));
        counter(kPoolsPid, "jobs", t, fmt::format(R"("queued":{},"running":{})", c.queued(), c.running()));
        counter(kPoolsPid, "power", t, fmt::format(R"("kW":{})", number(c.power_w() / 1e3)));
        break;
      }
      case E::kLink:
        counter(kLinksPid, fmt::format("leaf {} uplink", e.link().leaf()), t,
                fmt::format(R"("load_GBps":{})", number(e.link().load_bytes_per_s() / 1e9)));
        break;
      case E::kStepTraced: step_traced(e.step_traced()); break;
      case E::kCollective: collective(e.collective(), t); break;
      case E::kCollectiveFlow: collective_flow(e.collective_flow(), t); break;
      case E::kStepTraceEnded: break;
      case E::kRunEnded:
        for (uint32_t j = 0; j < jobs_.size(); ++j) {
          close_run(j, t);
          close_queue(j, t);
        }
        while (!flows_.empty()) end_flow(flows_.begin()->first, t);
        emit(fmt::format(R"({{"name":"run ended","ph":"i","s":"g","pid":{},"tid":0,"ts":{},"args":{{"finished":{},"unfinished":{}}}}})",
                         kJobsPid, micros(t), e.run_ended().finished(), e.run_ended().unfinished()));
        break;
      case E::EVENT_NOT_SET: break;
    }
  }

  void finish() { out_ << "\n]}\n"; }

 private:
  struct Job {
    std::string name;
    int pid = kJobsPid;
    std::optional<int64_t> queued_since, run_since;
    std::string run_name, run_args;
    // The current run's step slices, written after the run's own slice so that a
    // viewer meets the parent first when both start at the same instant.
    std::vector<std::string> steps;
    std::optional<int64_t> step_since;
    int64_t step_ns = 0;
    std::string step_args;
    std::vector<uint64_t> group_tids;  // of its latest traced step's groups
  };

  void emit(const std::string& object) {
    out_ << (first_ ? "\n" : ",\n") << object;
    first_ = false;
    // The phase is the value after "ph":" (every object here has one).
    const size_t at = object.find("\"ph\":\"") + 6;
    ++stats_.by_phase[object.substr(at, object.find('"', at) - at)];
  }

  void process(int pid, const std::string& name) {
    emit(fmt::format(R"({{"name":"process_name","ph":"M","pid":{},"args":{{"name":{}}}}})", pid, json_quote(name)));
    emit(fmt::format(R"({{"name":"process_sort_index","ph":"M","pid":{},"args":{{"sort_index":{}}}}})", pid, pid));
  }

  void instant(uint32_t j, int64_t t, const char* name, const std::string& args) {
    emit(fmt::format(R"({{"name":"{}","ph":"i","s":"t","pid":{},"tid":{},"ts":{},"args":{{{}}}}})", name, jobs_[j].pid,
                     j + 1, micros(t), args));
  }

  void counter(int pid, const std::string& name, int64_t t, const std::string& args) {
    emit(fmt::format(R"({{"name":{},"ph":"C","pid":{},"ts":{},"args":{{{}}}}})", json_quote(name), pid, micros(t), args));
  }

  std::string complete(uint32_t j, const std::string& quoted_name, int64_t from, int64_t to, const std::string& args) const {
    return fmt::format(R"({{"name":{},"ph":"X","pid":{},"tid":{},"ts":{},"dur":{},"args":{{{}}}}})", quoted_name,
                       jobs_[j].pid, j + 1, micros(from), micros(to - from), args);
  }

  std::string pool_name(uint32_t pool) const { return header_.pools(static_cast<int>(pool)).name(); }

  void close_queue(uint32_t j, int64_t t) {
    Job& job = jobs_[j];
    if (!job.queued_since) return;
    if (t > *job.queued_since) emit(complete(j, "\"queued\"", *job.queued_since, t, ""));
    job.queued_since.reset();
  }

  void close_step(Job& job, uint32_t j, int64_t t) {
    if (!job.step_since) return;
    // One representative step, cut short if the job's step changes or it stops first.
    const int64_t end = std::min(t, *job.step_since + job.step_ns);
    job.steps.push_back(complete(j, "\"step\"", *job.step_since, end, job.step_args));
    job.step_since.reset();
  }

  void close_run(uint32_t j, int64_t t) {
    Job& job = jobs_[j];
    close_step(job, j, t);
    if (!job.run_since) return;
    emit(complete(j, json_quote(job.run_name), *job.run_since, t, job.run_args));
    for (const std::string& s : job.steps) emit(s);
    job.steps.clear();
    job.run_since.reset();
  }

  void step(const v1::Step& s, int64_t t) {
    Job& job = jobs_[s.job()];
    if (!job.run_since) return;  // only runs hold steps
    close_step(job, s.job(), t);
    job.step_since = t;
    const double step_ns = std::round(s.step_s() * 1e9);
    job.step_ns = std::isfinite(step_ns) && step_ns > 0 && step_ns < 9e18 ? static_cast<int64_t>(step_ns) : 0;
    job.step_args = fmt::format(R"("step_s":{},"model_step_s":{},"contention_s":{})", number(s.step_s()),
                                number(s.model_step_s()), number(s.contention_s()));
    if (s.has_compute_s()) job.step_args += fmt::format(R"(,"compute_s":{})", number(s.compute_s()));
    for (const v1::ExposedComm& x : s.exposed())
      job.step_args += fmt::format(R"(,{}:{})", json_quote("exposed_" + x.kind() + "_s"), number(x.seconds()));
    if (s.has_bubble_s()) job.step_args += fmt::format(R"(,"bubble_s":{})", number(s.bubble_s()));
    if (s.has_host_s()) job.step_args += fmt::format(R"(,"host_s":{})", number(s.host_s()));
    if (s.has_offload_s()) job.step_args += fmt::format(R"(,"offload_s":{})", number(s.offload_s()));
  }

  // Where a job's collectives go: its system's process in a study, else "collectives".
  int collectives_pid(const Job& job) {
    if (job.pid != kJobsPid) return job.pid;
    if (!collectives_process_) process(kCollectivesPid, "collectives");
    collectives_process_ = true;
    return kCollectivesPid;
  }

  // One track per (job, device group): named by the job, the group's kind, stage and
  // ranks; the same group in a later traced step of the job reuses its track.
  void step_traced(const v1::StepTraced& st) {
    Job& job = jobs_[st.job()];
    const int pid = collectives_pid(job);
    job.group_tids.clear();
    for (const v1::DeviceGroup& g : st.groups()) {
      std::string ranks;
      for (int i = 0; i < g.ranks_size() && i < 8; ++i) ranks += fmt::format("{}{}", i ? "," : "", g.ranks(i));
      if (g.ranks_size() > 8) ranks += fmt::format(",... ({} ranks)", g.ranks_size());
      const std::string name = fmt::format("{}: {} stage {} [{}]", job.name, g.kind(), g.stage(), ranks);
      auto [it, fresh] = group_tid_.try_emplace(fmt::format("{}/{}", st.job(), name), kGroupTid + group_tid_.size());
      if (fresh) {
        emit(fmt::format(R"({{"name":"thread_name","ph":"M","pid":{},"tid":{},"args":{{"name":{}}}}})", pid,
                         it->second, json_quote(name)));
        emit(fmt::format(R"({{"name":"thread_sort_index","ph":"M","pid":{},"tid":{},"args":{{"sort_index":{}}}}})",
                         pid, it->second, uint64_t{st.job() + 1} * 1000 + job.group_tids.size() + 1));
      }
      job.group_tids.push_back(it->second);
    }
  }

  void collective(const v1::CollectiveRun& c, int64_t t) {
    Job& job = jobs_[c.job()];
    emit(fmt::format(
        R"({{"name":{},"cat":"collective","ph":"X","pid":{},"tid":{},"ts":{},"dur":{},"args":{{"id":{},"op":{},"algorithm":{},"phase":{},"bytes_per_rank":{},"count":{}}}}})",
        json_quote(c.kind()), collectives_pid(job), job.group_tids[c.group()], micros(t + c.start_ns()),
        micros(c.end_ns() - c.start_ns()), c.id(), json_quote(c.op()), json_quote(c.algorithm()),
        json_quote(c.phase()), number(c.bytes()), c.count()));
  }

  // Flows overlap: async slices, which the viewer lays out in rows of one track per job.
  void collective_flow(const v1::CollectiveFlow& f, int64_t t) {
    Job& job = jobs_[f.job()];
    const uint64_t id = next_flow_id_++;
    const std::string name = json_quote(job.name + " flows");
    const int pid = collectives_pid(job);
    std::string args = fmt::format(R"("collective":{},"bytes":{})", f.collective(), number(f.bytes()));
    if (f.has_src()) args += fmt::format(R"(,"src":{})", f.src());
    if (f.has_dst()) args += fmt::format(R"(,"dst":{})", f.dst());
    emit(fmt::format(R"({{"name":{},"cat":"collective_flow","ph":"b","id":{},"pid":{},"tid":0,"ts":{},"args":{{{}}}}})",
                     name, id, pid, micros(t + f.start_ns()), args));
    emit(fmt::format(R"({{"name":{},"cat":"collective_flow","ph":"e","id":{},"pid":{},"tid":0,"ts":{}}})", name, id,
                     pid, micros(t + f.end_ns())));
  }

  void end_flow(uint32_t flow, int64_t t) {
    auto it = flows_.find(flow);
    if (it == flows_.end()) return;
    emit(fmt::format(R"({{"name":{},"cat":"flow","ph":"e","id":{},"pid":{},"tid":0,"ts":{}}})",
                     json_quote(it->second.second), it->second.first, kLinksPid, micros(t)));
    flows_.erase(it);
  }

  std::ostream& out_;
  PerfettoStats& stats_;
  v1::TraceHeader header_;
  std::vector<Job> jobs_;
  std::map<uint32_t, std::pair<uint64_t, std::string>> flows_;  // trace flow id -> (JSON id, name)
  uint64_t next_flow_id_ = 1;
  std::map<std::string, uint64_t> group_tid_;  // "job/track name" -> tid
  bool collectives_process_ = false;
  bool first_ = true;
};

}  // namespace

// The one JSON writer's string (io/json_writer.h): escapes, and U+FFFD for invalid UTF-8.
std::string json_quote(std::string_view s) { return json_string(s); }

PerfettoStats write_perfetto(const std::filesystem::path& trace, const std::filesystem::path& json) {
  PerfettoStats stats;
  AtomicOutputFile file(json);
  PerfettoWriter writer(file.stream(), stats);
  read_trace_file(
      trace, [&](const v1::TraceHeader& h) { writer.header(h); }, [&](const v1::TraceEvent& e) { writer.event(e); });
  writer.finish();
  file.commit();
  return stats;
}

}  // namespace podsim::io
