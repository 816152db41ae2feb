"""The manifest of loaded files: what makes a re-run on unchanged inputs do no work.

A file is skipped when its size and modification time match the manifest. A file that grew and
still starts with the same bytes (a landing file the receiver appends to) is read from where the
last load stopped. Anything else is read again from the start; deterministic event ids make that
safe (nothing is counted twice).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from core.warehouse import Warehouse
from pipelines.sources.files import InputFile

_HEAD_BYTES = 1 << 16


class Action(StrEnum):
    """What a load does with a file."""

    SKIP = "skip"
    FULL = "full"
    APPEND = "append"


@dataclass(frozen=True, slots=True)
class FileStat:
    """Size and modification time of a file."""

    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class Planned:
    """An input file with the action planned for it."""

    source: InputFile
    action: Action
    stat: FileStat
    offset: int = 0  # bytes already loaded (APPEND)
    first_line: int = 0  # lines already loaded (APPEND)


def stat_file(path: Path) -> FileStat:
    """Current size and mtime (a folder counts as its export marker)."""
    info = (path / "_wagate_export.json" if path.is_dir() else path).stat()
    return FileStat(info.st_size, info.st_mtime_ns)


def head_hash(path: Path, loaded_bytes: int) -> str:
    """Hash of the first bytes of a file that a load took (at most 64 KiB): equal means 'same start'."""
    if path.is_dir():
        return ""
    with path.open("rb") as handle:
        return hashlib.sha256(handle.read(min(_HEAD_BYTES, max(loaded_bytes, 0)))).hexdigest()


def plan(wh: Warehouse, sources: list[InputFile]) -> list[Planned]:
    """Decide, per file, whether to skip it, append its tail or read it whole."""
    known = {
        row[0]: row[1:]
        for row in wh.rows("SELECT path, size, mtime_ns, head_sha256, bytes_done, lines_done FROM meta.files")
    }
    planned: list[Planned] = []
    for source in sources:
        current = stat_file(source.path)
        previous = known.get(str(source.path))
        planned.append(_decide(source, current, previous))
    return planned


def _decide(source: InputFile, current: FileStat, previous: tuple[Any, ...] | None) -> Planned:
    if previous is None:
        return Planned(source, Action.FULL, current)
    size, mtime_ns, head, bytes_done, lines_done = previous
    if size == current.size and mtime_ns == current.mtime_ns:
        return Planned(source, Action.SKIP, current)
    appendable = (
        source.layout == "lines"
        and not source.gzip
        and source.kind.value in ("webhooks", "landing", "send_log")
    )
    # lines_done < 0: the fast path read it without counting lines, so line numbers could not continue
    resumable = lines_done >= 0
    if appendable and resumable and current.size > bytes_done and head == head_hash(source.path, bytes_done):
        return Planned(source, Action.APPEND, current, bytes_done, lines_done)
    return Planned(source, Action.FULL, current)


def record(wh: Warehouse, item: Planned, *, bytes_done: int, lines_done: int, run_id: str, now: str) -> None:
    """Write a file's manifest entry (inside the load's transaction)."""
    wh.execute(
        """
        INSERT OR REPLACE INTO meta.files
        VALUES ($path, $kind, $size, $mtime, $head, $bytes_done, $lines_done, $run_id, $now::TIMESTAMPTZ)
        """,
        {
            "path": str(item.source.path),
            "kind": item.source.kind_label,
            "size": item.stat.size,
            "mtime": item.stat.mtime_ns,
            "head": head_hash(item.source.path, bytes_done),
            "bytes_done": bytes_done,
            "lines_done": lines_done,
            "run_id": run_id,
            "now": now,
        },
    )
