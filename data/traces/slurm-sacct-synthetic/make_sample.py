#!/usr/bin/env python3
"""Writes jobs.csv: a SYNTHETIC Slurm accounting export (no real data) in the layout of
`sacct --parsable2 --delimiter=, -o JobID,User,Partition,Priority,State,Submit,Start,End,
Elapsed,NNodes,AllocTRES`-style tables: ISO 8601 times with a zone offset (+08:00),
elapsed time as [D-]HH:MM:SS, node counts and GPUs per node. Deterministic (seeded);
rerun to check:
    /usr/bin/python3 make_sample.py > jobs.csv
"""
import datetime as dt
import random
import sys

rng = random.Random(20241205)
zone = dt.timezone(dt.timedelta(hours=8))
t = dt.datetime(2024, 5, 1, 8, 0, 0, tzinfo=zone)
out = sys.stdout
out.write("JobID,User,Partition,Priority,State,Submit,Start,End,Elapsed,NNodes,GPUsPerNode\n")


def iso(x):
    return x.isoformat(timespec="seconds") if x else ""


def elapsed(s):
    d, r = divmod(int(s), 86400)
    h, r = divmod(r, 3600)
    m, sec = divmod(r, 60)
    return (f"{d}-" if d else "") + f"{h:02d}:{m:02d}:{sec:02d}"


for k in range(200):
    t += dt.timedelta(seconds=int(rng.expovariate(1 / 900)))
    user = rng.choice(["ann", "bob", "cy", "dee"])
    part = rng.choices(["gpu", "debug", "cpu"], weights=[80, 10, 10])[0]
    prio = rng.randint(1, 1000)
    state = rng.choices(["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "PENDING"], weights=[65, 12, 10, 8, 5])[0]
    nodes = rng.choices([1, 2, 4, 8], weights=[60, 20, 15, 5])[0]
    gpn = 0 if part == "cpu" else rng.choice([1, 2, 4, 8])
    if state == "PENDING" or (state == "CANCELLED" and rng.random() < 0.5):
        start = end = None  # never ran
        run = 0
    else:
        start = t + dt.timedelta(seconds=int(rng.expovariate(1 / 600)))
        run = max(1, int(rng.lognormvariate(8.2, 1.4)))
        end = start + dt.timedelta(seconds=run)
    out.write(f"{100000 + k},{user},{part},{prio},{state},{iso(t)},{iso(start)},{iso(end)},"
              f"{elapsed(run) if start else ''},{nodes},{gpn}\n")
