"""bench/ingest: wagate's full cold ingest against DuckDB's bare read_json of the same files.

    python3 dev.py bench ingest [--messages 420000] [--seed 7]

Steps, all in one run:
1. generate ~1,000,000 status events plus replies and a matching send log (seeded; reused
   when bench/ingest/out already holds the same spec);
2. floor: DuckDB `read_json` of the same webhook and send-log files into flat tables;
3. wagate: `wagate ingest` into a fresh workspace (dedupe, precedence, attribution,
   suppression, marts) — wall time and peak memory of the process;
4. a re-run on the unchanged inputs;
5. `wagate metrics --by campaign` on the resulting warehouse.
Each step runs in its own process, so peak memory is that step's alone.

On a shared machine one measurement of each side says little: `--repeat N` runs the floor and the
cold ingest N times, interleaved, and reports the best wall time of each (the run least disturbed
by other work). CPU seconds (user + system of the child) are printed too: they move much less
with the machine's load than wall time does.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
TARGETS = {
    "ratio": 3.0,
    "events_per_second": 250_000,
    "rerun_seconds": 1.0,
    "peak_mb": 2048,
    "metrics_seconds": 1.0,
}

FLOOR = """
import duckdb, sys
con = duckdb.connect(sys.argv[1])
con.execute("CREATE TABLE hooks AS SELECT * FROM read_json(?, format='newline_delimited')", [sys.argv[2]])
con.execute("CREATE TABLE hooks_array AS SELECT * FROM read_json(?, format='array')", [sys.argv[3]])
con.execute("CREATE TABLE send_log AS SELECT * FROM read_json(?, format='newline_delimited')", [sys.argv[4]])
con.execute("CREATE TABLE send_csv AS SELECT * FROM read_csv(?)", [sys.argv[5]])
con.close()
"""


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds (user + system) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # ru_maxrss of children is the max over all children so far: only a new maximum is this child's
    peak = after.ru_maxrss / 1024 if after.ru_maxrss > before.ru_maxrss else float("nan")
    return elapsed, peak, cpu


def generate(messages: int, seed: int) -> dict[str, object]:
    marker = OUT / "inputs" / "spec.json"
    spec = {"messages": messages, "seed": seed}
    if marker.exists() and json.loads(marker.read_text()).get("spec") == spec:
        return dict(json.loads(marker.read_text()))
    shutil.rmtree(OUT / "inputs", ignore_errors=True)
    from pipelines.synthetic import SyntheticSpec
    from pipelines.synthetic import generate as synth

    started = time.perf_counter()
    summary = synth(OUT / "inputs", SyntheticSpec(seed=seed, messages=messages, days=21))
    info = {
        "spec": spec,
        "status_events": summary.status_events,
        "inbound_messages": summary.inbound_messages,
        "send_log_rows": summary.send_log_rows,
        "bodies": summary.bodies + summary.duplicate_bodies,
        "generate_seconds": round(time.perf_counter() - started, 1),
    }
    marker.write_text(json.dumps(info))
    return info


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=420_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=1, help="floor and cold ingest runs each (best kept)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    info = generate(args.messages, args.seed)
    inputs = OUT / "inputs"
    events = int(info["status_events"]) + int(info["inbound_messages"])  # type: ignore[call-overload]
    print(
        f"inputs: {info['status_events']:,} status events, {info['inbound_messages']:,} inbound, "
        f"{info['send_log_rows']:,} send-log rows, {info['bodies']:,} bodies (generated in {info['generate_seconds']}s)"
    )

    floor_db = OUT / "floor.duckdb"
    hooks = str(inputs / "webhooks" / "part-*.ndjson*")
    floor_cmd = [
        sys.executable,
        "-c",
        FLOOR,
        str(floor_db),
        hooks,
        str(inputs / "webhooks" / "batch.json"),
        str(inputs / "send_log.jsonl"),
        str(inputs / "send_log.csv"),
    ]
    workspace = OUT / "workspace"
    wagate = [sys.executable, "-m", "wagate", "--workspace", str(workspace)]
    floors: list[tuple[float, float, float]] = []
    ingests: list[tuple[float, float, float]] = []
    for _ in range(max(args.repeat, 1)):
        floor_db.unlink(missing_ok=True)
        floors.append(timed(floor_cmd))
        shutil.rmtree(workspace, ignore_errors=True)
        ingests.append(timed([*wagate, "ingest", str(inputs)]))
    floor_s, floor_cpu = min(f[0] for f in floors), min(f[2] for f in floors)
    ingest_s, ingest_cpu = min(i[0] for i in ingests), min(i[2] for i in ingests)
    # peaks are only known for runs that set a new maximum (see timed); NaN compares false to itself
    floor_mb = max((f[1] for f in floors if f[1] == f[1]), default=float("nan"))
    ingest_mb = max((i[1] for i in ingests if i[1] == i[1]), default=float("nan"))
    rerun_s, _, _ = timed([*wagate, "ingest", str(inputs)])
    metrics_s, _, _ = timed([*wagate, "metrics", "--by", "campaign", "--format", "json"])
    noop_s, _, _ = timed([sys.executable, "-c", "import pipelines.run, wagate.cli"])

    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "events": events,
        "floor_seconds": round(floor_s, 2),
        "ingest_seconds": round(ingest_s, 2),
        "ratio": round(ingest_s / floor_s, 2),
        "floor_cpu_seconds": round(floor_cpu, 2),
        "ingest_cpu_seconds": round(ingest_cpu, 2),
        "cpu_ratio": round(ingest_cpu / floor_cpu, 2),
        "runs": {
            "floor_seconds": [round(f[0], 2) for f in floors],
            "ingest_seconds": [round(i[0], 2) for i in ingests],
        },
        "load_average": round(os.getloadavg()[0], 2),
        "events_per_second": round(events / ingest_s),
        "peak_mb": round(ingest_mb),
        "rerun_seconds": round(rerun_s, 2),
        "metrics_seconds": round(metrics_s, 2),
        "python_import_seconds": round(noop_s, 2),
    }
    rows = [
        ("DuckDB read_json floor", f"{floor_s:.2f} s", f"peak {floor_mb:,.0f} MB"),
        (
            "wagate cold ingest",
            f"{ingest_s:.2f} s",
            f"{ingest_s / floor_s:.2f}x floor (target <= {TARGETS['ratio']}x)",
        ),
        (
            "CPU seconds (user + sys)",
            f"{ingest_cpu:.1f} s vs {floor_cpu:.1f} s",
            f"{ingest_cpu / floor_cpu:.2f}x floor",
        ),
        ("throughput", f"{events / ingest_s:,.0f} events/s", f"target >= {TARGETS['events_per_second']:,}"),
        ("peak memory (ingest)", f"{ingest_mb:,.0f} MB", f"target < {TARGETS['peak_mb']:,} MB"),
        ("re-run, unchanged inputs", f"{rerun_s:.2f} s", f"target < {TARGETS['rerun_seconds']} s"),
        ("metrics --by campaign", f"{metrics_s:.2f} s", f"target < {TARGETS['metrics_seconds']} s"),
        ("(python start + imports)", f"{noop_s:.2f} s", "included in the two lines above"),
    ]
    for name, value, note in rows:
        print(f"{name:28} {value:>18}   {note}")
    if len(floors) > 1:
        print(
            f"runs (best kept): floor {[round(f[0], 2) for f in floors]} s, ingest {[round(i[0], 2) for i in ingests]} s"
        )
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (2 cores)")
    (OUT / "results.json").write_text(json.dumps(results, indent=1))
    print(f"results: {OUT / 'results.json'}")


if __name__ == "__main__":
    main()
