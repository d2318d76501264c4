#!/usr/bin/python3
"""Writes a large job trace in Microsoft ITP's CSV layout (scheduler/traces.h).

Used to measure what reading a trace costs when only its first jobs are replayed
(bench/README.md, "Traces": TraceSource.max_jobs): ids shaped like ITP's (36-character
UUIDs), submissions 0-3 s apart (ties included), run times up to ~3.5 days, 1-32 GPUs.

  /usr/bin/python3 bench/itp_trace.py --rows 2000000 > /tmp/itp_2m.csv
  build/cli/podsim run bench/itp_trace_part.textproto --set sources[0].trace.path=/tmp/itp_2m.csv
"""
import argparse
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=2000000)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    import random
    rng = random.Random(a.seed)
    out = sys.stdout
    out.write("job_id,submission_time,duration,num_gpu\n")
    t = 0
    for _ in range(a.rows):
        t += rng.randint(0, 3)
        u = "%032x" % rng.getrandbits(128)
        out.write(f"{u[:8]}-{u[8:12]}-{u[12:16]}-{u[16:20]}-{u[20:]},{t},{rng.randint(1, 300000)},"
                  f"{rng.choice([1, 1, 2, 4, 8, 8, 16, 32])}\n")


if __name__ == "__main__":
    main()
