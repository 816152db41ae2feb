"""The dashboard's only door to the warehouse: cached wrappers around :mod:`core.queries`.

Every read opens a short-lived read-only connection with :meth:`Warehouse.open_snapshot`: the
snapshot each load publishes atomically, so a running ``wagate ingest`` never blocks a page and
a page never sees half a load. Results are cached per :class:`Source`, whose ``version`` changes
when a new snapshot appears, so a finished load shows up on the next rerun without waiting for
the cache to expire. This is the only module that uses ``st.cache_data``; it never writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import polars as pl
import streamlit as st

from core import dashboard_queries as queries
from core.config import Settings
from core.dashboard_queries import Slice
from core.warehouse import Warehouse, snapshot_path

CACHE_SECONDS = 600  # a safety net: a new load changes Source.version and so the cache key anyway
_cached = st.cache_data(ttl=CACHE_SECONDS, max_entries=256, show_spinner=False)

Status = Literal["missing", "unready", "ready"]


@dataclass(frozen=True, slots=True)
class Source:
    """Which warehouse to read, and which published state of it (part of every cache key)."""

    path: str
    retry_seconds: float
    version: tuple[int, int]  # (mtime_ns, size) of the file readers open


def source(settings: Settings) -> Source:
    """The warehouse of ``settings`` as it is now."""
    path = settings.warehouse_path
    target = snapshot_path(path)
    if not target.exists():
        target = path
    try:
        stat = target.stat()
        version = (stat.st_mtime_ns, stat.st_size)
    except FileNotFoundError:
        version = (0, 0)
    return Source(str(path), settings.warehouse.read_retry_seconds, version)


def _read(src: Source, query: Callable[..., Any], *args: Any) -> Any:
    with Warehouse.open_snapshot(Path(src.path), retry_seconds=src.retry_seconds) as wh:
        return query(wh, *args)


def frame_of(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Query rows as a frame; a column that is null in every row is typed as text, not as Null.

    (A Null-typed column breaks ordinary expressions such as ``replace`` on it.)
    """
    if not rows:
        return pl.DataFrame()
    frame = pl.DataFrame(rows, infer_schema_length=None)
    return frame.with_columns(pl.col(pl.Null).cast(pl.String))


def status(src: Source) -> Status:
    """``missing`` (no warehouse file), ``unready`` (no marts yet) or ``ready``."""
    if src.version == (0, 0):
        return "missing"
    return "ready" if _has_marts(src) else "unready"


@_cached
def _has_marts(src: Source) -> bool:
    return bool(_read(src, queries.has_marts))


@_cached
def options(src: Source) -> pl.DataFrame:
    """Filter values that have messages (campaign, template, ...) with first and last day."""
    return frame_of(_read(src, queries.slice_options))


@_cached
def metrics(src: Source, by: str, where: Slice) -> pl.DataFrame:
    """The metrics of docs/metrics.md for a slice, one row per ``by`` value (or ``total``)."""
    return frame_of(_read(src, queries.slice_metrics, by, where))


@_cached
def periods(src: Source, where: Slice) -> pl.DataFrame:
    """Totals of a slice (``current``) and of the period of equal length before it (``previous``)."""
    both = where.with_previous()
    if both is None:
        frame = frame_of(_read(src, queries.slice_metrics, "total", where))
        return (
            frame.rename({"total": "period"}).with_columns(period=pl.lit("current")) if len(frame) else frame
        )
    return frame_of(_read(src, queries.slice_metrics, "period", both))


@_cached
def error_counts(src: Source, where: Slice) -> pl.DataFrame:
    """Failed messages and rejected sends per day and error code."""
    return frame_of(_read(src, queries.error_counts, where))


@_cached
def messages(src: Source, where: Slice, limit: int) -> pl.DataFrame:
    """The newest messages of a slice, by contact key."""
    return frame_of(_read(src, queries.message_list, where, limit))


@_cached
def breaches(src: Source, where: Slice) -> pl.DataFrame:
    """Sends after an opt-out in a slice."""
    return frame_of(_read(src, queries.slice_breaches, where))


@_cached
def suppression(src: Source) -> pl.DataFrame:
    """The suppression list now, per status and scope."""
    return frame_of(_read(src, queries.suppression_summary))


@_cached
def suppression_growth(src: Source) -> pl.DataFrame:
    """Entries on the list now, by day of arrival and status."""
    return frame_of(_read(src, queries.suppression_growth))


@_cached
def lint_history(src: Source) -> pl.DataFrame:
    """Lint runs and send-time gate lints from the audit trail, newest first."""
    return frame_of(_read(src, queries.lint_history))


@_cached
def opt_outs(src: Source, start: date | None, end: date | None) -> pl.DataFrame:
    """Opt-outs and review flags per day, kind, channel and language."""
    return frame_of(_read(src, queries.opt_out_breakdown, start, end))


@_cached
def latency(src: Source, start: date | None, end: date | None) -> pl.DataFrame:
    """Opt-out to suppression time per day."""
    return frame_of(_read(src, queries.opt_out_latency_between, start, end))


@_cached
def phone_events(src: Source) -> pl.DataFrame:
    """Phone-number quality, tier and name events."""
    return frame_of(_read(src, queries.phone_number_history))


@_cached
def template_events(src: Source) -> pl.DataFrame:
    """Template status, quality and category events."""
    return frame_of(_read(src, queries.template_history))


@_cached
def active_alerts(src: Source) -> pl.DataFrame:
    """Alerts firing or pending at the last evaluation (`wagate alerts check` / `wagate watch`)."""
    return frame_of(_read(src, queries.active_alerts))


@_cached
def account_events(src: Source) -> pl.DataFrame:
    """Account alerts, restrictions and security events."""
    return frame_of(_read(src, queries.account_history))


@_cached
def freshness(src: Source) -> dict[str, Any]:
    """Newest status, reply, send and load times, and the reporting time zone."""
    found: dict[str, Any] = _read(src, queries.freshness)
    return found


def clear() -> None:
    """Forget every cached result (tests; a user never needs it: new loads change the key)."""
    st.cache_data.clear()
