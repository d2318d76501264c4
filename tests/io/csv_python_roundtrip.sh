#!/usr/bin/env bash
# jobs.csv, summary.csv, timeline.csv and results.json of a cluster run whose jobs have
# hostile names (a comma, quotes, a line break, UTF-8) read back by Python's csv and json
# modules, and by pandas when it is installed (skipped cleanly otherwise): every column
# lands where it belongs, numbers parse as numbers (issue 18 item 1).
# Usage: csv_python_roundtrip.sh PODSIM
set -u
podsim=$1
python=/usr/bin/python3
[ -x "$python" ] || { echo "SKIP: no $python"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/hostile.textproto" <<'PROTO'
name: "hostile_names"
seed: 1
cluster { pools { name: "nvl72" preset: "nvl72" count: 1 } }
jobs {
  name: "llama, 8b"
  model { preset: "llama3-8b" }
  plan { tp: 4 dp: 8 micro_batch: 2 global_batch: 512 sharding: ZERO1 }
  steps: 50
}
jobs {
  name: "say \"hi\", then\nleave"
  arrival_s: 60
  model { preset: "llama3-8b" }
  plan { tp: 4 dp: 8 micro_batch: 2 global_batch: 512 sharding: ZERO1 }
  steps: 30
}
jobs {
  name: "Zürich 東京 ✓"
  arrival_s: 61.5
  model { preset: "llama3-8b" }
  plan { tp: 4 dp: 2 micro_batch: 2 global_batch: 512 sharding: ZERO1 }
  steps: 10
}
PROTO
"$podsim" -q run "$tmp/hostile.textproto" --set "outputs.out_dir=$tmp/out" >"$tmp/stdout" 2>"$tmp/err" ||
  { echo "FAIL: podsim run exited $?"; cat "$tmp/err"; exit 1; }

"$python" - "$tmp/out" <<'PY'
import csv, json, math, sys
out = sys.argv[1]
names = ["llama, 8b", 'say "hi", then\nleave', "Zürich 東京 ✓"]
failures = 0
def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", what)

with open(f"{out}/jobs.csv", newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
check([r["name"] for r in rows] == names, f"csv: names {[r['name'] for r in rows]}")
check([float(r["arrival_s"]) for r in rows] == [0, 60, 61.5], "csv: arrival_s")
check([int(r["devices"]) for r in rows] == [32, 32, 8], "csv: devices")
for r in rows:
    check(len(r) == 18 and None not in r, f"csv: row of {r['name']!r} has {len(r)} fields")
    check(r["pool"] == "nvl72", f"csv: pool of {r['name']!r} is {r['pool']!r}")
    check(0 < float(r["mfu_frac"]) < 1, f"csv: mfu_frac of {r['name']!r}")
with open(f"{out}/summary.csv", newline="", encoding="utf-8") as f:
    summary = list(csv.DictReader(f))
check(len(summary) == 1 and summary[0]["jobs"] == "3", "csv: summary")
with open(f"{out}/timeline.csv", newline="", encoding="utf-8") as f:
    timeline = list(csv.DictReader(f))
check(len(timeline) > 0 and all(math.isfinite(float(t["power_w"])) for t in timeline), "csv: timeline")
with open(f"{out}/results.json", encoding="utf-8") as f:
    doc = json.load(f)
check([j["name"] for j in doc["jobs"]] == names, "json: names")
check(doc["summary"]["jobs"] == 3 and doc["jobs"][2]["arrival_s"] == 61.5, "json: numbers")

try:
    import pandas as pd
except ImportError:
    print("pandas: not installed, skipped")
else:
    df = pd.read_csv(f"{out}/jobs.csv")
    check(list(df["name"]) == names, f"pandas: names {list(df['name'])}")
    check(df["devices"].dtype.kind == "i" and df["arrival_s"].dtype.kind == "f", f"pandas: dtypes {dict(df.dtypes)}")
    check(list(df["pool"]) == ["nvl72"] * 3, "pandas: pool column not shifted")
    check(df.shape == (3, 18), f"pandas: shape {df.shape}")
    print(f"pandas {pd.__version__}: {df.shape[0]} rows x {df.shape[1]} columns")
print(f"csv_python_roundtrip: {failures} failed")
sys.exit(1 if failures else 0)
PY
