"""The JSON report: the public contract of ``wagate lint --format json`` (ARCHITECTURE.md).

``{"version": 1, "summary": {...}, "findings": [{"code", "severity", "rule", "message",
"target": {"kind", "file", "row", "component"}, "basis"}]}``. Every target key is present
(null where it does not apply). One finding per line keeps large reports streamable and diffs
readable. Findings are serialised by Polars straight to bytes, several chunks at a time.
"""

from __future__ import annotations

import io
import json
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import BinaryIO

import polars as pl

from lint.engine import LintReport

VERSION = 1


# findings serialised at a time: bounds the memory a huge report needs, and a chunk's buffer
# (~4 MB) stays below the C allocator's mmap threshold, so it reuses freed memory instead of
# faulting in fresh pages for every chunk (which cost more kernel time than the writing)
_CHUNK = 10_000
_AHEAD = 2  # chunks serialised at once on worker threads while the main thread writes


def _shaped(findings: pl.DataFrame) -> pl.DataFrame:
    return findings.select(
        pl.col("code").cast(pl.String),
        pl.col("severity").cast(pl.String),
        pl.col("rule").cast(pl.String),
        "message",
        target=pl.struct(
            pl.col("kind").cast(pl.String),
            pl.col("file").cast(pl.String),
            "row",
            pl.col("component").cast(pl.String),
        ),
        basis=pl.col("basis").cast(pl.String),
    )


def write_json(report: LintReport, stream: BinaryIO) -> None:
    """Write the report as the documented JSON object (UTF-8) to a binary stream, in chunks.

    The next chunks are serialised on worker threads while the current one is written (and
    hashed, by the caller's stream): Polars, the file write and sha256 all release the GIL, so
    a million-finding report takes about as long as the slower of the two instead of both.
    """
    head = json.dumps({"version": VERSION, "summary": report.summary.to_dict()}, ensure_ascii=False)
    stream.write(head[:-1].encode("utf-8") + b', "findings": ')
    findings = report.findings
    if findings.height == 0:
        stream.write(b"[]}\n")
        return
    stream.write(b"[\n")
    starts = range(0, findings.height, _CHUNK)
    with ThreadPoolExecutor(_AHEAD, thread_name_prefix="json-report") as pool:
        ahead: deque[Future[bytes]] = deque()
        written = 0
        for start in starts:
            ahead.append(pool.submit(_chunk_bytes, findings, start))
            if len(ahead) > _AHEAD:  # a few chunks in the making while one is written: bounded memory
                _write_chunk(stream, ahead.popleft().result(), first=written == 0)
                written += 1
        while ahead:
            _write_chunk(stream, ahead.popleft().result(), first=written == 0)
            written += 1
    stream.write(b"\n]}\n")


def _chunk_bytes(findings: pl.DataFrame, start: int) -> bytes:
    """One chunk of findings as JSON objects, each followed by ``,\\n``.

    Each finding is encoded by Polars as one JSON text and written as a one-column CSV without
    quoting whose line ending is the array separator: no second pass to put the commas in.
    """
    shaped = _shaped(findings.slice(start, _CHUNK))
    lines = shaped.select(pl.struct(shaped.columns).struct.json_encode())
    buffer = io.BytesIO()
    lines.write_csv(buffer, include_header=False, quote_style="never", line_terminator=",\n")
    return buffer.getvalue()


def _write_chunk(stream: BinaryIO, chunk: bytes, *, first: bool) -> None:
    # every chunk ends in ",\n"; the separator goes before each chunk but the first, and the
    # trailing one is cut off by a view instead of an rstrip (a copy of the chunk)
    if not first:
        stream.write(b",\n")
    stream.write(memoryview(chunk)[:-2])


def render_json_bytes(report: LintReport) -> bytes:
    """The report as the documented JSON object, UTF-8 encoded."""
    out = io.BytesIO()
    write_json(report, out)
    return out.getvalue()


def render_json(report: LintReport, lang: str = "en") -> str:
    """The report as the documented JSON object."""
    return render_json_bytes(report).decode("utf-8")
