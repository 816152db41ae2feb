"""``--write-audience``: the contacts that may be sent to, and the excluded ones with their reasons.

The audience file keeps the original columns (so the sender reads it like the input) and adds
``e164``; each number appears once (later duplicate rows are excluded with N002). The excluded
file, ``<name>.excluded.csv`` next to it, adds ``row`` (the data row in the input), ``codes``
and ``reasons``. Both are UTF-8 with a byte-order mark, so Excel opens Chinese text correctly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from core.errors import InputError, UsageError
from lint.engine import LintReport


@dataclass(frozen=True, slots=True)
class AudienceFiles:
    """What was written."""

    audience: Path
    excluded: Path
    passing: int
    excluded_count: int


def excluded_path(audience: Path) -> Path:
    """``audience.csv`` -> ``audience.excluded.csv``."""
    return audience.with_name(f"{audience.stem}.excluded{audience.suffix or '.csv'}")


def _duplicates(frame: pl.DataFrame) -> pl.DataFrame:
    """Later rows of a repeated valid number."""
    valid = frame.filter(pl.col("valid")).select("_row", "e164")
    first = valid.group_by("e164").agg(first=pl.col("_row").min())
    return valid.join(first, on="e164").filter(pl.col("_row") != pl.col("first")).select(row="_row")


def write_audience(report: LintReport, path: Path) -> AudienceFiles:
    """Write the passing contacts to ``path`` and the excluded ones next to it."""
    contacts = report.contacts
    if contacts is None:
        raise UsageError(
            "--write-audience needs a contact list", hint="add --contacts FILE or a plan with contacts"
        )
    findings = report.findings.filter(pl.col("kind") == "contact")
    blocking = findings.filter(pl.col("severity") == "error").select(
        "row", pl.col("code").cast(pl.String), "message"
    )
    duplicates = _duplicates(contacts.frame).with_columns(
        code=pl.lit("N002"), message=pl.lit("later row of a duplicate number")
    )
    reasons = (
        pl.concat([blocking, duplicates.select("row", "code", "message")])
        .group_by("row")
        .agg(
            codes=pl.col("code").unique(maintain_order=True).str.join(" "),
            reasons=pl.col("message").str.join(" | "),
        )
    )
    source = contacts.source.with_columns(row=contacts.frame["_row"], e164=contacts.frame["e164"])
    excluded = source.join(reasons, on="row", how="inner", maintain_order="left")
    passing = source.join(reasons, on="row", how="anti", maintain_order="left").drop("row")
    other = excluded_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        passing.write_csv(path, include_bom=True)
        excluded.write_csv(other, include_bom=True)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the audience: {exc.strerror}") from None
    return AudienceFiles(
        audience=path, excluded=other, passing=passing.height, excluded_count=excluded.height
    )
