"""Read files record by record with exact line numbers (the careful path).

The fast path lets DuckDB read clean NDJSON files directly; this module serves everything that
needs more care: files with broken lines (so each bad line is quarantined with its number),
landing files the receiver is still writing (only complete lines are taken), appended tails of
files loaded before, and ``.json`` documents (one body or an array of bodies).
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.sources.files import InputFile

LINE_SCHEMA = {"file_id": pl.Int32, "line": pl.Int64, "text": pl.String}


@dataclass(slots=True)
class Problem:
    """A record that cannot be staged, with where it was and why."""

    line: int | None
    reason: str
    raw_text: str | None


@dataclass(slots=True)
class LineBatch:
    """Records of one file (or of its unread tail), ready to be registered with DuckDB."""

    frame: pl.DataFrame
    bytes_done: int  # file position after the last record taken
    lines_done: int  # line number of the last line taken
    problems: list[Problem] = field(default_factory=list)


def read_lines(source: InputFile, file_id: int, offset: int = 0, first_line: int = 0) -> LineBatch:
    """Every non-blank line from ``offset`` on; a last line without newline is held back while the file is open."""
    data, truncated = _read_from(source.path, source.gzip, offset)
    problems: list[Problem] = []
    if truncated:
        problems.append(Problem(None, "gzip file is truncated: only its complete part was read", None))
    end = len(data)
    if source.still_open and not data.endswith(b"\n"):
        # the receiver may be mid-write: leave the incomplete record for the next run
        end = data.rfind(b"\n") + 1
    lines: list[int] = []
    texts: list[str] = []
    number = first_line
    for raw in data[:end].split(b"\n") if end else []:
        number += 1
        if not raw.strip():
            continue
        try:
            texts.append(raw.decode("utf-8").removeprefix("\ufeff").rstrip("\r"))
            lines.append(number)
        except UnicodeDecodeError as exc:
            problems.append(
                Problem(number, f"line is not UTF-8 text (byte {exc.start})", raw.decode("utf-8", "replace"))
            )
    if end and data[:end].endswith(b"\n"):
        number -= 1  # split() yields an empty piece after the final newline
    frame = pl.DataFrame(
        {"file_id": [file_id] * len(texts), "line": lines, "text": texts}, schema=LINE_SCHEMA
    )
    return LineBatch(frame, offset + end, number, problems)


def read_document(source: InputFile, file_id: int) -> LineBatch:
    """A ``.json`` file: one body, or an array whose elements become records 1..n."""
    data, truncated = _read_from(source.path, source.gzip, 0)
    if truncated:
        return _whole_file_problem(source, data, file_id, "gzip file is truncated")
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        return _whole_file_problem(source, data, file_id, f"file is not UTF-8 text (byte {exc.start})")
    except json.JSONDecodeError as exc:
        reason = f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        return _whole_file_problem(source, data, file_id, reason, line=exc.lineno)
    elements = document if isinstance(document, list) else [document]
    texts = [json.dumps(item, ensure_ascii=False, separators=(",", ":")) for item in elements]
    frame = pl.DataFrame(
        {"file_id": [file_id] * len(texts), "line": list(range(1, len(texts) + 1)), "text": texts},
        schema=LINE_SCHEMA,
    )
    return LineBatch(frame, len(data), len(texts))


def _whole_file_problem(
    source: InputFile, data: bytes, file_id: int, reason: str, line: int | None = None
) -> LineBatch:
    empty = pl.DataFrame(schema=LINE_SCHEMA)
    text = data[:100_000].decode("utf-8", "replace")
    return LineBatch(empty, len(data), 0, [Problem(line, reason, text)])


def _read_from(path: Path, compressed: bool, offset: int) -> tuple[bytes, bool]:
    """Bytes from ``offset`` on, and whether a gzip stream ended early (its complete part is kept)."""
    if not compressed:
        with path.open("rb") as handle:
            handle.seek(offset)
            return handle.read(), False
    data, truncated = gunzip(path.read_bytes())
    return data[offset:], truncated


def gunzip(data: bytes) -> tuple[bytes, bool]:
    """Decompress every gzip member; a cut stream yields what it holds and ``truncated=True``."""
    out: list[bytes] = []
    while data:
        inflater = zlib.decompressobj(wbits=31)
        try:
            out.append(inflater.decompress(data))
        except zlib.error:
            return b"".join(out), True
        if not inflater.eof:
            return b"".join(out), True
        data = inflater.unused_data.lstrip(b"\0")
    return b"".join(out), False
