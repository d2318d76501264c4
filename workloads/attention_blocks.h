#pragma once
// Attention by block length: what ring context parallelism does to the attention kernels
// (docs/models.md §5.4, "Context parallelism").
//
// A fused attention kernel (cuDNN through Transformer Engine) runs below its best on
// short blocks: fewer key tiles per query tile to spread its prologue and epilogue over,
// and under a causal mask a larger share of partly masked diagonal tiles. Ring context
// parallelism (Transformer Engine's p2p CP, Megatron-Core's default) cuts one sequence's
// attention into cp kernels per layer on each rank: with the causal load balancing TE
// uses (rank r holds chunks r and 2cp - 1 - r of the sequence's 2cp), step 0 is a causal
// block over the rank's own seq / cp tokens and steps 1 .. cp - 1 are unmasked blocks of
// seq / cp queries by seq / 2cp keys or the reverse (TE's AttnFuncWithCPAndKVP2P). Each
// step executes the same FLOPs, (seq / cp)^2 / 2 products a head. With r(L) a kernel's
// training throughput at length L (forward and a backward of twice its FLOPs together,
// r = 3 / (1 / fwd + 2 / bwd)), the ring's attention runs at
//
//   r_ring = 1 / ( (1/cp) / r_causal(seq / cp) + ((cp - 1)/cp) / r_full(seq / (cp sqrt 2)) )
//
// against the one causal kernel over the whole sequence, r_causal(seq), so the attention
// efficiency is multiplied by
//
//   ring_attention_factor = r_ring / r_causal(seq)
//
// An unmasked block of Lq x Lk is read at the length of a square block with its FLOPs,
// sqrt(Lq Lk); a model without a causal mask runs cp unmasked blocks of seq / cp. r(L)
// is interpolated linearly in log2 L between the measured lengths and held at the end
// points outside them. Only the ratio is taken from the curve: the device's attention
// efficiency (efficiency.cc) keeps its own level.
#include <vector>

namespace podsim::workloads {

// One measured length: a fused attention kernel's forward and backward throughput (any
// one unit, e.g. TFLOP/s) at `length` query and key tokens, causal and unmasked.
struct AttentionLengthPoint {
  double length = 0;
  double causal_fwd = 0, causal_bwd = 0;
  double full_fwd = 0, full_bwd = 0;
};

// Training throughput at `length` (ascending `points`; empty: 0): r = 3 / (1/fwd + 2/bwd),
// interpolated linearly in log2 L, held at the end points.
double attention_rate_at(const std::vector<AttentionLengthPoint>& points, double length, bool causal);

// The factor on the attention efficiency of a sequence of `seq` tokens whose attention
// runs as a ring of `cp` blocks (above). 1 when cp <= 1, seq <= 0 or `points` is empty.
double ring_attention_factor(const std::vector<AttentionLengthPoint>& points, double seq, int cp, bool causal);

}  // namespace podsim::workloads
