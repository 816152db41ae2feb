"""bench/send: sustained accepted messages/s of `wagate send`, and its pacing accuracy, against the emulator.

    python3 dev.py bench send [--messages 10000] [--pacing-messages 960] [--concurrency 8] [--rounds 3]

Everything runs on this machine: the emulator as its own process (`wagate emulator --profile
bench`: validation, limits and answers, no webhooks), the sender as its own process (`wagate
send`: gate, ledger, checks, pacing, send log, exactly as an operator runs it).

1. **throughput**: `wagate send --rate 1000` over a campaign of ``--messages`` recipients against
   an emulator that allows 1,000 messages/s. Sustained rate = accepted messages / time from the
   first to the last accepted arrival at the emulator (start-up and the lint are not in it).
   Baseline, measured in the same run against a fresh emulator: a bare httpx loop in this process
   posting the same payloads (``--concurrency`` workers, keep-alive, the same event loop as
   `wagate send` (uvloop when installed), no pacing, no ledger, no checks). The ratio wagate / bare is the figure to compare between machines.
2. **pacing accuracy**: `wagate send --rate 80` against an emulator at Meta's default 80
   messages/s; the figure is the most arrivals the emulator saw in any sliding one-second window
   (target: at most 84), and how many 130429 answers the emulator gave.

Rounds alternate baseline and wagate so both see the same background load; medians are reported.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

OUT = Path(__file__).resolve().parent / "out"
TOKEN = "bench-token"
PHONE_NUMBER_ID = "106540352242922"
TARGETS = {"accepted_per_second": 500.0, "max_per_second_window_at_80": 84}
DRAFT = {
    "name": "order_shipped",
    "language": "en_US",
    "category": "UTILITY",
    "components": [
        {
            "type": "BODY",
            "text": "Hi {{1}}, your Acme order {{2}} has shipped and arrives in two days.",
            "example": {"body_text": [["Ana", "A-100"]]},
        }
    ],
    "x-wagate": {"brand": "Acme"},
}
HEADER = (
    "phone,consent_timestamp,consent_method,consent_source,consent_text_version,"
    "business_name_shown,purposes,first_name,order_id"
)


@dataclass(frozen=True, slots=True)
class Throughput:
    """One throughput measurement."""

    who: str
    accepted: int
    seconds: float
    per_second: float
    rejected: int


def numbers(count: int, start: int) -> list[str]:
    return [f"+49151{start + i:08d}" for i in range(count)]


def write_campaign(folder: Path, count: int, start: int) -> Path:
    """A utility campaign the linter passes cleanly; returns the plan."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "draft.json").write_text(json.dumps(DRAFT), encoding="utf-8")
    rows = [
        f"{n},2025-01-10,keyword_reply,wa-keyword-JOIN,v2,Acme,utility,ana{i},A-{i}"
        for i, n in enumerate(numbers(count, start))
    ]
    (folder / "contacts.csv").write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    plan = folder / "campaign.toml"
    plan.write_text(
        'name = "bench"\ndrafts = ["draft.json"]\ncontacts = "contacts.csv"\n\n'
        '[parameters]\nbody = ["{{ first_name }}", "{{ order_id }}"]\n',
        encoding="utf-8",
    )
    return plan


def workspace(name: str, concurrency: int) -> Path:
    folder = OUT / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "wagate.toml").write_text(
        '[lint]\ncontroller_country = "DE"\nevidence_retention_months = 60\n\n'
        f'[send]\nphone_number_id = "{PHONE_NUMBER_ID}"\nreach_tier = "unlimited"\n'
        f"concurrency = {concurrency}\nprogress_interval_seconds = 5\n",
        encoding="utf-8",
    )
    return folder


class Emulator:
    """`wagate emulator` as its own process on a free port."""

    def __init__(self, draft: Path, throughput: int) -> None:
        self.log = OUT / f"emulator-{throughput}.log"
        env = {**os.environ, "WAGATE_ACCESS_TOKEN": TOKEN, "WAGATE_APP_SECRET": "bench-secret"}
        command = [sys.executable, "-m", "wagate", "emulator", "--port", "0", "--profile", "bench"]
        command += ["--templates", str(draft), "--throughput", str(throughput)]
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        self.url = ""
        for _ in range(600):
            found = re.search(r"listening on (http://127\.0\.0\.1:\d+)/", self.log.read_text())
            if found:
                self.url = found.group(1)
                break
            if self.proc.poll() is not None:
                sys.exit(f"emulator exited early:\n{self.log.read_text()}")
            time.sleep(0.05)
        if not self.url:
            self.proc.kill()
            sys.exit("emulator did not start")

    def arrivals(self) -> list[dict[str, Any]]:
        answer = httpx.get(
            f"{self.url}/_emulator/arrivals", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60
        )
        answer.raise_for_status()
        data = answer.json()
        return list(data["data"] if isinstance(data, dict) else data)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


def accepted_rate(who: str, arrivals: list[dict[str, Any]]) -> Throughput:
    ok = sorted(a["monotonic"] for a in arrivals if a["http_status"] == 200)
    span = ok[-1] - ok[0] if len(ok) > 1 else float("nan")
    rejected = sum(1 for a in arrivals if a["http_status"] != 200)
    return Throughput(who, len(ok), round(span, 3), round((len(ok) - 1) / span, 1), rejected)


def densest_second(arrivals: list[dict[str, Any]]) -> int:
    times = sorted(a["monotonic"] for a in arrivals)
    return max((bisect.bisect_left(times, t + 1.0) - i for i, t in enumerate(times)), default=0)


def payloads(count: int, start: int) -> list[bytes]:
    out = []
    for i, to in enumerate(numbers(count, start)):
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": "template",
            "template": {
                "name": "order_shipped",
                "language": {"code": "en_US"},
                "components": [
                    {
                        "type": "body",
                        "parameters": [
                            {"type": "text", "text": f"ana{i}"},
                            {"type": "text", "text": f"A-{i}"},
                        ],
                    }
                ],
            },
            "biz_opaque_callback_data": f"bench-{i:032d}",
        }
        out.append(json.dumps(body, separators=(",", ":")).encode())
    return out


async def bare_loop(url: str, bodies: list[bytes], concurrency: int) -> None:
    """The baseline: httpx, keep-alive, ``concurrency`` workers posting as fast as answers come back."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    pending = iter(bodies)
    async with httpx.AsyncClient(limits=limits, headers=headers, timeout=30) as client:

        async def worker() -> None:
            for body in pending:
                await client.post(f"{url}/v25.0/{PHONE_NUMBER_ID}/messages", content=body)

        await asyncio.gather(*(worker() for _ in range(concurrency)))


def event_loop() -> asyncio.Runner:
    """The loop `wagate send` runs on (uvloop when installed), so the baseline runs on the same."""
    try:
        import uvloop
    except ImportError:
        return asyncio.Runner()
    return asyncio.Runner(loop_factory=uvloop.new_event_loop)


def run_wagate(plan: Path, folder: Path, url: str, rate: int) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("WAGATE_")},
        "WAGATE_ACCESS_TOKEN": TOKEN,
    }
    command = [sys.executable, "-m", "wagate", "--workspace", str(folder), "send", str(plan)]
    command += ["--rate", str(rate), "--api-url", url]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    (folder / "send.out").write_text(done.stdout + done.stderr, encoding="utf-8")
    if done.returncode != 0:
        sys.exit(f"wagate send exited with {done.returncode}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


def throughput_round(n: int, args: argparse.Namespace, draft: Path) -> tuple[Throughput, Throughput]:
    start = n * args.messages  # fresh recipients every round
    emulator = Emulator(draft, 1000)
    try:
        with event_loop() as runner:
            runner.run(bare_loop(emulator.url, payloads(args.messages, start), args.concurrency))
        bare = accepted_rate("bare httpx", emulator.arrivals())
    finally:
        emulator.stop()
    folder = workspace(f"ws-throughput-{n}", args.concurrency)
    plan = write_campaign(folder / "campaign", args.messages, start + 10**7)
    emulator = Emulator(draft, 1000)
    try:
        run_wagate(plan, folder, emulator.url, 1000)
        ours = accepted_rate("wagate send", emulator.arrivals())
    finally:
        emulator.stop()
    return bare, ours


def pacing_round(args: argparse.Namespace, draft: Path) -> dict[str, Any]:
    folder = workspace("ws-pacing", args.concurrency)
    plan = write_campaign(folder / "campaign", args.pacing_messages, 5 * 10**7)
    emulator = Emulator(draft, 80)
    try:
        run_wagate(plan, folder, emulator.url, 80)
        arrivals = emulator.arrivals()
    finally:
        emulator.stop()
    rate = accepted_rate("wagate send", arrivals)
    return {
        "messages": len(arrivals),
        "max_in_one_second": densest_second(arrivals),
        "mean_per_second": rate.per_second,
        "throughput_errors_130429": sum(1 for a in arrivals if a["error_code"] == 130429),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=10000, help="recipients of each throughput run")
    parser.add_argument("--pacing-messages", type=int, default=960, help="recipients of the 80/s run (12 s)")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight (both sides)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    draft = OUT / "draft.json"
    draft.write_text(json.dumps(DRAFT), encoding="utf-8")
    print(
        f"{args.messages:,} messages per throughput run, concurrency {args.concurrency}; emulator profile bench"
    )
    rounds: list[tuple[Throughput, Throughput]] = []
    for n in range(args.rounds):
        bare, ours = throughput_round(n, args, draft)
        rounds.append((bare, ours))
        print(
            f"  round {n + 1}: bare httpx {bare.per_second:7,.0f}/s   wagate send {ours.per_second:7,.0f}/s"
            f"   ratio {ours.per_second / bare.per_second:.2f}   (non-200: {bare.rejected} / {ours.rejected})",
            flush=True,
        )
    bare, ours = sorted(rounds, key=lambda r: r[1].per_second)[len(rounds) // 2]
    ratio = ours.per_second / bare.per_second
    print(
        f"median round: wagate send {ours.per_second:,.0f} accepted/s at --rate 1000 "
        f"= {ratio:.2f} x the bare httpx loop ({bare.per_second:,.0f}/s); "
        f"target >= {TARGETS['accepted_per_second']:.0f}/s: {'met' if ours.per_second >= 500 else 'NOT met'}"
    )
    pacing = pacing_round(args, draft)
    print(
        f"pacing at 80/s: {pacing['messages']} arrivals, at most {pacing['max_in_one_second']} in any one-second "
        f"window (target <= 84: {'met' if pacing['max_in_one_second'] <= 84 else 'NOT met'}), "
        f"mean {pacing['mean_per_second']:.1f}/s, 130429 answers: {pacing['throughput_errors_130429']}"
    )
    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load": os.getloadavg()},
        "concurrency": args.concurrency,
        "rounds": [{"bare": asdict(b), "wagate": asdict(w)} for b, w in rounds],
        "median": {"bare": asdict(bare), "wagate": asdict(ours), "ratio": round(ratio, 3)},
        "pacing_80": pacing,
        "targets": TARGETS,
    }
    (OUT / "results.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
