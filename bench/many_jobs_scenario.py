#!/usr/bin/python3
"""Writes a scheduler-only scenario with many short jobs written out one by one.

Used to time the scheduler's queue handling at scale (bench/README.md, "Scheduler"):
a modest HGX H100 cluster, Llama 3 8B jobs of 8-64 GPUs and a few to a few hundred
steps each, arriving faster than the cluster drains them, so the queue grows deep.

  /usr/bin/python3 bench/many_jobs_scenario.py --jobs 200000 > /tmp/many_jobs.textproto
  build/cli/podsim run /tmp/many_jobs.textproto
"""
import argparse
import random
import sys

POLICIES = ["FIFO", "SJF", "SRTF", "EASY_BACKFILL", "LAS", "FAIR_SHARE", "PRIORITY"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=200000)
    ap.add_argument("--nodes", type=int, default=64, help="HGX H100 servers (8 GPUs each)")
    ap.add_argument("--interarrival", type=float, default=2.0, help="mean seconds between arrivals")
    ap.add_argument("--policy", default="EASY_BACKFILL", choices=POLICIES)
    ap.add_argument("--placement", default="TOPOLOGY_AWARE")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = sys.stdout
    out.write("# proto-file: proto/podsim/v1/scenario.proto\n# proto-message: podsim.v1.Scenario\n")
    out.write(f"# Generated: bench/many_jobs_scenario.py --jobs {a.jobs} --nodes {a.nodes} "
              f"--interarrival {a.interarrival} --policy {a.policy} --seed {a.seed}\n")
    out.write(f'name: "many_jobs_{a.jobs}"\nseed: {a.seed}\n')
    out.write(f'cluster {{\n  pools {{ name: "hgx" preset: "hgx-h100" count: {a.nodes} }}\n'
              "  fat_tree { tiers: 2 radix: 64 }\n}\n")
    t = 0.0
    for i in range(a.jobs):
        t += rng.expovariate(1.0 / a.interarrival)
        dp = rng.choice([1, 1, 1, 2, 2, 4, 8])
        steps = rng.choice([5, 10, 20, 50, 100, 300])
        out.write(f'jobs {{ name: "j{i}" arrival_s: {t:.3f} model {{ preset: "llama3-8b" }} '
                  f"plan {{ tp: 8 dp: {dp} micro_batch: 1 global_batch: {8 * dp} }} steps: {steps} }}\n")
    out.write(f"scheduler {{ policy: {a.policy} placement: {a.placement} }}\n")


if __name__ == "__main__":
    main()
