// Lookups into the op blocks that workloads::forward_ops returns, shared by the
// workloads tests that check FLOP counts op by op.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "workloads/accounting.h"

namespace podsim::workloads::testing {

inline const Op& find_op(const OpBlock& b, const std::string& name) {
  for (const Op& o : b.ops)
    if (o.name == name) return o;
  FAIL("no op " << name << " in " << b.name);
  throw;
}

inline const Op& find_op(const std::vector<OpBlock>& blocks, const std::string& block, const std::string& op) {
  for (const OpBlock& b : blocks)
    if (b.name == block)
      for (const Op& o : b.ops)
        if (o.name == op) return o;
  FAIL("no op " << block << "/" << op);
  throw;
}

inline bool has_op(const OpBlock& b, const std::string& name) {
  for (const Op& o : b.ops)
    if (o.name == name) return true;
  return false;
}

inline double block_flops(const OpBlock& b) {
  double f = 0;
  for (const Op& o : b.ops) f += o.flops;
  return f;
}

}  // namespace podsim::workloads::testing
