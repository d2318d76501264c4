#!/usr/bin/env python3
"""Writes tasks.csv: a SYNTHETIC Alibaba PAI task table (no real data) in the layout of
cluster-trace-gpu-v2020's pai_task_table.csv (github.com/alibaba/clusterdata): no header
row, ten columns. Deterministic (seeded); rerun to check:
    /usr/bin/python3 make_sample.py | cmp - tasks.csv
"""
import random
import sys

rng = random.Random(20200701)
out = sys.stdout
t = 0.0
for k in range(400):
    t += float(int(rng.expovariate(1 / 300)))  # a job every 5 minutes on average
    job = "%024x" % rng.getrandbits(96)
    kind = rng.choices(["worker", "tensorflow", "PyTorchWorker", "ps+worker", "evaluator"],
                       weights=[40, 25, 15, 15, 5])[0]
    tasks = [("ps", 0.0), ("worker", None)] if kind == "ps+worker" else [(kind, None)]
    status = rng.choices(["Terminated", "Failed", "Running", "Waiting"], weights=[75, 12, 8, 5])[0]
    gpu_type = rng.choices(["MISC", "T4", "P100", "V100", "V100M32"], weights=[30, 20, 15, 25, 10])[0]
    for name, plan_gpu in tasks:
        if plan_gpu is None:
            # Shared GPUs (25-50%) are common in PAI; multi-GPU instances take whole GPUs.
            plan_gpu = rng.choices([25.0, 50.0, 100.0, 200.0, 400.0, 800.0], weights=[10, 20, 40, 10, 10, 10])[0]
        inst = rng.choices([1.0, 2.0, 4.0, 8.0], weights=[70, 15, 10, 5])[0] if plan_gpu >= 100 else 1.0
        start = t + float(int(rng.expovariate(1 / 60)))
        if status == "Waiting":  # never launched: no start or end time
            start_s = end_s = ""
        else:
            start_s = f"{start:.1f}"
            end_s = "" if status == "Running" else f"{start + max(1, int(rng.lognormvariate(7.5, 1.6))):.1f}"
        cpu = 600.0 if name == "ps" else rng.choice([400.0, 600.0, 800.0, 1200.0])
        mem = round(rng.uniform(4, 64), 6)
        out.write(f"{job},{name},{inst:.1f},{status},{start_s},{end_s},{cpu:.1f},{mem},{plan_gpu:.1f},"
                  f"{'' if plan_gpu == 0 else gpu_type}\n")
