"""A small workspace with two people who were sent messages, replied (with a profile name) and opted out."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.config import Settings, load_settings
from pipelines.run import ingest
from tests.conftest import CliResult
from tests.pipelines.bodies import preference, send_row, status, text_reply, write_lines

ANNA = "+4915120000001"  # the person to forget
ANNA_NAME = "Annegret Beispiel"
BOB = "+4915120000002"  # someone else, who must stay
BOB_NAME = "Bob Zweiter"
T0 = 1_767_225_600  # 2026-01-01T00:00:00Z

# every way the same number is written (the issue: E.164, without +, with spaces, national format)
ANNA_FORMS = (
    "+4915120000001",
    "4915120000001",
    "+49 151 20000001",
    "+49 151 2000 0001",
    "0151 20000001",
    "015120000001",
)


@dataclass(frozen=True, slots=True)
class Seeded:
    """The workspace and the files it was built from."""

    settings: Settings
    landing: Path


def _landing_record(body: dict[str, Any], received: str) -> dict[str, Any]:
    return {"received_at": received, "body": json.dumps(body, ensure_ascii=False)}


def _with_name(body: dict[str, Any], name: str) -> dict[str, Any]:
    body["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"] = name
    return body


def seed(root: Path) -> Seeded:
    """Write landing files and send logs for Anna and Bob, and ingest them."""
    ws = root / "ws"
    ws.mkdir(parents=True, exist_ok=True)
    settings = load_settings(ws, env={})
    landing = settings.landing_path
    sends = []
    receipts = []
    for index, (number, name) in enumerate(((ANNA, ANNA_NAME), (BOB, BOB_NAME))):
        digits = number.lstrip("+")
        for n in range(2):
            wamid = f"wamid.{index}{n}"
            at = T0 + 3600 * n + index
            sends.append(send_row(wamid, number, f"2026-01-01T0{n}:00:0{index}+00:00"))
            for offset, state in ((5, "sent"), (10, "delivered"), (20, "read")):
                receipts.append(
                    _landing_record(status(wamid, state, at + offset, digits), "2026-01-01T02:00:00+00:00")
                )
        reply = _with_name(
            text_reply(
                f"in.{index}.1",
                digits,
                T0 + 30 + index,
                f"Hi, {name} here, call me on {number}",
                context=f"wamid.{index}0",
            ),
            name,
        )
        stop = _with_name(text_reply(f"in.{index}.2", digits, T0 + 3700 + index, "STOP"), name)
        receipts += [
            _landing_record(reply, "2026-01-01T02:00:00+00:00"),
            _landing_record(stop, "2026-01-01T02:00:00+00:00"),
        ]
        receipts.append(
            _landing_record(preference(digits, "stop", T0 + 3800 + index), "2026-01-01T02:00:00+00:00")
        )
    write_lines(landing / "2026" / "01" / "01" / "receipts-1.ndjson", receipts)
    write_lines(landing / "sendlogs" / "promo" / "run-1.jsonl", sends)
    ingest(settings)
    return Seeded(settings, landing)


def run_cli(workspace: Path, *args: str) -> CliResult:
    """`wagate --workspace WS ARGS...` as a real process."""
    proc = subprocess.run(
        [sys.executable, "-m", "wagate", "--workspace", str(workspace), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)
