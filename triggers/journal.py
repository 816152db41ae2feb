"""The events journal under ``<workspace>/triggers/``: nothing that arrives is lost.

* ``events.jsonl``: every accepted event (decoded, in the documented shape), before it is sent;
* ``outcomes.jsonl``: what became of each (sent, duplicate, suppressed, refused, ...);
* ``quarantine.jsonl``: every body that could not be used, raw, with the reason, for
  ``wagate triggers replay``;
* ``ignored.jsonl``: shop webhooks that are not events wagate sends for (topic and reason only).

Each record is one JSON line, written and fsynced before the HTTP answer; the files hold phone
numbers, so they are created owner-only.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from triggers.dispatch import Outcome
from triggers.events import Event

EVENTS = "events.jsonl"
OUTCOMES = "outcomes.jsonl"
QUARANTINE = "quarantine.jsonl"
IGNORED = "ignored.jsonl"


@dataclass(frozen=True, slots=True)
class Quarantined:
    """A body kept for replay: where it came from, the raw text and why it was not used."""

    id: str
    received_at: str
    source: str  # "native", "shopify", "woocommerce", or a file name
    topic: str | None  # the shop's webhook topic, for adapter bodies
    body: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        """The journal record."""
        return {
            "id": self.id,
            "received_at": self.received_at,
            "source": self.source,
            "topic": self.topic,
            "reason": self.reason,
            "body": self.body,
        }


class Journal:
    """Append-only JSON-lines files in one folder; safe to share between threads."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()

    def accepted(self, event: Event, source: str) -> None:
        """Record an event accepted for sending."""
        self._append(EVENTS, {"received_at": _now(), "source": source, "event": event.to_json()})

    def ignored(self, source: str, topic: str | None, reason: str) -> None:
        """Record a webhook that was not a customer event wagate sends for (no body kept)."""
        self._append(IGNORED, {"received_at": _now(), "source": source, "topic": topic, "reason": reason})

    def outcome(self, outcome: Outcome) -> None:
        """Record what became of an event."""
        self._append(OUTCOMES, {"at": _now(), **outcome.to_json()})

    def quarantine(self, body: str, reason: str, source: str, topic: str | None = None) -> Quarantined:
        """Keep a body that could not be used, with the reason."""
        entry = Quarantined(uuid.uuid4().hex[:16], _now(), source, topic, body, reason)
        self._append(QUARANTINE, entry.to_json())
        return entry

    def quarantined(self) -> list[Quarantined]:
        """Every body in quarantine, oldest first."""
        return [
            Quarantined(r["id"], r["received_at"], r["source"], r.get("topic"), r["body"], r["reason"])
            for r in self._read(QUARANTINE)
        ]

    def outcomes(self) -> list[dict[str, Any]]:
        """Every outcome record, oldest first."""
        return list(self._read(OUTCOMES))

    def events(self) -> list[dict[str, Any]]:
        """Every accepted-event record, oldest first."""
        return list(self._read(EVENTS))

    def settle_quarantined(self, replayed: set[str], reasons: dict[str, str]) -> None:
        """After a replay: drop the ``replayed`` entries and give others their new reasons.

        The file is re-read under the journal lock, so entries a running server added meanwhile stay.
        """
        with self._locked():
            current = list(self._read_unlocked(QUARANTINE))
            temporary = self.folder / f".{QUARANTINE}.{os.getpid()}.tmp"
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                for record in current:
                    if record.get("id") in replayed:
                        continue
                    if record.get("id") in reasons:
                        record["reason"] = reasons[record["id"]]
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.folder / QUARANTINE)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """This process's lock plus a file lock, so a replay and a running server do not interleave."""
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.folder / ".journal.lock", os.O_WRONLY | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)

    def _append(self, name: str, record: dict[str, Any]) -> None:
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        with self._locked():
            fd = os.open(self.folder / name, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)

    def _read(self, name: str) -> Iterator[dict[str, Any]]:
        with self._locked():
            records = list(self._read_unlocked(name))
        yield from records

    def _read_unlocked(self, name: str) -> Iterator[dict[str, Any]]:
        path = self.folder / name
        if not path.exists():
            return
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            if line.strip():
                # a torn last line (a crash mid-write) is skipped rather than failing the reader
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    continue


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
