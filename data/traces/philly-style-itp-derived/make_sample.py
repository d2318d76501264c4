#!/usr/bin/env python3
"""Writes jobs.csv: the first 300 jobs (in submission order) of the Microsoft ITP
cluster04 trace beside it in this repository (../microsoft-itp-elasticflow/cluster04.csv,
MIT), rewritten in the layout of Philly/Helios-style simulator inputs: the submission
time as `interval`, the gap in seconds since the previous job's submission, and the
duration as `run_time` in minutes. Deterministic; rerun to check:
    /usr/bin/python3 make_sample.py > jobs.csv
"""
import csv
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "microsoft-itp-elasticflow", "cluster04.csv"), newline="") as f:
    rows = list(csv.DictReader(f))
# Submission order, stable for ties (as podsim reads the trace).
rows = sorted(rows, key=lambda r: float(r["submission_time"]))[:300]
out = sys.stdout
out.write("job_id,num_gpu,interval,run_time\n")
prev = 0
for r in rows:
    sub = int(r["submission_time"])
    minutes = int(r["duration"]) / 60
    # Minutes with 10 significant digits: within 1 ms of the seconds they came from.
    out.write(f"{r['job_id']},{r['num_gpu']},{sub - prev},{minutes:.10g}\n")
    prev = sub
