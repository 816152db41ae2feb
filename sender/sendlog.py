"""The send log: one JSON line per API call, written as it goes, in the columns of metrics.md.

Files live in ``<send_log_dir>/<campaign slug>/<UTC start>-<pid>.jsonl.open`` while a run writes
them (locked with ``flock``) and are renamed to ``.jsonl`` when the run ends. The default folder
is ``<landing>/sendlogs``, so a plain `wagate ingest` loads them: ingest holds back the last line
of an ``.open`` file until it is complete and reads only the new tail of a file that grew, and
send-log rows have deterministic ids, so reading a file again never counts a row twice. A file
a killed run left ``.open`` is renamed by the next run of the same campaign.

Each line is one ``write()`` of a complete record to a file opened with ``O_APPEND``: a killed
process never leaves half a line, and a row is in the OS's hands before the ledger records the
outcome. Phone numbers are written here on purpose (the sender's own record of whom it
messaged); they never go to logs or progress output.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from core.schema import SEND_LOG_COLUMNS
from sender.ledger import ledger_path
from sender.model import Message

log = logging.getLogger(__name__)

COLUMNS = SEND_LOG_COLUMNS  # the contract of docs/metrics.md, shared with ingest
OPEN_SUFFIX = ".open"
FINAL_SUFFIX = ".jsonl"
FILE_MODE = 0o600
DIR_MODE = 0o700


@dataclass(frozen=True, slots=True)
class LoggedSend:
    """An accepted or held row found in a send log (used to reconcile unknown outcomes)."""

    key: str
    outcome: str
    wamid: str
    attempted_at: str


def campaign_dir(root: Path, campaign: str) -> Path:
    """The folder of one campaign's send logs (same slug as its ledger file)."""
    return root / ledger_path(root, campaign).stem


def send_log_row(
    message: Message,
    *,
    attempted_at: datetime,
    phone_number_id: str,
    outcome: str,
    wamid: str = "",
    error_code: int | None = None,
    error_title: str = "",
    lint_report: str,
) -> dict[str, object]:
    """One send-log record, columns in the metrics.md order."""
    return {
        "attempted_at": attempted_at.isoformat(timespec="microseconds"),
        "campaign": message.campaign,
        "template": message.template,
        "language": message.language,
        "category": message.category,
        "to": message.to,
        "phone_number_id": phone_number_id,
        "outcome": outcome,
        "wamid": wamid,
        "error_code": error_code,
        "error_title": error_title,
        "idempotency_key": message.key,
        "lint_report": lint_report,
    }


class SendLog:
    """The send-log file of one run; created at the first row."""

    def __init__(self, root: Path, campaign: str, *, started: datetime) -> None:
        self.directory = campaign_dir(root, campaign)
        stamp = started.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        self.final_path = self.directory / f"{stamp}-{os.getpid()}{FINAL_SUFFIX}"
        self.open_path = self.final_path.with_name(self.final_path.name + OPEN_SUFFIX)
        self._fd: int | None = None
        self.rows = 0

    @property
    def path(self) -> Path | None:
        """Where this run's rows are (None before the first row)."""
        if self._fd is not None:
            return self.open_path
        return self.final_path if self.final_path.exists() else None

    def write(self, row: dict[str, object]) -> None:
        """Append one record (one write of a complete line)."""
        if self._fd is None:
            self._fd = self._create()
        line = json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"
        os.write(self._fd, line.encode("utf-8"))
        self.rows += 1

    def _create(self) -> int:
        self.directory.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        fd = os.open(self.open_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        _fsync_dir(self.directory)
        return fd

    def close(self) -> None:
        """Make the file durable and give it its final name."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.fsync(fd)
            os.rename(self.open_path, self.final_path)
            _fsync_dir(self.directory)
        finally:
            os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def recover_open_logs(root: Path, campaign: str) -> list[Path]:
    """Rename the ``.open`` send logs a killed run of this campaign left (locked ones are in use)."""
    directory = campaign_dir(root, campaign)
    closed: list[Path] = []
    if not directory.is_dir():
        return closed
    for path in sorted(directory.glob(f"*{FINAL_SUFFIX}{OPEN_SUFFIX}")):
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        try:
            if os.fstat(fd).st_size == 0:
                path.unlink()
            else:
                target = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
                os.rename(path, target)
                closed.append(target)
            _fsync_dir(directory)
        finally:
            os.close(fd)
    return closed


def logged_sends(root: Path, campaign: str, keys: Iterable[str]) -> dict[str, LoggedSend]:
    """Accepted/held rows of this campaign's send logs for ``keys`` (the latest per key)."""
    wanted = set(keys)
    found: dict[str, LoggedSend] = {}
    if not wanted:
        return found
    for record in _records(campaign_dir(root, campaign)):
        key = record.get("idempotency_key")
        if key in wanted and record.get("outcome") in ("accepted", "held") and record.get("wamid"):
            found[str(key)] = LoggedSend(
                str(key), str(record["outcome"]), str(record["wamid"]), str(record.get("attempted_at", ""))
            )
    return found


def _records(directory: Path) -> Iterator[dict[str, object]]:
    if not directory.is_dir():
        return
    for path in sorted(directory.glob(f"*{FINAL_SUFFIX}*")):
        try:
            with path.open("rb") as handle:
                for line in handle:
                    try:
                        record = json.loads(line)
                    except ValueError:
                        continue  # a torn last line after a power loss
                    if isinstance(record, dict):
                        yield record
        except OSError as exc:
            log.warning("cannot read send log %s: %s", path, exc.strerror)
