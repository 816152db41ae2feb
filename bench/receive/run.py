"""bench/receive: sustained signed webhooks per second and latency of `wagate receive` on loopback.

    python3 dev.py bench receive [--seconds 10] [--connections 32] [--rounds 3]

Two runs of the same real server process (`python -m wagate receive`, access log on, written to
a file), one after the other on the same machine:

1. durability on: every 200 is sent only after its record is fsynced (group commit);
2. the same with `--no-fsync` (the ceiling without durability).

The load generator is a small asyncio HTTP/1.1 client in this process (raw sockets, keep-alive,
a fixed number of connections each sending its next request as soon as the previous answer
arrives; requests are pre-signed, as Meta signs on its side). Bodies are real-shaped webhook
bodies from `pipelines.synthetic`. After each run the landing files are counted: every 200 must
be there. The load generator shares the machine's cores with the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipelines.receiver import sign  # noqa: E402
from pipelines.synthetic import SyntheticSpec, generate  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
SECRET = "bench-app-secret"
TARGETS = {"webhooks_per_second": 2000.0, "p99_ms": 50.0}


@dataclass(frozen=True, slots=True)
class Result:
    """One measured run."""

    mode: str
    seconds: float
    requests: int
    per_second: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    non_200: int
    landed: int
    acknowledged: int


def bodies(count: int) -> list[bytes]:
    """Distinct real-shaped webhook bodies (statuses, replies, account events) from the synthetic generator."""
    folder = OUT / "inputs"
    marker = folder / "spec.json"
    if not (marker.exists() and json.loads(marker.read_text()) == {"count": count}):
        shutil.rmtree(folder, ignore_errors=True)
        spec = SyntheticSpec(
            seed=11,
            messages=max(100, count // 2),
            webhook_files=1,
            gzip=False,
            json_array_file=False,
            csv_send_log=False,
            duplicate_share=0.0,
        )
        generate(folder, spec)
        marker.write_text(json.dumps({"count": count}))
    lines = (folder / "webhooks" / "part-0001.ndjson").read_bytes().splitlines()
    return [line for line in lines if line.strip()][:count]


def requests(payloads: list[bytes]) -> list[bytes]:
    """Complete pre-signed HTTP/1.1 requests."""
    out = []
    for body in payloads:
        head = (
            "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: facebookexternalua\r\n"
            "Content-Type: application/json\r\n"
            f"X-Hub-Signature-256: {sign(body, SECRET.encode())}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        out.append(head.encode() + body)
    return out


class Load:
    """A closed-loop load: each connection sends its next request when the previous answer arrived."""

    def __init__(self, port: int, reqs: list[bytes], connections: int) -> None:
        self.port = port
        self.reqs = reqs
        self.connections = connections
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.measuring = False
        self._next = 0

    async def _connection(self, deadline: float) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            while time.perf_counter() < deadline:
                request = self.reqs[self._next % len(self.reqs)]
                self._next += 1
                started = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                match = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
                await reader.readexactly(int(match.group(1)) if match else 0)
                elapsed = time.perf_counter() - started
                self.statuses[status] = self.statuses.get(status, 0) + 1
                if self.measuring:
                    self.latencies.append(elapsed)
        finally:
            writer.close()

    async def run(self, warmup: float, seconds: float) -> float:
        """Warm up, then measure for ``seconds``; returns the measured wall time."""
        start = time.perf_counter()
        deadline = start + warmup + seconds
        tasks = [asyncio.create_task(self._connection(deadline)) for _ in range(self.connections)]
        await asyncio.sleep(warmup)
        self.measuring = True
        measured_from = time.perf_counter()
        await asyncio.gather(*tasks)
        return time.perf_counter() - measured_from


def start_server(workspace: Path, fsync: bool) -> tuple[subprocess.Popen[bytes], int, Path]:
    """Start `wagate receive --port 0` and wait until it answers /healthz."""
    log_path = workspace / "receiver.log"
    env = {**os.environ, "WAGATE_APP_SECRET": SECRET, "WAGATE_VERIFY_TOKEN": "bench"}
    cmd = [sys.executable, "-m", "wagate", "--workspace", str(workspace), "receive", "--port", "0"]
    if not fsync:
        cmd.append("--no-fsync")
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=log, stdout=subprocess.DEVNULL)
    port = 0
    for _ in range(300):
        found = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", log_path.read_text())
        if found:
            port = int(found.group(1))
            break
        if proc.poll() is not None:
            sys.exit(f"receiver exited early:\n{log_path.read_text()}")
        time.sleep(0.05)
    if not port:
        proc.kill()
        sys.exit("receiver did not start")
    return proc, port, log_path


def count_landed(landing: Path) -> int:
    """Records in every landing file."""
    return sum(path.read_bytes().count(b"\n") for path in landing.rglob("receipts-*") if path.is_file())


def measure(mode: str, fsync: bool, reqs: list[bytes], args: argparse.Namespace) -> Result:
    """One server, one load, and the check that every 200 is in the landing files."""
    workspace = OUT / f"workspace-{mode}"
    shutil.rmtree(workspace, ignore_errors=True)
    workspace.mkdir(parents=True)
    proc, port, log_path = start_server(workspace, fsync)
    try:
        load = Load(port, reqs, args.connections)
        wall = asyncio.run(load.run(args.warmup, args.seconds))
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
    if code != 0:
        sys.exit(f"receiver exited with {code}:\n{log_path.read_text()[-2000:]}")
    lat = sorted(load.latencies)
    acknowledged = load.statuses.get(200, 0)
    return Result(
        mode=mode,
        seconds=round(wall, 2),
        requests=len(lat),
        per_second=round(len(lat) / wall, 1),
        p50_ms=round(lat[len(lat) // 2] * 1000, 2),
        p99_ms=round(lat[int(len(lat) * 0.99)] * 1000, 2),
        max_ms=round(lat[-1] * 1000, 2),
        non_200=sum(n for status, n in load.statuses.items() if status != 200),
        landed=count_landed(workspace / "landing"),
        acknowledged=acknowledged,
    )


def line(r: Result) -> str:
    """One result on one line."""
    return (
        f"{r.mode:>9}: {r.per_second:8,.0f} webhooks/s  p50 {r.p50_ms:6.2f} ms  p99 {r.p99_ms:6.2f} ms"
        f"  max {r.max_ms:7.2f} ms  non-200 {r.non_200}  landed {r.landed:,} / acknowledged {r.acknowledged:,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per run")
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--connections", type=int, default=32, help="concurrent keep-alive connections")
    parser.add_argument("--bodies", type=int, default=5000, help="distinct bodies cycled through")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per mode (median reported)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    reqs = requests(bodies(args.bodies))
    size = sum(len(r) for r in reqs) / len(reqs)
    print(
        f"{len(reqs)} distinct signed requests, {size:.0f} bytes on average; {args.connections} connections"
    )
    print("client: asyncio raw HTTP/1.1 keep-alive, closed loop, in the benchmark process")
    rounds: dict[str, list[Result]] = {"durable": [], "no-fsync": []}
    for n in range(args.rounds):  # alternate, so both modes see the same background load
        for mode, fsync in (("durable", True), ("no-fsync", False)):
            result = measure(mode, fsync, reqs, args)
            rounds[mode].append(result)
            print(f"  round {n + 1} {line(result)}", flush=True)
    # the median round of each mode (by throughput) is the figure reported
    results = [sorted(runs, key=lambda r: r.per_second)[len(runs) // 2] for runs in rounds.values()]
    print("median round of each mode:")
    for r in results:
        print(f"  {line(r)}")
    durable, fast = results
    ratio = durable.per_second / fast.per_second
    print(f"durable / no-fsync throughput: {ratio:.2f}   p99 ratio: {durable.p99_ms / fast.p99_ms:.2f}")
    ok = durable.per_second >= TARGETS["webhooks_per_second"] and durable.p99_ms < TARGETS["p99_ms"]
    lost = [r.mode for runs in rounds.values() for r in runs if r.landed < r.acknowledged]
    print(
        f"target (durable): >= {TARGETS['webhooks_per_second']:,.0f}/s and p99 < {TARGETS['p99_ms']:.0f} ms: "
        f"{'met' if ok else 'NOT met'}; every 200 landed: {'yes' if not lost else 'NO: ' + ', '.join(lost)}"
    )
    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "connections": args.connections,
        "rounds": {mode: [asdict(r) for r in runs] for mode, runs in rounds.items()},
        "results": [asdict(r) for r in results],
        "throughput_ratio": round(ratio, 3),
        "targets": TARGETS,
        "target_met": ok,
    }
    (OUT / "results.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
