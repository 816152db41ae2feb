"""The campaign ledger: what was meant, tried and answered for every message, in SQLite.

One file per campaign under ``[send] ledger_dir``. The rule that makes resuming safe: a message's
``intent`` row is committed *before* its API call and its outcome after it. A process killed in
between leaves ``intent``, which the next run turns into ``unknown``: the message may have gone
out, and the Cloud API has no idempotency key, so it is not sent again unless receipts (or the
send log) prove what happened or the operator asks for it (``--resend-unknown``).

Durability: WAL journal. With ``synchronous=NORMAL`` (default) a committed row survives a killed
process (it is in the WAL, in the OS's page cache); after a power loss or kernel crash the last
commits may be lost, so an intent could vanish and its message be sent twice. ``ledger_sync =
"full"`` fsyncs the WAL on every commit and closes that gap at the cost of one fsync per commit.

Outcomes may be grouped: they are queued and committed with the next intent (or by
:meth:`Ledger.flush`), so each message's intent is always durable before its own call.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from core.errors import InputError, WagateError
from core.redact import redact
from sender.model import Message

State = Literal["pending", "intent", "accepted", "held", "rejected", "unknown", "skipped", "deferred"]
STATES: tuple[State, ...] = (
    "pending",
    "intent",
    "accepted",
    "held",
    "rejected",
    "unknown",
    "skipped",
    "deferred",
)
DONE: frozenset[str] = frozenset({"accepted", "held"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
    key TEXT PRIMARY KEY,
    row INTEGER NOT NULL,
    to_number TEXT NOT NULL,
    template TEXT NOT NULL,
    language TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    wamid TEXT,
    error_code INTEGER,
    error_title TEXT,
    reason TEXT,
    not_before TEXT,
    lint_report TEXT,
    created_at TEXT NOT NULL,
    intent_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_state ON messages (state);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    lint_report TEXT NOT NULL,
    result TEXT
);
"""
_SLUG = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class Entry:
    """The ledger's row for one message."""

    key: str
    to: str
    state: State
    attempts: int
    wamid: str | None
    error_code: int | None
    error_title: str | None
    reason: str | None
    not_before: datetime | None
    intent_at: datetime | None
    lint_report: str | None


@dataclass(frozen=True, slots=True)
class Outcome:
    """An outcome waiting to be committed."""

    key: str
    state: State
    at: datetime
    wamid: str | None = None
    error_code: int | None = None
    error_title: str | None = None
    reason: str | None = None
    not_before: datetime | None = None


def ledger_path(directory: Path, campaign: str) -> Path:
    """The ledger file of a campaign: a readable slug plus a hash, so any name maps to one safe file."""
    slug = _SLUG.sub("-", campaign).strip("-.")[:60] or "campaign"
    digest = hashlib.sha256(campaign.encode("utf-8")).hexdigest()[:8]
    return directory / f"{slug}-{digest}.sqlite"


def _iso(moment: datetime | None) -> str | None:
    # one fixed width, so that the text compares in time order (recent_recipients)
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="microseconds")


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


class Ledger:
    """One campaign's ledger, held exclusively by one `wagate send` process."""

    def __init__(self, path: Path, *, sync: Literal["normal", "full"] = "normal") -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise InputError(f"{path.parent}: cannot create the ledger folder: {exc.strerror}") from None
        self._lock_fd = self._lock(path.with_name(path.name + ".lock"))
        try:
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            os.chmod(path, 0o600)  # the ledger holds phone numbers
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={'FULL' if sync == 'full' else 'NORMAL'}")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            self._unlock()
            raise WagateError(
                f"{path}: cannot open the campaign ledger: {exc}", hint="is it a wagate ledger?"
            ) from None
        self._queued: list[Outcome] = []
        self._written = 0

    @staticmethod
    def _lock(path: Path) -> int:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise WagateError(
                f"another `wagate send` is running this campaign (its ledger {path.with_suffix('')} is locked)",
                hint="wait for it to finish, or stop it with Ctrl-C",
            ) from None
        return fd

    def _unlock(self) -> None:
        if self._lock_fd >= 0:
            os.close(self._lock_fd)  # closing the descriptor releases the flock
            self._lock_fd = -1

    def close(self) -> None:
        """Commit what is queued and release the campaign."""
        try:
            self.flush()
            self._db.close()
        finally:
            self._unlock()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- set-up ---------------------------------------------------------------------------------

    def add_messages(self, messages: Sequence[Message], now: datetime) -> None:
        """Give every message of the campaign a row (``pending``) unless it has one."""
        stamp = _iso(now)
        with self._transaction():
            self._db.executemany(
                "INSERT OR IGNORE INTO messages (key, row, to_number, template, language, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(m.key, m.row, m.to, m.template, m.language, stamp, stamp) for m in messages],
            )

    def recover_intents(self, now: datetime) -> int:
        """Turn the ``intent`` rows a killed run left into ``unknown``; returns how many."""
        with self._transaction():
            cursor = self._db.execute(
                "UPDATE messages SET state = 'unknown', reason = 'the run ended between the API call and its record', "
                "updated_at = ? WHERE state = 'intent'",
                (_iso(now),),
            )
        return cursor.rowcount

    def entries(self, keys: Iterable[str] | None = None) -> dict[str, Entry]:
        """Rows by key (all, or those of ``keys``)."""
        sql = (
            "SELECT key, to_number, state, attempts, wamid, error_code, error_title, reason, not_before, intent_at, "
            "lint_report "
            "FROM messages"
        )
        rows = self._db.execute(sql).fetchall()
        wanted = None if keys is None else set(keys)
        return {
            row[0]: Entry(
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                row[5],
                row[6],
                row[7],
                _time(row[8]),
                _time(row[9]),
                row[10],
            )
            for row in rows
            if wanted is None or row[0] in wanted
        }

    def counts(self) -> dict[str, int]:
        """Messages per state (every state present, zeros included)."""
        found = dict(self._db.execute("SELECT state, count(*) FROM messages GROUP BY state").fetchall())
        return {state: int(found.get(state, 0)) for state in STATES}

    def recent_recipients(self, since: datetime) -> set[str]:
        """Numbers with an accepted or held message (or an unknown one) intended at or after ``since``."""
        rows = self._db.execute(
            "SELECT DISTINCT to_number FROM messages WHERE state IN ('accepted', 'held', 'unknown', 'intent') "
            "AND intent_at >= ?",
            (_iso(since),),
        ).fetchall()
        return {row[0] for row in rows}

    def settle(self, key: str, state: State, at: datetime, *, wamid: str | None, reason: str) -> None:
        """Record what reconciliation proved about an ``unknown`` message (committed at once)."""
        self.record(Outcome(key, state, at, wamid=wamid, reason=reason))
        self.flush()

    # -- runs -----------------------------------------------------------------------------------

    def start_run(self, run_id: str, digest: str, now: datetime) -> None:
        """Note that a run started, under which lint report."""
        with self._transaction():
            self._db.execute(
                "INSERT INTO runs (run_id, started_at, lint_report) VALUES (?, ?, ?)",
                (run_id, _iso(now), digest),
            )

    def end_run(self, run_id: str, result: str, now: datetime) -> None:
        """Note how a run ended (the text may quote an API URL: secrets are redacted before it is stored)."""
        self.flush()
        with self._transaction():
            self._db.execute(
                "UPDATE runs SET ended_at = ?, result = ? WHERE run_id = ?",
                (_iso(now), redact(result), run_id),
            )

    # -- the send path --------------------------------------------------------------------------

    def intent(self, key: str, at: datetime, digest: str) -> None:
        """Commit the intent to call the API for ``key`` (with every queued outcome) before the call."""
        with self._transaction():
            self._write_queued()
            self._db.execute(
                "UPDATE messages SET state = 'intent', attempts = attempts + 1, intent_at = ?, lint_report = ?, "
                "updated_at = ? WHERE key = ?",
                (_iso(at), digest, _iso(at), key),
            )

    def record(self, outcome: Outcome) -> None:
        """Queue an outcome; it is committed with the next intent or :meth:`flush`."""
        self._queued.append(outcome)

    def flush(self) -> None:
        """Commit the queued outcomes."""
        if not self._queued:
            return
        with self._transaction():
            self._write_queued()

    def _write_queued(self) -> None:
        # the queue is cleared only once the transaction that wrote it has committed
        if not self._queued:
            return
        self._db.executemany(
            "UPDATE messages SET state = ?, wamid = coalesce(?, wamid), error_code = ?, error_title = ?, "
            "reason = ?, not_before = ?, updated_at = ? WHERE key = ?",
            [
                (
                    o.state,
                    o.wamid,
                    o.error_code,
                    o.error_title,
                    o.reason,
                    _iso(o.not_before),
                    _iso(o.at),
                    o.key,
                )
                for o in self._queued
            ],
        )
        self._written = len(self._queued)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            self._written = 0
            raise
        self._db.execute("COMMIT")
        if self._written:
            del self._queued[: self._written]
            self._written = 0
