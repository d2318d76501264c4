#include "engine/network/collective_memo.h"

#include <bit>

#include "engine/check.h"
#include "engine/network/comm_tuner.h"

namespace podsim::engine {

namespace {

uint64_t bits(double v) { return std::bit_cast<uint64_t>(v); }

size_t mix(size_t h, uint64_t v) {
  // boost::hash_combine's step, widened: only spreads keys; equality decides.
  return h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

size_t hash_group(size_t h, const std::vector<DeviceId>& group) {
  for (DeviceId d : group) h = mix(h, index(d));
  return mix(h, group.size());
}

}  // namespace

CollectiveMemo::CollectiveMemo(const Fabric& fabric, const NetworkOptions& options)
    : fabric_(fabric), options_(options) {}

bool CollectiveMemo::serves(const Fabric& fabric, const NetworkOptions& options) const {
  return &fabric == &fabric_ && bits(options.link_efficiency) == bits(options_.link_efficiency) &&
         options.per_message_overhead == options_.per_message_overhead;
}

size_t CollectiveMemo::Hash::operator()(const Collective& c) const {
  size_t h = mix(mix(mix(0, static_cast<uint64_t>(c.op)), static_cast<uint64_t>(c.algorithm)),
                 static_cast<uint64_t>(c.protocol));
  h = mix(hash_group(h, c.group), bits(c.bytes.value()));
  for (Bytes b : c.sizes) h = mix(h, bits(b.value()));
  return mix(mix(h, bits(c.cost.intra_factor)), bits(c.cost.inter_factor));
}

size_t CollectiveMemo::Hash::operator()(const TuneKey& k) const {
  return mix(hash_group(mix(0, static_cast<uint64_t>(k.op)), k.group), k.bytes);
}

bool CollectiveMemo::Same::operator()(const Collective& a, const Collective& b) const {
  // Every field, by name: the bindings stop compiling when Collective or CostTerms gains
  // a field, which must then join the key.
  const auto& [op, algorithm, group, bytes, sizes, protocol, cost] = a;
  const auto& [base, step_intra, step_inter, endpoint, intra_factor, inter_factor, pipeline_chunk, channels] = cost;
  const CostTerms& o = b.cost;
  if (op != b.op || algorithm != b.algorithm || protocol != b.protocol || bits(bytes.value()) != bits(b.bytes.value()) ||
      group != b.group || sizes.size() != b.sizes.size())
    return false;
  for (size_t i = 0; i < sizes.size(); ++i)
    if (bits(sizes[i].value()) != bits(b.sizes[i].value())) return false;
  return base == o.base && step_intra == o.step_intra && step_inter == o.step_inter && endpoint == o.endpoint &&
         bits(intra_factor) == bits(o.intra_factor) && bits(inter_factor) == bits(o.inter_factor) &&
         bits(pipeline_chunk.value()) == bits(o.pipeline_chunk.value()) && channels == o.channels;
}

SimTime CollectiveMemo::time(const Collective& c) {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = times_.find(c); it != times_.end()) return it->second;
  }
  // Costed outside the lock, so threads cost distinct collectives at once.
  const SimTime t = collective_time(fabric_, c, options_);
  const std::lock_guard<std::mutex> lock(mutex_);
  return times_.try_emplace(c, t).first->second;
}

Collective CollectiveMemo::tuned(CollectiveOp op, const std::vector<DeviceId>& group, Bytes bytes) {
  TuneKey key{op, group, bits(bytes.value())};
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = choices_.find(key); it != choices_.end()) return it->second;
  }
  Collective c = tune(fabric_, op, group, bytes, options_, this);
  const std::lock_guard<std::mutex> lock(mutex_);
  return choices_.try_emplace(std::move(key), std::move(c)).first->second;
}

size_t CollectiveMemo::times_remembered() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return times_.size();
}

size_t CollectiveMemo::choices_remembered() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return choices_.size();
}

SimTime collective_time(const Fabric& fabric, const Collective& c, const NetworkOptions& options,
                        CollectiveMemo* memo) {
  if (memo == nullptr) return collective_time(fabric, c, options);
  PODSIM_CHECK(memo->serves(fabric, options), "a collective memo used for another fabric or other network options");
  return memo->time(c);
}

Collective tuned(const Fabric& fabric, CollectiveOp op, const std::vector<DeviceId>& group, Bytes bytes,
                 const NetworkOptions& options, CollectiveMemo* memo) {
  if (memo == nullptr) return tune(fabric, op, group, bytes, options);
  PODSIM_CHECK(memo->serves(fabric, options), "a collective memo used for another fabric or other network options");
  return memo->tuned(op, group, bytes);
}

}  // namespace podsim::engine
