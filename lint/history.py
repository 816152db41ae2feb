"""Suppression list and send history: what the linter needs to know about the past.

The warehouse will provide both (a reader in ``core``); until then, and for users without a
warehouse, :class:`FileHistory` reads them from files. Rules only see the :class:`History`
protocol. Numbers are passed as E.164 text: a warehouse-backed implementation turns them into
contact keys in bulk with ``core.phones.ContactKeyer.sql_expression`` rather than hashing a
million numbers in Python.

Suppression file (CSV/XLSX): ``phone`` (any accepted phone header), optional ``suppressed_at``
(or ``opted_out_at``), ``scope`` (``all``, ``marketing``, ``utility``; empty means ``all``) and
``reason``. Send log: the columns of ``docs/metrics.md`` (``to``, ``attempted_at``,
``category``, ``template``, ``outcome``), as CSV or JSONL.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Protocol

import polars as pl

from core.errors import InputError
from lint.inputs.tables import read_table
from lint.inputs.values import UTC_DATETIME, parse_timestamps
from lint.numbers import analyse_numbers

SUPPRESSION_SCHEMA = pl.Schema(
    {"e164": pl.String(), "suppressed_at": UTC_DATETIME, "scope": pl.String(), "reason": pl.String()}
)
SENDS_SCHEMA = pl.Schema(
    {"e164": pl.String(), "sent_at": UTC_DATETIME, "category": pl.String(), "template": pl.String()}
)
_SUPPRESSION_ALIASES = {
    "phone": ("phone", "phone_e164", "e164", "to", "number", "msisdn", "wa_id", "手机号", "电话", "号码"),
    "suppressed_at": ("suppressed_at", "opted_out_at", "opt_out_at", "added_at", "at", "时间", "退订时间"),
    "scope": ("scope", "opt_out_scope", "范围"),
    "reason": ("reason", "source", "原因"),
}


class History(Protocol):
    """Read access to the suppression list and the send log."""

    def suppressed(self, numbers: pl.Series) -> pl.DataFrame:
        """Entries of the suppression list for these E.164 numbers (columns of :data:`SUPPRESSION_SCHEMA`)."""
        ...

    def sends(self, numbers: pl.Series, since: datetime) -> pl.DataFrame:
        """Accepted sends to these numbers at or after ``since`` (columns of :data:`SENDS_SCHEMA`)."""
        ...


class NoHistory:
    """No suppression list and no send log."""

    def suppressed(self, numbers: pl.Series) -> pl.DataFrame:
        """An empty frame."""
        return pl.DataFrame(schema=SUPPRESSION_SCHEMA)

    def sends(self, numbers: pl.Series, since: datetime) -> pl.DataFrame:
        """An empty frame."""
        return pl.DataFrame(schema=SENDS_SCHEMA)


class FileHistory:
    """Suppression list and send log read from files (either may be absent)."""

    def __init__(self, suppression: Path | None = None, send_log: Path | None = None) -> None:
        self._suppression = _read_suppression(suppression) if suppression else None
        self._send_log_path = send_log
        self._sends: pl.DataFrame | None = None

    def suppressed(self, numbers: pl.Series) -> pl.DataFrame:
        """Suppression entries whose number is among ``numbers``."""
        if self._suppression is None:
            return pl.DataFrame(schema=SUPPRESSION_SCHEMA)
        return self._suppression.filter(pl.col("e164").is_in(numbers.drop_nulls().implode()))

    def sends(self, numbers: pl.Series, since: datetime) -> pl.DataFrame:
        """Accepted sends to ``numbers`` at or after ``since``."""
        if self._send_log_path is None:
            return pl.DataFrame(schema=SENDS_SCHEMA)
        if self._sends is None:
            self._sends = _read_send_log(self._send_log_path)
        return self._sends.filter(
            pl.col("e164").is_in(numbers.drop_nulls().implode()) & (pl.col("sent_at") >= since)
        )


def _read_suppression(path: Path) -> pl.DataFrame:
    table = read_table(
        path, _SUPPRESSION_ALIASES, required=("phone",), what="suppression list", allow_empty=True
    )
    frame = table.frame
    numbers = analyse_numbers(frame["phone"], pl.Series([None] * frame.height, dtype=pl.String))
    when = (
        parse_timestamps(frame["suppressed_at"])[0]
        if "suppressed_at" in frame.columns
        else pl.Series([None] * frame.height, dtype=UTC_DATETIME)
    )
    scope = (
        frame["scope"].str.to_lowercase() if "scope" in frame.columns else pl.Series([None] * frame.height)
    )
    reason = frame["reason"] if "reason" in frame.columns else pl.Series([None] * frame.height)
    return pl.DataFrame(
        {
            "e164": numbers["e164"].cast(pl.String),
            "suppressed_at": when,
            "scope": scope.cast(pl.String).fill_null("all"),
            "reason": reason.cast(pl.String),
        }
    ).filter(pl.col("e164").is_not_null())


def _read_send_log(path: Path) -> pl.DataFrame:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    try:
        if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
            raw = pl.read_ndjson(path, infer_schema_length=None)
        else:
            raw = pl.read_csv(path, infer_schema=False)
    except (pl.exceptions.PolarsError, ValueError) as exc:
        raise InputError(f"{path}: cannot read the send log: {str(exc).splitlines()[0]}") from None
    missing = [c for c in ("to", "attempted_at") if c not in raw.columns]
    if missing:
        raise InputError(f"{path}: the send log has no {missing[0]} column (see docs/metrics.md)")

    def text(name: str, default: str | None = None) -> pl.Series:
        if name in raw.columns:
            return raw[name].cast(pl.String)
        return pl.Series([default] * raw.height, dtype=pl.String)

    sent = pl.DataFrame(
        {
            "e164": text("to"),
            "sent_at": parse_timestamps(text("attempted_at"))[0],
            "category": text("category").str.to_lowercase(),
            "template": text("template"),
            "outcome": text("outcome", "accepted"),
        }
    )
    return sent.filter(pl.col("outcome").is_in(["accepted", "held"])).drop("outcome")
