// Class rules (scheduler/trace_classes.h): a row takes the first class it meets.
#include "scheduler/trace_classes.h"

#include <doctest/doctest.h>

using namespace podsim::scheduler;

namespace {

TraceJob row(uint32_t gpus, double duration_s, std::string user = "", std::string queue = "",
             std::vector<std::string> columns = {}) {
  return {.id = "j", .duration_s = duration_s, .devices = gpus, .user = std::move(user), .queue = std::move(queue),
          .columns = std::move(columns)};
}

}  // namespace

TEST_CASE("the issue's mix: 1-8 GPUs fine-tune, 64-512 a video DiT, >= 512 pretraining, first match wins") {
  const std::vector<ClassRule> rules = {{.min_gpus = 1, .max_gpus = 8},
                                        {.min_gpus = 64, .max_gpus = 512},
                                        {.min_gpus = 512}};
  CHECK(match_class(rules, row(1, 10)) == 0);
  CHECK(match_class(rules, row(8, 10)) == 0);
  CHECK(match_class(rules, row(64, 10)) == 1);
  CHECK(match_class(rules, row(512, 10)) == 1);  // both 1 and 2 hold: the first wins
  CHECK(match_class(rules, row(1024, 10)) == 2);
  CHECK(!match_class(rules, row(16, 10)).has_value());  // 9-63: no class
}

TEST_CASE("duration, user, queue and column conditions all must hold, an empty rule takes every row") {
  const std::vector<ClassRule> rules = {
      {.min_duration_s = 3600, .max_duration_s = 7200},
      {.users = {"alice", "bob"}, .queues = {"prod"}},
      {.columns = {{0, {"V100", "A100"}}, {1, {"yes"}}}},
      {}};
  CHECK(match_class(rules, row(4, 3600)) == 0);
  CHECK(match_class(rules, row(4, 7200)) == 0);
  CHECK(match_class(rules, row(4, 7201, "alice", "prod")) == 1);
  CHECK(match_class(rules, row(4, 10, "alice", "dev")) == 3);  // queue fails rule 1
  CHECK(match_class(rules, row(4, 10, "carol", "prod", {"A100", "yes"})) == 2);
  CHECK(match_class(rules, row(4, 10, "carol", "prod", {"A100", "no"})) == 3);
  CHECK(match_class(rules, row(4, 10, "", "", {})) == 3);  // no columns kept: rule 2 cannot hold
}
