// Up-front memory estimates (sim/memory_limit.h) against the measurements they come
// from (bench/README.md) and the refusal message.
#include "sim/memory_limit.h"

#include <doctest/doctest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "topologies/params.h"

using namespace podsim::sim;

TEST_CASE("the estimates reproduce the measurements they are built on") {
  // bench/README.md: 16 x CloudMatrix384 (6,144 NPUs) peak 127 MB; 2,048 x HGX H100 104 MB.
  podsim::topologies::ClusterParams cm;
  cm.pools.push_back({.name = "cm", .preset = "cloudmatrix384", .count = 16,
                      .system = podsim::topologies::CloudMatrix384Params{}, .device = {}});
  CHECK(cluster_build_bytes(cm) == doctest::Approx(127e6));
  podsim::topologies::ClusterParams hgx;
  hgx.pools.push_back({.name = "hgx", .preset = "hgx-h100", .count = 2048,
                       .system = podsim::topologies::HgxParams{}, .device = {}});
  CHECK(cluster_build_bytes(hgx) == doctest::Approx(104e6));
  // NVLink racks and Atlas servers, measured 2026-12-07 (sim/memory_limit.h): once priced
  // at the HGX figure, half of what 500 NVL72 racks (36,000 GPUs) take over 100 (98 ->
  // 457 MB peak RSS, 12.4 kB a GPU; the family's figure is NVL576's 13.5 kB).
  podsim::topologies::ClusterParams nvl;
  nvl.pools.push_back({.name = "nvl", .preset = "nvl72", .count = 500,
                       .system = podsim::topologies::NvlinkParams{}, .device = {}});
  CHECK(cluster_build_bytes(nvl) >= (456500.0 - 98272) * 1024 / 28800 * 36000);
  CHECK(cluster_build_bytes(nvl) == doctest::Approx(36000 * 13.54e3).epsilon(0.01));
  podsim::topologies::ClusterParams atlas;
  atlas.pools.push_back({.name = "a2", .preset = "atlas-800t-a2", .count = 4500,
                         .system = podsim::topologies::Atlas800tA2Params{}, .device = {}});
  CHECK(cluster_build_bytes(atlas) == doctest::Approx(36000 * 8.49e3).epsilon(0.01));
  // cm:a2a:6144: 37,742,592 flows, 6,106 MB.
  CHECK(all_to_all_flow_bytes(6144) == doctest::Approx(6106e6));
  podsim::workloads::Plan plan;
  plan.ep = 64;
  plan.cp = 128;
  CHECK(largest_all_to_all(plan) == 64);  // ring CP: no all-to-all
  plan.cp_algorithm = podsim::workloads::CpAlgorithm::kUlysses;
  CHECK(largest_all_to_all(plan) == 128);
}

TEST_CASE("an auto plan's widest all-to-all: a power-of-two EP dividing the experts and the devices") {
  podsim::workloads::ModelSpec dense;
  CHECK(largest_auto_all_to_all(dense, 1152) == 1);
  podsim::workloads::ModelSpec moe;
  moe.moe = podsim::workloads::MoeSpec{.experts = 256};  // DeepSeek-V3's routed experts
  CHECK(largest_auto_all_to_all(moe, 1152) == 128);  // 1,152 = 2^7 x 9
  CHECK(largest_auto_all_to_all(moe, 4096) == 256);  // no wider than the experts
  CHECK(largest_auto_all_to_all(moe, 72) == 8);      // one NVL72 rack
  CHECK(largest_auto_all_to_all(moe, 6) == 1);       // EP 2 is never searched
  CHECK(largest_auto_all_to_all(moe, 3) == 1);
  moe.moe->experts = 384;                             // Kimi K2: 384 = 2^7 x 3
  CHECK(largest_auto_all_to_all(moe, 1 << 20) == 128);
  moe.moe->experts = 1 << 30;                         // no overflow past the int range
  CHECK(largest_auto_all_to_all(moe, 2147483647) == 1);
  CHECK(largest_auto_all_to_all(moe, 1 << 30) == 1 << 30);
}

TEST_CASE("a need above what is available is refused with both numbers and the way out") {
  CHECK_FALSE(memory_refusal(1e9, "x", "y", "z", 2e9));
  CHECK_FALSE(memory_refusal(1e15, "x", "y", "z", std::nullopt));  // unknown: never refuse
  CHECK(*memory_refusal(1.78e14, "the all-to-all", "162 B per flow", "mode: ANALYTICAL", 22.6e9) ==
        "the all-to-all needs ~178 TB (162 B per flow) but this machine has 22.6 GB available (MemAvailable); "
        "expected mode: ANALYTICAL");
  CHECK(format_bytes(999) == "999 B");
  CHECK(format_bytes(1500) == "1.5 kB");
  CHECK(format_bytes(6.106e9) == "6.11 GB");
}

TEST_CASE("MemAvailable is read on Linux") {
  const auto bytes = available_memory_bytes();
  REQUIRE(bytes.has_value());
  CHECK(*bytes > 0);
}

TEST_CASE("under an address-space limit (ulimit -v), what is available is what the process may still map") {
  // In a child, so the limit binds nothing else: 1 GiB more than is mapped now.
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    long pages = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
      if (std::fscanf(f, "%ld", &pages) != 1) pages = 0;
      std::fclose(f);
    }
    const rlim_t limit = static_cast<rlim_t>(pages) * static_cast<rlim_t>(::sysconf(_SC_PAGESIZE)) + (1ULL << 30);
    const struct rlimit r {.rlim_cur = limit, .rlim_max = RLIM_INFINITY};
    if (::setrlimit(RLIMIT_AS, &r) != 0) ::_exit(2);
    const double after = available_memory_bytes().value_or(0);
    const bool ok = after <= (1ULL << 30) && after > 0.9 * (1ULL << 30) &&
                    available_memory_source() == "under the address-space limit, ulimit -v" &&
                    memory_refusal(2e9, "x", "y", "z")->find("(under the address-space limit, ulimit -v)") !=
                        std::string::npos;
    ::_exit(ok ? 0 : 1);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  struct rlimit own {};
  if (::getrlimit(RLIMIT_AS, &own) == 0 && own.rlim_cur == RLIM_INFINITY)
    CHECK(available_memory_source() == "MemAvailable");  // this process: no limit
}
