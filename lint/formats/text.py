"""The human format: one line per finding, then a summary.

Lines are built column-wise (a million findings print in about a second).
"""

from __future__ import annotations

import polars as pl

from lint.engine import LintReport
from lint.findings import Finding


def location(finding: Finding) -> str:
    """``contacts.csv:5 (row 4)``, ``spring_sale.json:7 (BODY)`` or ``(run)``."""
    target = finding.target
    if target.file is None:
        return "(run)"
    place = target.file if target.line is None else f"{target.file}:{target.line}"
    if target.kind == "contact" and target.row is not None:
        return f"{place} (row {target.row})"
    if target.component:
        return f"{place} ({target.component})"
    return place


def location_expr() -> pl.Expr:
    """:func:`location` for a whole findings frame."""
    file = pl.col("file").cast(pl.String)
    place = pl.when(pl.col("line").is_null()).then(file).otherwise(pl.format("{}:{}", file, pl.col("line")))
    return (
        pl.when(file.is_null())
        .then(pl.lit("(run)"))
        .when((pl.col("kind") == "contact") & pl.col("row").is_not_null())
        .then(pl.format("{} (row {})", place, pl.col("row")))
        .when(pl.col("component").is_not_null())
        .then(pl.format("{} ({})", place, pl.col("component").cast(pl.String)))
        .otherwise(place)
    )


def render_text(report: LintReport, lang: str = "en") -> str:
    """Findings as lines, then counts."""
    lines = report.findings.select(
        pl.format("{}: {} [{}] {}", location_expr(), pl.col("code"), pl.col("severity"), pl.col("message"))
    ).to_series()
    s = report.summary
    verdict = "blocked: fix the errors before sending" if s.errors else "no errors"
    tail = [
        "",
        f"{s.errors} errors, {s.warnings} warnings, {s.infos} infos ({verdict}).",
    ]
    if s.contacts:
        tail.append(f"{s.contacts} contacts: {s.contacts_blocked} blocked, {s.contacts_passing} passing.")
    if s.waived:
        tail.append(f"{s.waived} findings waived.")
    if s.internal_errors:
        tail.append(f"{s.internal_errors} rules crashed (internal errors); this run cannot pass.")
    body = lines.str.join("\n").item() if len(lines) else ""
    return (body + "\n" if body else "") + "\n".join(tail) + "\n"
