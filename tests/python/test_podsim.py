"""The podsim Python module against the podsim binary: same scenario, same numbers.

Run by ctest (python_module) with Debian's /usr/bin/python3, which sets PYTHONPATH to
the module, PODSIM to the binary and PODSIM_SOURCE_DIR to the repository.
"""
import csv
import decimal
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
    for key in ("makespan_s", "jct_mean_s", "utilization", "mfu_utilization", "energy_j", "goodput"):
        assert r["summary"][key] == printed(column(summary, key)), key
    assert r["summary"]["finished"] == int(column(summary, "finished")) == 2
    assert [j["name"] for j in r["jobs"]] == [j["name"] for j in jobs] == ["first", "second"]
    for mine, theirs in zip(r["jobs"], jobs):
        for key in ("devices", "arrival_s", "end_s", "jct_s", "queue_delay_s"):
            assert mine[key] == printed(column(theirs, key)), key
    assert len(r["timeline"]) > 0
    # Plain values only: lists of dicts of numbers and strings, as pandas.DataFrame takes them.
    for table in ("jobs", "timeline"):
        assert all(plain(v) for row in r[table] for v in row.values()), table
    assert all(plain(v) for v in r["summary"].values())


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
