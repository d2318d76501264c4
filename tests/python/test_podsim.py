"""The podsim Python module against the podsim binary: same scenario, same numbers.

Run by ctest (python_module) with Debian's /usr/bin/python3, which sets PYTHONPATH to
the module, PODSIM to the binary and PODSIM_SOURCE_DIR to the repository.
"""
import csv
import decimal
import json
import os
import subprocess
import tempfile

import pytest

import podsim

SRC = os.environ["PODSIM_SOURCE_DIR"]
PODSIM = os.environ["PODSIM"]


def scenario(name):
    return os.path.join(SRC, "scenarios", name)


def cli(*args):
    return subprocess.run([PODSIM, "-q", *args], check=True, capture_output=True, text=True).stdout


def column(row, key):
    """row[key], or the column that is `key` with a unit suffix (utilization_frac)."""
    if key in row:
        return row[key]
    # The suffix is a unit alone: utilization -> utilization_frac, not utilization_before_drain_frac.
    found = [c for c in row if c.startswith(key + "_") and "_" not in c[len(key) + 1:]]
    assert len(found) == 1, f"{key}: no single column among {list(row)}"
    return row[found[0]]


def printed(text):
    """pytest.approx for a number as a file prints it: equal to the digits it has."""
    exponent = decimal.Decimal(text).as_tuple().exponent
    return pytest.approx(float(text), rel=1e-12, abs=0.5 * 10.0**exponent)


def plain(value):
    return isinstance(value, (bool, int, float, str, type(None)))


def test_cluster_run_equals_the_cli_files():
    r = podsim.load(scenario("smoke.textproto")).set("seed=3").run()
    assert r["kind"] == "cluster"
    with tempfile.TemporaryDirectory() as out:
        cli("run", scenario("smoke.textproto"), "--set", "seed=3", "--set", f"outputs.out_dir={out}")
        with open(os.path.join(out, "summary.csv"), newline="") as f:
            summary = next(csv.DictReader(f))
        with open(os.path.join(out, "jobs.csv"), newline="") as f:
            jobs = list(csv.DictReader(f))
        with open(os.path.join(out, "timeline.csv"), newline="") as f:
            timeline = list(csv.DictReader(f))
        with open(os.path.join(out, "results.json")) as f:
            results = json.load(f)
    # The module's names are the files' columns (units in the names), every one of them.
    assert list(r["summary"]) == list(summary)
    assert [list(j) for j in r["jobs"]] == [list(j) for j in jobs]
    assert [list(t) for t in r["timeline"]] == [list(t) for t in timeline]
    # And its values are results.json's, exactly.
    for table in ("summary", "jobs", "timeline"):
        assert r[table] == results[table], table
    for key in ("makespan_s", "jct_mean_s", "utilization_frac", "mfu_utilization_frac", "energy_j", "goodput_frac"):
        assert r["summary"][key] == printed(summary[key]), key
    assert r["summary"]["finished"] == int(summary["finished"]) == 2
    assert [j["name"] for j in r["jobs"]] == [j["name"] for j in jobs] == ["first", "second"]
    for mine, theirs in zip(r["jobs"], jobs):
        for key in ("devices", "arrival_s", "end_s", "jct_s", "queue_delay_s"):
            assert mine[key] == printed(theirs[key]), key
    assert len(r["timeline"]) > 0
    assert r["skipped_rows"] == {} and r["skipped_oversized"] == 0 and r["skipped_machines"] == {}
    # Plain values only: lists of dicts of numbers and strings, as pandas.DataFrame takes them.
    for table in ("jobs", "timeline"):
        assert all(plain(v) for row in r[table] for v in row.values()), table
    assert all(plain(v) for v in r["summary"].values())


def printed_skips(path, what):
    """`podsim run PATH`'s summary lines "skipped  N <what>: reason" as {reason: N}."""
    counts = {}
    for line in cli("run", path).splitlines():
        if line.startswith("skipped") and f" {what}: " in line:
            count, reason = line.split(None, 1)[1].split(f" {what}: ", 1)
            counts[reason] = int(count)
    return counts


def test_trace_replay_reports_skipped_rows_as_the_cli_prints_them():
    path = scenario("traces/k8s_pod_list.textproto")
    r = podsim.load(path).run()
    printed_counts = printed_skips(path, "trace rows")
    assert printed_counts, "the k8s sample skips rows"
    assert r["skipped_rows"] == printed_counts


def test_node_list_reports_skipped_machines_as_the_cli_prints_them():
    path = scenario("traces/k8s_pod_list_nodes.textproto")
    r = podsim.load(path).run()
    # The sample's machine without GPUs and its two T4 machines (no types entry for T4).
    assert r["skipped_machines"] == printed_skips(path, "node-list machines") == {
        "GPU type 'T4' has no entry in types (cluster.node_lists[0])": 2,
        "no GPUs (cluster.node_lists[0])": 1}


def test_sweep_equals_the_cli_rows():
    path = scenario("smoke.textproto")
    rows = podsim.sweep(path, set=["seed=1,2", "scheduler.policy=FIFO,SJF"])
    table = list(csv.reader(line for line in cli("sweep", path, "--set", "seed=1,2", "--set",
                                                 "scheduler.policy=FIFO,SJF").splitlines()
                            if not line.startswith("#")))
    header, body = table[0], table[1:]
    assert len(rows) == len(body) == 4
    assert [r["point"] for r in rows] == [0, 1, 2, 3]
    assert [(r["seed"], r["scheduler.policy"]) for r in rows] == [(1, "FIFO"), (1, "SJF"), (2, "FIFO"), (2, "SJF")]
    for mine, theirs in zip(rows, body):
        cells = dict(zip(header, theirs))
        assert set(mine) == set(header)
        assert mine["error"] is None and cells["error"] == ""
        for column, text in cells.items():
            if column in ("point", "seed", "scheduler.policy", "error") or text == "":
                continue
            value = mine[column]
            assert (value == printed(text)) if isinstance(value, float) else (str(value) == text), column


def test_sweep_point_errors_are_rows_not_exceptions():
    rows = podsim.sweep(scenario("smoke.textproto"), set=["jobs[0].plan.dp=16,1000"])
    assert rows[0]["error"] is None
    assert rows[1]["error"] and "makespan_s" not in rows[1]
    with pytest.raises(ValueError):
        podsim.sweep(scenario("smoke.textproto"))  # nothing swept


def test_study_equals_the_cli_table():
    study = scenario("wan21_video_cm384_vs_h100.textproto")  # two systems, auto-planned
    r = podsim.load(study).run()
    assert r["kind"] == "comparison"
    assert len(r["systems"]) == 2
    table = cli("run", study)
    # Each job's "step time" row holds one "X.XXX s" per system, in the study's order.
    rows = [line.split()[2::2] for line in table.splitlines() if line.strip().startswith("step time")]
    assert rows, table
    predicted = [[f"{c['step_s']:.3f}" for c in r["cells"] if c["job"] == job] for job in r["jobs"]]
    assert rows == predicted
    assert all(plain(v) or isinstance(v, dict) for c in r["cells"] for v in c.values())
    assert all(c["offload_s"] == 0 for c in r["cells"])  # the breakdown includes offload (none here)
    # The "memory per device" row: "N of M GB" per system, as the cells' bytes.
    mem = [line.split()[3::4] for line in table.splitlines() if line.strip().startswith("memory per device")]
    assert mem == [[f"{c['memory_bytes'] / 1e9:.1f}" for c in r["cells"] if c["job"] == job] for job in r["jobs"]]
    assert all(0 < c["memory_bytes"] <= c["memory_available_bytes"] for c in r["cells"])


def test_loads_and_set_errors_are_the_cli_messages():
    text = open(scenario("smoke.textproto")).read()
    s = podsim.loads(text, name="smoke.textproto")
    assert s.path == "smoke.textproto"
    with pytest.raises(ValueError, match=r"--set jobs\[0\]\.plan\.nonsense"):
        s.set("jobs[0].plan.nonsense=5")
    with pytest.raises(podsim.Error, match=r"smoke.textproto:1:1"):
        podsim.loads("no_such_field: 1\n", name="smoke.textproto")
    with pytest.raises(ValueError):
        podsim.load(scenario("no_such_file.textproto"))


def test_plan_equals_the_cli():
    plans = podsim.plan("llama3-8b", "nvl72", 64, global_batch=512, top=3)
    assert len(plans) == 3
    out = cli("plan", "--model", "llama3-8b", "--system", "nvl72", "--devices", "64", "--global-batch", "512",
              "--top", "3")
    lines = [line for line in out.splitlines() if line.strip()[:2] in ("1 ", "2 ", "3 ")]
    assert len(lines) == 3, out
    for p, line in zip(plans, lines):
        assert p["plan"] in line
        assert f"{p['step_s']:.3f} s" in line
        assert f"{100 * p['mfu']:.1f}%" in line
    assert [p["rank"] for p in plans] == [1, 2, 3]
    with pytest.raises(ValueError, match="--model nonsense: unknown preset"):
        podsim.plan("nonsense", "nvl72", 64)


def test_results_make_data_frames():
    pandas = pytest.importorskip("pandas")
    r = podsim.load(scenario("smoke.textproto")).run()
    jobs = pandas.DataFrame(r["jobs"])
    assert list(jobs["name"]) == ["first", "second"]
    assert len(pandas.DataFrame(r["timeline"])) == len(r["timeline"])
    assert len(pandas.DataFrame(podsim.plan("llama3-8b", "nvl72", 64, top=2))) == 2
