"""Erase people from the files of a workspace: landing zone, send logs, sender ledgers, other text files.

Every rewrite is atomic (a temporary file in the same folder, fsynced, then renamed over the
original with the same permissions), so a crash leaves either the old or the new file. Files
still being written (``.open``) are refused rather than raced: stop `wagate receive` and running
sends first.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import InputError
from pipelines.privacy.textmatch import ERASED, names_in_webhook

LARGEST_SWEPT_FILE = 200 * 1024 * 1024
_SKIPPED_SUFFIXES = (".duckdb", ".wal", ".sqlite", ".sqlite-wal", ".sqlite-shm", ".parquet")
_PEOPLE_FIELDS = {
    "contacts": "wa_id",
    "messages": "from",
    "statuses": "recipient_id",
    "user_preferences": "wa_id",
}


@dataclass(slots=True)
class FileErasure:
    """Files changed, per kind."""

    landing: list[str] = field(default_factory=list)
    ledgers: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    journal: list[str] = field(default_factory=list)  # triggers journal files (pipelines.privacy.journal)
    records_removed: int = 0


def collect_names(folders: list[Path], digits: set[str]) -> set[str]:
    """Profile names webhooks in these folders give for the numbers (to erase them everywhere)."""
    found: set[str] = set()
    for path in _files(folders):
        for line in _read_lines(path):
            record = _json(line)
            if isinstance(record, dict) and isinstance(record.get("body"), str):
                found |= names_in_webhook(_json(record["body"]), digits)
    return found


def erase_landing(folders: list[Path], digits: set[str], pattern: re.Pattern[str], out: FileErasure) -> None:
    """Remove the people's records from landing and send-log files; scrub what mentions them."""
    files = [path for path in _files(folders) if any(pattern.search(line) for line in _read_lines(path))]
    still_open = [str(path) for path in files if path.name.endswith((".open", ".partial"))]
    if still_open:
        raise InputError(
            f"{still_open[0]} is still being written and holds a number to forget",
            hint="stop `wagate receive` and any running `wagate send` (they close their files), then run again",
        )
    for path in files:
        kept, removed = [], 0
        for line in _read_lines(path):
            new = _erase_line(line, digits, pattern)
            if new is None:
                removed += 1
            else:
                kept.append(new)
        write_atomic(path, "".join(kept).encode("utf-8"))
        out.landing.append(str(path))
        out.records_removed += removed


def erase_ledgers(folder: Path, forms: set[str], out: FileErasure) -> None:
    """Replace the numbers in the sender's ledgers (``messages.to_number``)."""
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.sqlite")):
        con = sqlite3.connect(path)
        try:
            marks = ",".join("?" for _ in forms)
            cursor = con.execute(
                f"UPDATE messages SET to_number = 'erased' WHERE to_number IN ({marks})", sorted(forms)
            )
            con.commit()
            if cursor.rowcount:
                out.ledgers.append(str(path))
        except sqlite3.OperationalError as exc:
            raise InputError(
                f"{path}: cannot erase from the ledger: {exc}", hint="is a send running?"
            ) from None
        finally:
            con.close()


def sweep_files(root: Path, pattern: re.Pattern[str], skip: Callable[[Path], bool], out: FileErasure) -> None:
    """Scrub the numbers and names from every other text file of the workspace."""
    for path in _files([root]):
        if skip(path) or path.name.endswith(_SKIPPED_SUFFIXES) or path.stat().st_size > LARGEST_SWEPT_FILE:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if pattern.search(text):
            write_atomic(path, pattern.sub(ERASED, text).encode("utf-8"))
            out.other.append(str(path))


def write_atomic(path: Path, data: bytes) -> None:
    """Replace a file's content atomically, keeping its mode (and gzip when it was gzipped)."""
    mode = path.stat().st_mode & 0o777
    if path.name.endswith(".gz"):
        data = gzip.compress(data)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".erasing")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _erase_line(line: str, digits: set[str], pattern: re.Pattern[str]) -> str | None:
    """The line without the people (None: drop it)."""
    if not pattern.search(line) and not any(d in line for d in digits):
        return line
    record = _json(line)
    end = "\n" if line.endswith("\n") else ""
    if isinstance(record, dict) and isinstance(record.get("body"), str):
        body = _json(record["body"])
        if isinstance(body, dict):
            body = _without_people(body, digits)
            if body is None:
                return None
            record["body"] = pattern.sub(ERASED, json.dumps(body, ensure_ascii=False, separators=(",", ":")))
        return json.dumps(scrub(record, pattern), ensure_ascii=False, separators=(",", ":")) + end
    if isinstance(record, dict):
        to = str(record.get("to") or record.get("to_number") or "")
        if to.lstrip("+") in digits or pattern.search(to):
            return None  # a send-log row of the person (the warehouse keeps it, anonymised)
        return json.dumps(scrub(record, pattern), ensure_ascii=False, separators=(",", ":")) + end
    scrubbed = pattern.sub(ERASED, line)
    # a CSV row holding the number is the person's row; a name elsewhere is only redacted
    return None if any(d in re.sub(r"\D", "", line) for d in digits) and "," in line else scrubbed


def _without_people(body: dict[str, Any], digits: set[str]) -> dict[str, Any] | None:
    entries = []
    for entry in body.get("entry") or []:
        changes = []
        for change in entry.get("changes") or [] if isinstance(entry, dict) else []:
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                changes.append(change)
                continue
            removed = False
            for name, key in _PEOPLE_FIELDS.items():
                items = value.get(name)
                if isinstance(items, list):
                    kept = [i for i in items if not (isinstance(i, dict) and str(i.get(key, "")) in digits)]
                    removed |= len(kept) != len(items)
                    value[name] = kept
                    if not kept:
                        del value[name]
            if removed and not any(name in value for name in _PEOPLE_FIELDS):
                continue  # the change was only about them
            changes.append(change)
        if changes:
            entries.append({**entry, "changes": changes})
    return {**body, "entry": entries} if entries else None


def scrub(value: Any, pattern: re.Pattern[str]) -> Any:
    """``value`` (parsed JSON) with every match of ``pattern`` in its strings replaced by the erasure mark."""
    if isinstance(value, dict):
        return {k: scrub(v, pattern) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, pattern) for v in value]
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    return value


def _files(folders: list[Path]) -> Iterator[Path]:
    seen: set[Path] = set()
    for folder in folders:
        if not folder.exists():
            continue
        for path in sorted(folder.rglob("*")) if folder.is_dir() else [folder]:
            if path.is_file() and not path.name.endswith(".erasing") and path not in seen:
                seen.add(path)
                yield path


def _read_lines(path: Path) -> list[str]:
    try:
        raw = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
        return raw.decode("utf-8").splitlines(keepends=True)
    except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile):
        return []


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None
