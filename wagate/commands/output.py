"""Printing rows as an aligned table, JSON or CSV (shared by every command that lists things)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import click

FORMATS = ("table", "json", "csv")


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return str(value)


def _json_default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def emit(rows: Sequence[dict[str, Any]], fmt: str, *, columns: Sequence[str] | None = None) -> None:
    """Print rows in the chosen format."""
    if fmt == "json":
        click.echo(json.dumps(list(rows), default=_json_default, ensure_ascii=False, indent=1))
        return
    names = list(columns or (rows[0].keys() if rows else []))
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(names)
        for row in rows:
            writer.writerow(["" if row.get(n) is None else _cell(row.get(n)) for n in names])
        click.echo(buffer.getvalue(), nl=False)
        return
    if not rows:
        click.echo("(no rows)")
        return
    cells = [[_cell(row.get(n)) for n in names] for row in rows]
    widths = [max(len(n), *(len(c[i]) for c in cells)) for i, n in enumerate(names)]
    click.echo("  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)))
    for line in cells:
        click.echo(
            "  ".join(c.rjust(w) if _numeric(c) else c.ljust(w) for c, w in zip(line, widths, strict=True))
        )


def _numeric(text: str) -> bool:
    return text.replace(".", "", 1).replace("-", "", 1).isdigit()
