"""The triggers journal (``<workspace>/triggers/*.jsonl``) in `wagate privacy forget` and `purge`.

`wagate triggers` keeps every event it accepted (``events.jsonl``), what became of each
(``outcomes.jsonl``), every body it could not use, raw (``quarantine.jsonl``), and shop
webhooks it ignored (``ignored.jsonl``): one JSON object per line, owner-only. The events and
the quarantined bodies hold customers' numbers and names.

The pipelines do not import ``triggers``: records are matched by content, as the landing files
are. Rewrites are atomic (:func:`pipelines.privacy.files.write_atomic`) and hold the journal's
own lock file (``.journal.lock``, ``flock``), so a running ``wagate triggers serve`` neither
loses an append nor interleaves with the rewrite.
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.config import Settings
from pipelines.privacy.files import FileErasure, scrub, write_atomic

JOURNAL_DIR = "triggers"
LOCK = ".journal.lock"
EVENTS = "events.jsonl"
OUTCOMES = "outcomes.jsonl"
QUARANTINE = "quarantine.jsonl"
IGNORED = "ignored.jsonl"
FILES = (EVENTS, QUARANTINE, IGNORED, OUTCOMES)  # outcomes last: they go with their events
# when each kind of record was written (the field the journal stamps)
_TIME_FIELD = {EVENTS: "received_at", QUARANTINE: "received_at", IGNORED: "received_at", OUTCOMES: "at"}


def journal_folder(settings: Settings) -> Path:
    """Where `wagate triggers` keeps its journal."""
    return settings.workspace / JOURNAL_DIR


def journal_names(folder: Path, digits: set[str]) -> set[str]:
    """Customer names the shop gave in events for these numbers (erased everywhere, like profile names)."""
    found: set[str] = set()
    for record in _records(folder / EVENTS):
        customer = _customer(record)
        name = customer.get("name")
        if _digits(customer.get("phone")) in digits and isinstance(name, str) and name.strip():
            found.add(name.strip())
    return found


def erase_journal(folder: Path, pattern: re.Pattern[str], out: FileErasure) -> None:
    """Drop the people's records from the journal; scrub their numbers and names from the rest.

    A record about them is an event or a quarantined body that mentions their number or name,
    an ignored webhook whose reason does, and the outcome of any of their events (outcomes
    carry a masked number only, so they are matched by event id).
    """
    if not folder.is_dir():
        return
    with _locked(folder):
        gone: set[str] = set()

        def about_them(name: str, record: dict[str, Any]) -> bool:
            if name == OUTCOMES:
                text = json.dumps(record, ensure_ascii=False)
                return str(record.get("event_id")) in gone or bool(pattern.search(text))
            text = json.dumps(record, ensure_ascii=False)
            if not pattern.search(text):
                return False
            gone.update(_event_ids(record))
            return True

        for name in FILES:
            removed = _rewrite(folder / name, functools.partial(about_them, name), pattern)
            if removed is not None:
                out.journal.append(str(folder / name))
                out.records_removed += removed


def purge_journal(folder: Path, cutoff: datetime, *, dry_run: bool = False) -> int:
    """Remove journal records written before ``cutoff``; returns how many (would) go.

    Records without a readable time are kept. Quarantined bodies not replayed by then go too:
    the retention period is also the time an operator has to fix and replay them.
    """
    if not folder.is_dir():
        return 0
    total = 0
    with _locked(folder):
        for name in FILES:
            field = _TIME_FIELD[name]

            def old(record: dict[str, Any], field: str = field) -> bool:
                written = _time(record.get(field))
                return written is not None and written < cutoff

            if dry_run:
                total += sum(1 for record in _records(folder / name) if old(record))
                continue
            total += _rewrite(folder / name, old, None) or 0
    return total


def _rewrite(
    path: Path, drop: Callable[[dict[str, Any]], bool], pattern: re.Pattern[str] | None
) -> int | None:
    """Rewrite a journal file without the dropped records (scrubbing the others with ``pattern``).

    Returns how many records were dropped, or None when the file did not change.
    """
    if not path.exists():
        return None
    original = path.read_text(encoding="utf-8")
    kept: list[str] = []
    removed = 0
    for line in original.splitlines():
        if not line.strip():
            continue
        record = _json(line)
        if not isinstance(record, dict):
            # a torn line (a crash mid-append): kept unless it mentions them
            if pattern is not None and pattern.search(line):
                removed += 1
            else:
                kept.append(line)
            continue
        if drop(record):
            removed += 1
            continue
        kept.append(json.dumps(scrub(record, pattern), ensure_ascii=False) if pattern is not None else line)
    text = "".join(line + "\n" for line in kept)
    if text == original:
        return None
    write_atomic(path, text.encode("utf-8"))
    return removed


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """The lock ``triggers.journal.Journal`` takes for every append and rewrite."""
    fd = os.open(folder / LOCK, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _records(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        record = _json(line)
        if isinstance(record, dict):
            yield record


def _customer(record: dict[str, Any]) -> dict[str, Any]:
    event = record.get("event")
    customer = event.get("customer") if isinstance(event, dict) else None
    return customer if isinstance(customer, dict) else {}


def _event_ids(record: dict[str, Any]) -> set[str]:
    """Event ids a record names: an accepted event's, or a quarantined native event's."""
    ids: set[str] = set()
    event = record.get("event")
    if isinstance(event, dict) and event.get("id") is not None:
        ids.add(str(event["id"]))
    body = _json(record["body"]) if isinstance(record.get("body"), str) else None
    if isinstance(body, dict) and isinstance(body.get("id"), str):
        ids.add(body["id"])
    return ids


def _digits(value: object) -> str:
    return re.sub(r"\D", "", value) if isinstance(value, str) else ""


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None
