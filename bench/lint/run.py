"""bench/lint: `wagate lint` on 1,000,000 contacts against a plain phonenumbers loop, in one run.

    python3 dev.py bench lint [--contacts 1000000]

1. generate (seeded, reused) a contact list with consent columns — numbers typed the way people
   type them, in 20 regions — and one marketing draft;
2. wagate: `wagate lint draft.json --contacts contacts.csv --format json -o report.json`, all
   rules, in its own process (wall time, peak memory);
3. baseline: a plain per-row loop of `phonenumbers.parse` + `is_valid_number` over the same
   numbers, in its own process. The whole lint must be at least 3x faster than that loop alone.
Steps 2 and 3 alternate ``--repeat`` times (default 3); the medians are reported.
Targets: lint < 5 s and < 2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
REGIONS = (
    "CN",
    "DE",
    "IN",
    "BR",
    "ID",
    "AE",
    "MX",
    "GB",
    "SA",
    "FR",
    "ES",
    "IT",
    "NG",
    "ZA",
    "AU",
    "RU",
    "TR",
    "VN",
    "US",
    "CA",
)
WEIGHTS = (20, 8, 10, 10, 8, 5, 5, 5, 4, 4, 4, 3, 3, 2, 2, 2, 2, 2, 3, 2)
METHODS = ("keyword_reply", "whatsapp_button", "web_form", "checkbox", "qr_to_whatsapp")
DRAFT = {
    "name": "spring_sale",
    "language": "en_US",
    "category": "MARKETING",
    "components": [
        {"type": "HEADER", "format": "TEXT", "text": "Acme spring sale"},
        {
            "type": "BODY",
            "text": "Hi {{1}}, everything at Acme is 20% off until Sunday: https://acme.com/spring",
            "example": {"body_text": [["Ana"]]},
        },
        {"type": "FOOTER", "text": "Reply STOP to opt out"},
    ],
    "x-wagate": {"brand": "Acme"},
}
BASELINE = """
import csv, sys, phonenumbers
valid = 0
with open(sys.argv[1], newline="", encoding="utf-8") as handle:
    rows = csv.reader(handle)
    next(rows)
    for phone, region, *_ in rows:
        try:
            valid += phonenumbers.is_valid_number(phonenumbers.parse(phone, region))
        except phonenumbers.NumberParseException:
            pass
print(valid)
"""


def generate(count: int) -> Path:
    import phonenumbers

    contacts = OUT / f"contacts-{count}.csv"
    if contacts.exists():
        return contacts
    rng = random.Random(42)
    examples = {
        r: phonenumbers.format_number(
            phonenumbers.example_number_for_type(r, phonenumbers.PhoneNumberType.MOBILE),
            phonenumbers.PhoneNumberFormat.E164,
        )
        for r in REGIONS
    }
    with contacts.open("w", encoding="utf-8") as out:
        out.write(
            "phone,country,consent_timestamp,consent_method,consent_source,consent_text_version,"
            "business_name_shown,purposes,ip,opted_out_at\n"
        )
        for _ in range(count):
            region = rng.choices(REGIONS, WEIGHTS)[0]
            example = examples[region]
            number = example[: len(example) - 6] + f"{rng.randrange(10**6):06d}"
            if rng.random() < 0.1:  # typed with spaces
                number = f"{number[:3]} {number[3:6]} {number[6:]}"
            day = f"2025-{rng.randrange(1, 6):02d}-{rng.randrange(1, 28):02d}"
            ip = "203.0.113.7" if rng.random() < 0.9 else ""
            opted_out = "2025-05-01" if rng.random() < 0.01 else ""
            purpose = "marketing" if rng.random() < 0.95 else "order_updates"
            out.write(
                f"{number},{region},{day},{rng.choice(METHODS)},wa-JOIN,v3,Acme,{purpose},{ip},{opted_out}\n"
            )
    return contacts


def timed(cmd: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS of this child (MB, NaN when not a new maximum) and exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode not in (0, 1):
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return elapsed, peak / 1024 if peak > before else float("nan"), proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds of lint and loop, interleaved; medians are reported"
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    contacts = generate(args.contacts)
    draft = OUT / "draft.json"
    draft.write_text(json.dumps(DRAFT), encoding="utf-8")
    report = OUT / "report.json"
    lint_cmd = [
        sys.executable,
        "-m",
        "wagate",
        "--workspace",
        str(OUT / "ws"),
        "lint",
        str(draft),
        "--contacts",
        str(contacts),
        "--at",
        "2025-06-03T10:00:00Z",
        "--format",
        "json",
        "-o",
        str(report),
    ]
    lints: list[float] = []
    loops: list[float] = []
    peaks: list[float] = []
    code = 0
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    # interleaved rounds: the machine is shared, and a slow minute then hits both sides alike
    for _ in range(args.repeat):
        lint_s, lint_mb, code = timed(lint_cmd)
        loop_s, _, _ = timed([sys.executable, "-c", BASELINE, str(contacts)])
        lints.append(lint_s)
        loops.append(loop_s)
        peaks.append(lint_mb)
        print(f"  round: lint {lint_s:.2f} s, loop {loop_s:.2f} s")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    lint_s, loop_s = statistics.median(lints), statistics.median(loops)
    peak = max((p for p in peaks if p == p), default=float("nan"))  # NaN: not a new maximum
    summary = json.loads(report.read_text(encoding="utf-8"))["summary"]
    print(f"contacts {args.contacts:,}; findings: {summary}")
    print(
        f"{'wagate lint (all rules), median':32} {lint_s:8.2f} s   peak {peak:,.0f} MB   exit {code}   "
        "target < 5 s, < 2 GB"
    )
    print(f"{'phonenumbers loop, median':32} {loop_s:8.2f} s")
    print(f"{'ratio loop / lint':32} {loop_s / lint_s:8.2f}x   target >= 3x")
    (OUT / "results.json").write_text(
        json.dumps(
            {
                "contacts": args.contacts,
                "lint_seconds": [round(s, 2) for s in lints],
                "lint_median_seconds": round(lint_s, 2),
                "lint_peak_mb": round(peak),
                "loop_seconds": [round(s, 2) for s in loops],
                "ratio": round(loop_s / lint_s, 2),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
