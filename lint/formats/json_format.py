"""The JSON report: the public contract of ``wagate lint --format json`` (ARCHITECTURE.md).

``{"version": 1, "summary": {...}, "findings": [{"code", "severity", "rule", "message",
"target": {"kind", "file", "row", "component"}, "basis"}]}``. Every target key is present
(null where it does not apply). One finding per line keeps large reports streamable and diffs
readable. Findings are serialised by Polars straight to bytes: JSON strings escape new lines,
so a raw new line only ever separates two findings and becomes ``,\\n``.
"""

from __future__ import annotations

import io
import json
from typing import BinaryIO

import polars as pl

from lint.engine import LintReport

VERSION = 1


_CHUNK = 100_000  # findings serialised at a time: bounds the memory a huge report needs


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
    """Write the report as the documented JSON object (UTF-8) to a binary stream, in chunks."""
    head = json.dumps({"version": VERSION, "summary": report.summary.to_dict()}, ensure_ascii=False)
    stream.write(head[:-1].encode("utf-8") + b', "findings": ')
    findings = report.findings
    if findings.height == 0:
        stream.write(b"[]}\n")
        return
    stream.write(b"[\n")
    for start in range(0, findings.height, _CHUNK):
        buffer = io.BytesIO()
        _shaped(findings.slice(start, _CHUNK)).write_ndjson(buffer)
        if start:
            stream.write(b",\n")
        # every line ends in a new line, the last one too: it became ",\n", which is cut off by a
        # view instead of an rstrip (a copy of the chunk)
        joined = buffer.getvalue().replace(b"\n", b",\n")
        stream.write(memoryview(joined)[:-2])
    stream.write(b"\n]}\n")


def render_json_bytes(report: LintReport) -> bytes:
    """The report as the documented JSON object, UTF-8 encoded."""
    out = io.BytesIO()
    write_json(report, out)
    return out.getvalue()


def render_json(report: LintReport, lang: str = "en") -> str:
    """The report as the documented JSON object."""
    return render_json_bytes(report).decode("utf-8")
