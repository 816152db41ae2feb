"""Recompute core tables for the contacts a load touched."""

from __future__ import annotations

import re
from collections.abc import Sequence

import polars as pl

from core.config import Settings
from core.warehouse import Warehouse
from pipelines.classify import Classification, Lexicon
from pipelines.sqlfiles import run_block, statements

_CLASS_SCHEMA = {
    "opt_out": pl.Boolean,
    "review": pl.Boolean,
    "complaint": pl.Boolean,
    "opt_in": pl.Boolean,
    "help": pl.Boolean,
    "scope": pl.String,
    "language": pl.String,
    "keyword": pl.String,
    "tier": pl.String,
}


_AFFECTED = re.compile(r"(?:\b[a-z]+\.)?contact_key IN \(SELECT contact_key FROM affected\)")


def derive(wh: Warehouse, settings: Settings, lexicon: Lexicon, *, now: str, everyone: bool = False) -> None:
    """Rebuild core rows of everyone in the temp table ``affected`` (or of everyone at all).

    With ``everyone`` the membership tests are dropped from the SQL: on a cold load or a full
    recompute they would only cost a semi-join per statement.
    """
    _classify(wh, lexicon)
    params = {
        "tz": settings.metrics.reporting_timezone,
        "window_hours": settings.metrics.attribution_window_hours,
        "now": now,
    }
    for block in statements("derive").values():
        run_block(wh, _AFFECTED.sub("TRUE", block) if everyone else block, params)


def _classify(wh: Warehouse, lexicon: Lexicon) -> None:
    """Verdicts of the lexicon on the distinct texts and buttons of the affected people's replies."""
    texts = [
        row[0]
        for row in wh.rows(
            """SELECT DISTINCT text FROM raw.inbound_messages
               WHERE text IS NOT NULL AND type NOT IN ('button', 'interactive')
                 AND contact_key IN (SELECT contact_key FROM affected)"""
        )
    ]
    verdicts = lexicon.classify_many(texts)
    wh.register("cls_text", _frame({"text": texts}, verdicts))
    buttons = wh.rows(
        """SELECT DISTINCT coalesce(button_payload, interactive_id), coalesce(button_text, text)
           FROM raw.inbound_messages
           WHERE type IN ('button', 'interactive') AND contact_key IN (SELECT contact_key FROM affected)"""
    )
    button_verdicts = [lexicon.classify_button(payload, text) for payload, text in buttons]
    wh.register(
        "cls_button",
        _frame({"payload": [b[0] for b in buttons], "text": [b[1] for b in buttons]}, button_verdicts),
    )


def _frame(keys: dict[str, list[str | None]], verdicts: Sequence[Classification]) -> pl.DataFrame:
    columns: dict[str, list[object]] = {name: [] for name in _CLASS_SCHEMA}
    for verdict in verdicts:
        for name in _CLASS_SCHEMA:
            value = getattr(verdict, name)
            columns[name].append(value.value if hasattr(value, "value") else value)
    schema = {name: pl.String for name in keys} | _CLASS_SCHEMA
    return pl.DataFrame({**keys, **columns}, schema=schema)
