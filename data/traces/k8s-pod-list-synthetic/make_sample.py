#!/usr/bin/env python3
"""Writes pods.csv: a SYNTHETIC Kubernetes pod list (no real data) in the column layout
of Alibaba's public GPU-sharing trace (openb_pod_list_*.csv, Weng et al., ATC'23),
whose files carry no licence podsim may copy. Deterministic (seeded); rerun to check:
    /usr/bin/python3 make_sample.py > pods.csv
"""
import random
import sys

rng = random.Random(20231205)
out = sys.stdout
out.write("name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n")
t = 0
for k in range(300):
    t += int(rng.expovariate(1 / 600))  # a pod every 10 minutes on average
    num_gpu = rng.choices([0, 1, 2, 4, 8], weights=[10, 60, 10, 10, 10])[0]
    gpu_milli = 0
    if num_gpu == 1:
        gpu_milli = rng.choice([1000] * 6 + [100, 250, 500, 750])  # GPU sharing: part of one GPU
    elif num_gpu > 1:
        gpu_milli = 1000
    gpu_spec = rng.choices(["", "H100", "H800", "H100|H800", "A100"], weights=[70, 10, 10, 7, 3])[0]
    qos = rng.choice(["LS", "BE", "Burstable"])
    phase = rng.choices(["Succeeded", "Running", "Failed", "Pending"], weights=[60, 25, 10, 5])[0]
    cpu = rng.choice([4000, 8000, 16000, 32000, 64000])
    if phase == "Pending":  # never scheduled: no scheduled or deletion time
        scheduled = deleted = ""
    else:
        scheduled = t + int(rng.expovariate(1 / 120))
        deleted = scheduled + max(1, int(rng.lognormvariate(8.0, 1.5)))  # median ~50 min
    out.write(f"synth-pod-{k:04d},{cpu},{cpu * 4 // 1000 * 1024},{num_gpu},{gpu_milli},{gpu_spec},{qos},{phase},"
              f"{t},{deleted},{scheduled}\n")
