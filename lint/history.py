"""Suppression list and send history: what the linter needs to know about the past.

The warehouse will provide both (a reader in ``core``); until then, and for users without a
warehouse, :class:`FileHistory` reads them from files. Rules only see the :class:`History`
protocol. Numbers are passed as E.164 text: a warehouse-backed implementation turns them into
contact keys in bulk with ``core.phones.ContactKeyer.sql_expression`` rather than hashing a
million numbers in Python.

Suppression file (CSV/XLSX): ``phone`` (any accepted phone header), optional ``suppressed_at``
(or ``opted_out_at``), ``scope`` (``all``, ``marketing``, ``utility``; empty means ``all``) and
``reason``. Send log: the columns of ``docs/metrics.md`` (``to``, ``attempted_at``,
``category``, ``template``, ``outcome``, optional ``subject_key``), as CSV or JSONL.

Inbound replies (O004), CSV or JSONL: ``phone`` (or ``from``/``wa_id``), ``received_at``,
``text``, and how far they were handled: ``reviewed`` (yes/no), ``processed_at``,
``reviewed_by``, ``resolution`` (any of them set means a person or the pipeline dealt with the
reply), optionally ``matched_lexicon`` (the pipeline's classification, §10.3 of the catalog).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

import polars as pl

from core.errors import InputError
from lint.inputs.tables import read_table
from lint.inputs.values import UTC_DATETIME, parse_flags, parse_timestamps
from lint.numbers import analyse_numbers

SUPPRESSION_SCHEMA = pl.Schema(
    {"e164": pl.String(), "suppressed_at": UTC_DATETIME, "scope": pl.String(), "reason": pl.String()}
)
SENDS_SCHEMA = pl.Schema(
    {
        "e164": pl.String(),
        "sent_at": UTC_DATETIME,
        "category": pl.String(),
        "template": pl.String(),
        "subject_key": pl.String(),
    }
)
REPLIES_SCHEMA = pl.Schema(
    {"e164": pl.String(), "received_at": UTC_DATETIME, "text": pl.String(), "matched": pl.String()}
)
_SUPPRESSION_ALIASES = {
    "phone": ("phone", "phone_e164", "e164", "to", "number", "msisdn", "wa_id", "手机号", "电话", "号码"),
    "suppressed_at": ("suppressed_at", "opted_out_at", "opt_out_at", "added_at", "at", "时间", "退订时间"),
    "scope": ("scope", "opt_out_scope", "范围"),
    "reason": ("reason", "source", "原因"),
}
_REPLY_ALIASES = {
    "phone": ("phone", "from", "wa_id", "e164", "phone_e164", "number", "msisdn", "手机号", "电话", "号码"),
    "received_at": ("received_at", "timestamp", "at", "time", "收到时间", "时间"),
    "text": ("text", "body", "message", "内容", "回复内容"),
    "reviewed": ("reviewed", "is_reviewed", "handled", "已处理", "已审核"),
    "processed_at": ("processed_at", "handled_at", "处理时间"),
    "reviewed_by": ("reviewed_by", "handled_by", "处理人"),
    "resolution": ("resolution", "outcome", "处理结果"),
    "matched_lexicon": ("matched_lexicon", "matched", "classification", "分类"),
}


class History(Protocol):
    """Read access to the suppression list and the send log."""

    def suppressed(self, numbers: pl.Series) -> pl.DataFrame:
        """Entries of the suppression list for these E.164 numbers (columns of :data:`SUPPRESSION_SCHEMA`)."""
        ...

    def sends(self, numbers: pl.Series, since: datetime) -> pl.DataFrame:
        """Accepted sends to these numbers at or after ``since`` (columns of :data:`SENDS_SCHEMA`).

        Implementations without a ``subject_key`` may leave that column out.
        """
        ...


@runtime_checkable
class ReplyLog(Protocol):
    """Read access to inbound replies nobody has dealt with yet (O004).

    Separate from :class:`History` so that a history without replies stays a valid history;
    :meth:`lint.context.RunContext.unreviewed_replies` asks any history that has it (files, and
    ``core.history.WarehouseHistory``).
    """

    def unreviewed_replies(self, numbers: pl.Series) -> pl.DataFrame:
        """Replies from these numbers received after the last one dealt with and not dealt with
        themselves (columns of :data:`REPLIES_SCHEMA`; ``matched`` is a classification already
        made upstream, when there is one)."""
        ...


class NoHistory:
    """No suppression list and no send log."""

    def suppressed(self, numbers: pl.Series) -> pl.DataFrame:
        """An empty frame."""
        return pl.DataFrame(schema=SUPPRESSION_SCHEMA)

    def sends(self, numbers: pl.Series, since: datetime) -> pl.DataFrame:
        """An empty frame."""
        return pl.DataFrame(schema=SENDS_SCHEMA)

    def unreviewed_replies(self, numbers: pl.Series) -> pl.DataFrame:
        """An empty frame."""
        return pl.DataFrame(schema=REPLIES_SCHEMA)


class FileHistory:
    """Suppression list, send log and inbound replies read from files (any may be absent)."""

    def __init__(
        self, suppression: Path | None = None, send_log: Path | None = None, replies: Path | None = None
    ) -> None:
        self._suppression = _read_suppression(suppression) if suppression else None
        self._send_log_path = send_log
        self._sends: pl.DataFrame | None = None
        self._replies_path = replies
        self._replies: pl.DataFrame | None = None

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

    def unreviewed_replies(self, numbers: pl.Series) -> pl.DataFrame:
        """Replies from ``numbers`` newer than the last one dealt with, and not dealt with themselves."""
        if self._replies_path is None:
            return pl.DataFrame(schema=REPLIES_SCHEMA)
        if self._replies is None:
            self._replies = _read_replies(self._replies_path)
        return self._replies.filter(pl.col("e164").is_in(numbers.drop_nulls().implode()))


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
            "subject_key": text("subject_key"),
            "outcome": text("outcome", "accepted"),
        }
    )
    return sent.filter(pl.col("outcome").is_in(["accepted", "held"])).drop("outcome")


def _read_replies(path: Path) -> pl.DataFrame:
    """The unreviewed replies of a replies file (see the module docstring for its columns)."""
    if path.suffix.lower() not in (".jsonl", ".ndjson", ".json"):
        table = read_table(path, _REPLY_ALIASES, required=("phone",), what="replies file", allow_empty=True)
        return _unreviewed(table.frame, path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    try:
        raw = pl.read_ndjson(path, infer_schema_length=None)
    except (pl.exceptions.PolarsError, ValueError) as exc:
        raise InputError(f"{path}: cannot read the replies: {str(exc).splitlines()[0]}") from None
    return _unreviewed(_renamed(raw), path)


def _renamed(raw: pl.DataFrame) -> pl.DataFrame:
    """JSONL columns under any accepted alias, as the canonical names (first alias found wins)."""
    columns = []
    for field, names in _REPLY_ALIASES.items():
        found = next((name for name in names if name in raw.columns), None)
        if found is not None:
            columns.append(pl.col(found).cast(pl.String).alias(field))
    return raw.select(columns)


def _unreviewed(frame: pl.DataFrame, path: Path) -> pl.DataFrame:
    def text(name: str) -> pl.Series:
        if name in frame.columns:
            return frame[name].cast(pl.String).str.strip_chars().replace("", None)
        return pl.Series(name, [None] * frame.height, dtype=pl.String)

    if "phone" not in frame.columns:
        accepted = ", ".join(_REPLY_ALIASES["phone"])
        raise InputError(f"{path}: the replies file has no phone column (accepted: {accepted})")
    # webhooks give the sender as international digits without "+" (wa_id)
    phone = frame["phone"].cast(pl.String).str.strip_chars()
    phone = pl.select(
        pl.when(phone.str.contains(r"^[1-9][0-9]{7,14}$")).then(pl.lit("+") + phone).otherwise(phone)
    ).to_series()
    numbers = analyse_numbers(phone, pl.Series([None] * frame.height, dtype=pl.String))
    handled = (
        parse_flags(text("reviewed")).fill_null(False)
        | text("processed_at").is_not_null()
        | text("reviewed_by").is_not_null()
        | text("resolution").is_not_null()
    )
    replies = pl.DataFrame(
        {
            "e164": numbers["e164"].cast(pl.String),
            "received_at": parse_timestamps(text("received_at"))[0],
            "text": text("text"),
            "matched": text("matched_lexicon").str.to_lowercase(),
            "handled": handled,
        }
    ).filter(pl.col("e164").is_not_null())
    # a reply someone dealt with means the earlier ones were seen too
    last = replies.filter(pl.col("handled")).group_by("e164").agg(last_handled=pl.col("received_at").max())
    return (
        replies.join(last, on="e164", how="left")
        .filter(
            ~pl.col("handled")
            & (
                pl.col("last_handled").is_null()
                | pl.col("received_at").is_null()
                | (pl.col("received_at") > pl.col("last_handled"))
            )
        )
        .select(list(REPLIES_SCHEMA))
        .cast(REPLIES_SCHEMA)
    )
