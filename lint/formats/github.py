"""GitHub Actions workflow commands: one annotation per finding (built column-wise)."""

from __future__ import annotations

import polars as pl

from lint.engine import LintReport

_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: pl.Expr) -> pl.Expr:
    """Escape a message for a workflow command (``%``, CR, LF)."""
    return (
        text.str.replace_all("%", "%25", literal=True)
        .str.replace_all("\r", "%0D", literal=True)
        .str.replace_all("\n", "%0A", literal=True)
    )


def _property(text: pl.Expr) -> pl.Expr:
    """Escape a property value (also ``:`` and ``,``)."""
    return _data(text).str.replace_all(":", "%3A", literal=True).str.replace_all(",", "%2C", literal=True)


def render_github(report: LintReport, lang: str = "en") -> str:
    """``::error file=...,line=...,title=...::message`` lines."""
    if report.findings.height == 0:
        return ""
    level = pl.col("severity").cast(pl.String).replace_strict(_LEVELS, return_dtype=pl.String)
    file = pl.col("file").cast(pl.String)
    where = (
        pl.when(file.is_null())
        .then(pl.lit(""))
        .otherwise(pl.format("file={},line={},", _property(file), pl.col("line").fill_null(1)))
    )
    title = _property(pl.format("{} {}", pl.col("code"), pl.col("rule")))
    row = (
        pl.when((pl.col("kind") == "contact") & pl.col("row").is_not_null())
        .then(pl.format(" (row {})", pl.col("row")))
        .otherwise(pl.lit(""))
    )
    basis = pl.col("basis").cast(pl.String)
    suffix = pl.when(basis.is_null() | (basis == "")).then(pl.lit("")).otherwise(pl.format(" [{}]", basis))
    message = _data(pl.concat_str(pl.col("message"), row, suffix))
    lines = report.findings.select(pl.format("::{} {}title={}::{}", level, where, title, message)).to_series()
    return str(lines.str.join("\n").item()) + "\n"
