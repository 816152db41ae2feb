"""The audit trail: an append-only, tamper-evident log of who did what and when.

Entries are JSON lines in ``<workspace>/audit/audit.jsonl``. Each entry carries the sha256 of
the previous entry (``prev``) and its own (``hash``, over the canonical JSON of every other
field), so editing, deleting or reordering a line breaks the chain from that line on and
:func:`verify` names it. Appends take an exclusive ``flock`` so concurrent commands never
interleave or fork the chain.

Entries never hold a full phone number or a secret: people appear by their keyed pseudonym
(contact key) only, and any digit run that looks like a phone number is masked on the way in.
"""

from __future__ import annotations

import fcntl
import getpass
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.config import Settings
from core.errors import InputError
from core.phones import mask
from core.redact import redact

AUDIT_DIR = "audit"
LOG_NAME = "audit.jsonl"
REPORTS_DIR = "reports"  # lint reports that allowed a send, by report hash
INPUTS_DIR = "inputs"  # content-addressed copies of the consent inputs a send relied on
KEPT_INPUTS = ("contacts", "consent", "plan", "waivers")
GENESIS = "0" * 64
FILE_MODE = 0o600

# a phone-number-like digit run standing alone (not part of a hash, a date or an id with letters)
_NUMBER_LIKE = re.compile(r"(?<![0-9A-Za-z_:.\-])\+?\d{7,15}(?![0-9A-Za-z_])")
_SECRET_KEYS = re.compile(r"token|secret|password|authorization", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the audit log."""

    seq: int
    at: str  # ISO-8601 UTC
    action: str
    operator: str
    details: dict[str, Any]
    prev: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        """The entry as written (field order fixed)."""
        return {
            "seq": self.seq,
            "at": self.at,
            "action": self.action,
            "operator": self.operator,
            "details": self.details,
            "prev": self.prev,
            "hash": self.hash,
        }

    @property
    def time(self) -> datetime:
        """When it happened."""
        return datetime.fromisoformat(self.at)


@dataclass(frozen=True, slots=True)
class Verification:
    """The result of checking the chain."""

    ok: bool
    entries: int
    bad_line: int | None = None  # 1-based line of the first broken entry
    reason: str = ""


def log_path(settings: Settings) -> Path:
    """The audit log file of a workspace."""
    return settings.workspace / AUDIT_DIR / LOG_NAME


def current_operator(explicit: str | None = None) -> str:
    """Who is acting: the explicit value (``--operator``), else the login name."""
    if explicit:
        return explicit
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers): still record something
        return "unknown"


def record(
    settings: Settings,
    action: str,
    *,
    operator: str | None = None,
    at: datetime | None = None,
    **details: Any,
) -> AuditEntry:
    """Append one entry (``action`` like ``lint.run``, ``send.run``, ``privacy.forget``) and return it."""
    path = log_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    clean = _scrub(details)
    when = (at or datetime.now(UTC)).astimezone(UTC).isoformat()
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, FILE_MODE)
    with os.fdopen(fd, "r+", encoding="utf-8") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        seq, prev = _tail(handle)
        body = {
            "seq": seq,
            "at": when,
            "action": action,
            "operator": current_operator(operator),
            "details": clean,
            "prev": prev,
        }
        entry = AuditEntry(**body, hash=entry_hash(body))
        handle.seek(0, os.SEEK_END)
        handle.write(json.dumps(entry.to_dict(), ensure_ascii=False, sort_keys=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return entry


def record_send(
    settings: Settings,
    *,
    report_hash: str,
    report_json: bytes,
    inputs: Iterable[tuple[str, Path]],
    warnings_accepted: bool,
    **details: Any,
) -> AuditEntry:
    """Record a send run, keeping the lint report and the consent inputs the evidence pack needs.

    The report is kept as ``audit/reports/<report hash>.json`` and the contact list and consent
    records as ``audit/inputs/<sha256><suffix>`` (owner-only): the consent proofs of the
    campaign's recipients, tied to the gate by the report hash. They hold numbers, so
    `wagate privacy forget` reaches them like every other file.
    """
    root = log_path(settings).parent
    _keep(root / REPORTS_DIR / f"{report_hash}.json", report_json)
    kept: dict[str, dict[str, str]] = {}
    for label, path in inputs:
        if path.is_file():
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            kept[label] = {"path": str(path), "sha256": digest}
            if label in KEPT_INPUTS:
                kept[label]["kept"] = _keep(root / INPUTS_DIR / f"{digest}{path.suffix}", data).name
    entry = record(
        settings,
        "send.run",
        lint_report=report_hash,
        lint_report_file=f"{report_hash}.json",
        inputs=kept,
        warnings_accepted=warnings_accepted,
        **details,
    )
    if warnings_accepted:
        record(
            settings,
            "override.accept_warnings",
            lint_report=report_hash,
            campaign=details.get("campaign", ""),
        )
    return entry


def _keep(target: Path, data: bytes) -> Path:
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    return target


def entry_hash(body: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of an entry's fields other than ``hash``."""
    fields = {key: value for key, value in body.items() if key != "hash"}
    canonical = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def read(
    settings: Settings,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    action: str | None = None,
) -> list[AuditEntry]:
    """Entries in [start, end) whose action equals ``action`` or starts with ``action.``."""
    found = []
    for _, data in _lines(log_path(settings)):
        entry = _entry(data)
        if start is not None and entry.time < start:
            continue
        if end is not None and entry.time >= end:
            continue
        if action and entry.action != action and not entry.action.startswith(action + "."):
            continue
        found.append(entry)
    return found


def verify(settings: Settings) -> Verification:
    """Check every entry's hash and its link to the previous one."""
    prev, count = GENESIS, 0
    for number, data in _lines(log_path(settings)):
        if not isinstance(data, dict) or "hash" not in data:
            return Verification(False, count, number, "not an audit entry")
        if data.get("prev") != prev:
            return Verification(
                False, count, number, "does not follow the previous entry (line removed or moved)"
            )
        if entry_hash(data) != data["hash"]:
            return Verification(False, count, number, "content does not match its hash (line edited)")
        prev, count = str(data["hash"]), count + 1
    return Verification(True, count)


def _tail(handle: Any) -> tuple[int, str]:
    handle.seek(0)
    last = ""
    for line in handle:
        if line.strip():
            last = line
    if not last:
        return 1, GENESIS
    try:
        data = json.loads(last)
        return int(data["seq"]) + 1, str(data["hash"])
    except (ValueError, KeyError, TypeError):
        # a damaged tail: keep appending (verify reports the damage) rather than lose the action
        return 0, hashlib.sha256(last.encode("utf-8")).hexdigest()


def _lines(path: Path) -> Iterator[tuple[int, Any]]:
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except ValueError:
                yield number, None


def _entry(data: Any) -> AuditEntry:
    if not isinstance(data, dict):
        raise InputError("the audit log has a damaged line", hint="run `wagate audit verify`")
    try:
        return AuditEntry(
            seq=int(data["seq"]),
            at=str(data["at"]),
            action=str(data["action"]),
            operator=str(data["operator"]),
            details=dict(data["details"]),
            prev=str(data["prev"]),
            hash=str(data["hash"]),
        )
    except (KeyError, TypeError, ValueError):
        raise InputError("the audit log has a damaged entry", hint="run `wagate audit verify`") from None


def _scrub(value: Any, key: str = "") -> Any:
    """Details made JSON-safe, with number-like digit runs masked and secret-named fields dropped."""
    if key and _SECRET_KEYS.search(key):
        return "[redacted]"
    if isinstance(value, Mapping):
        return {str(k): _scrub(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [_scrub(item) for item in items]
    if isinstance(value, (bool, int, float)) or value is None:
        return value  # counts and sizes; numbers people type arrive as text
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    # secrets first (the process's known values and token shapes, e.g. in a URL), then numbers
    return _NUMBER_LIKE.sub(lambda m: _mask_run(m.group()), redact(str(value)))


def _mask_run(text: str) -> str:
    return mask("+" + text.lstrip("+"))


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read in blocks (``missing`` when it does not exist)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    except FileNotFoundError:
        return "missing"
    return digest.hexdigest()


def files_sha256(paths: Iterable[Path | None]) -> dict[str, str]:
    """``{path: sha256}`` of the files among ``paths`` (missing and ``None`` entries left out)."""
    return {str(p): file_sha256(p) for p in paths if p is not None and p.is_file()}
