"""CSV send logs: wagate's own columns, or another tool's export through a column mapping.

Exports from Chinese tools are often GBK/GB18030 and carry Chinese headers; Excel adds a BOM.
Every cell is read as text here; types are checked in SQL with the JSON send logs, so both
formats quarantine the same mistakes with the same reasons.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import polars as pl

from core.config import CsvMapping
from core.schema import SEND_LOG_COLUMNS, SEND_LOG_EXTRA_COLUMNS
from pipelines.sources.files import InputFile
from pipelines.sources.lines import LineBatch, Problem, gunzip

ALL_COLUMNS = SEND_LOG_COLUMNS + SEND_LOG_EXTRA_COLUMNS
REQUIRED = ("attempted_at", "to", "outcome")
SEND_SCHEMA = {
    "file_id": pl.Int32,
    "line": pl.Int64,
    **dict.fromkeys(ALL_COLUMNS, pl.String),
    "raw_text": pl.String,
}


def decode(data: bytes, encoding: str) -> tuple[str, str]:
    """Text of a CSV file and the encoding used: UTF-8 (BOM or not), else GB18030 (a superset of GBK)."""
    candidates = ("utf-8-sig", "gb18030") if encoding == "auto" else (encoding,)
    for name in candidates:
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError(encoding, data, 0, 1, "not decodable as UTF-8 or GB18030")


def read_send_csv(source: InputFile, file_id: int) -> LineBatch:
    """Rows of a CSV send log as text columns named like the send log."""
    raw, truncated = gunzip(source.path.read_bytes()) if source.gzip else (source.path.read_bytes(), False)
    if truncated:
        return _file_problem(raw, file_id, "gzip file is truncated")
    mapping = source.mapping
    try:
        text, _ = decode(raw, mapping.encoding if mapping else "auto")
    except UnicodeDecodeError:
        return _file_problem(raw, file_id, "file is neither UTF-8 nor GB18030/GBK text")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=mapping.delimiter if mapping else ",")
    header = next(reader, None)
    if header is None:
        return _file_problem(raw, file_id, "CSV file is empty (no header row)")
    columns, missing = _resolve_columns([h.strip() for h in header], mapping)
    if missing:
        hint = (
            "map them in [[ingest.csv_mappings]] columns"
            if mapping
            else "or add an [[ingest.csv_mappings]] entry for this export"
        )
        return _file_problem(raw, file_id, f"CSV header lacks column(s) {', '.join(missing)} ({hint})")
    rows: dict[str, list[str | None]] = {name: [] for name in ALL_COLUMNS}
    lines: list[int] = []
    raws: list[str] = []
    problems: list[Problem] = []
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        line = reader.line_num
        if len(record) > len(header):
            problems.append(
                Problem(line, f"row has {len(record)} fields, header has {len(header)}", ",".join(record))
            )
            continue
        values = _row_values(record, columns, mapping)
        if isinstance(values, str):
            problems.append(Problem(line, values, ",".join(record)))
            continue
        for name in ALL_COLUMNS:
            rows[name].append(values.get(name))
        lines.append(line)
        raws.append(",".join(record))
    frame = pl.DataFrame(
        {"file_id": [file_id] * len(lines), "line": lines, **rows, "raw_text": raws}, schema=SEND_SCHEMA
    )
    return LineBatch(frame, len(raw), reader.line_num, problems)


def _resolve_columns(header: list[str], mapping: CsvMapping | None) -> tuple[dict[str, int], list[str]]:
    """Send-log column -> index in the file, and the required columns that cannot be found."""
    position = {name.lower(): i for i, name in enumerate(header)}
    columns: dict[str, int] = {}
    wanted = mapping.columns if mapping else {name: name for name in ALL_COLUMNS}
    for target, source in wanted.items():
        index = position.get(source.lower())
        if index is not None:
            columns[target] = index
    defaults = mapping.defaults if mapping else {}
    missing = [name for name in REQUIRED if name not in columns and name not in defaults]
    return columns, missing


def _row_values(
    record: list[str], columns: dict[str, int], mapping: CsvMapping | None
) -> dict[str, str | None] | str:
    values: dict[str, str | None] = dict(mapping.defaults) if mapping else {}
    for name, index in columns.items():
        cell = record[index].strip() if index < len(record) else ""
        if cell:
            values[name] = cell
    if mapping is None:
        return values
    for name in ("attempted_at", "status_at"):
        value = values.get(name)
        if value:
            converted = _to_iso(value, mapping)
            if converted is None:
                return f"{name} {value!r} does not match the format {mapping.timestamp_format or 'ISO-8601'}"
            values[name] = converted
    return values


def _to_iso(value: str, mapping: CsvMapping) -> str | None:
    try:
        parsed = (
            datetime.strptime(value, mapping.timestamp_format)
            if mapping.timestamp_format
            else datetime.fromisoformat(value)
        )
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(mapping.timezone))
    return parsed.isoformat()


def _file_problem(raw: bytes, file_id: int, reason: str) -> LineBatch:
    text = raw[:100_000].decode("utf-8", "replace")
    return LineBatch(pl.DataFrame(schema=SEND_SCHEMA), len(raw), 0, [Problem(None, reason, text)])
