"""What the frequency rules (F001-F004) share: each contact's earlier sends, judged by ``breached``.

The lint counts each contact's earlier messages from the history plus one message for the plan
(a send window is one message per contact, judged at its start: later in the window only
fewer earlier messages can still count). Contacts without earlier messages are judged once
per distinct jurisdiction, so a million first-time contacts cost a handful of calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import polars as pl

from lint.frequency import Cap, breached, count_in_window
from lint.inputs.contacts import ContactSet
from lint.rules._common import column

VERDICT_SCHEMA = pl.Schema({"_row": pl.Int64(), "place": pl.String(), "cap": pl.Int64(), "count": pl.Int64()})


def category_sends(sends: pl.DataFrame, category: str) -> pl.DataFrame:
    """Sends of ``category``; a send whose category is unknown counts too (the stricter reading)."""
    return sends.filter((pl.col("category") == category) | pl.col("category").is_null())


def us_state_place(contacts: ContactSet) -> pl.Expr:
    """``US-FL`` from a ``us_state`` of ``FL`` or ``US-FL`` (null when absent or unreadable)."""
    state = column(contacts, "us_state").cast(pl.String).str.strip_chars().str.to_uppercase()
    readable = state.str.contains(r"^(US-)?[A-Z]{2}$").fill_null(False)
    return pl.when(readable).then(pl.concat_str(pl.lit("US-"), state.str.strip_prefix("US-")))


def judge(
    frame: pl.DataFrame,
    places: pl.Expr,
    sends: pl.DataFrame,
    caps: Sequence[Cap],
    category: str,
    at: datetime,
) -> pl.DataFrame:
    """One row per contact of ``frame`` one more message would put over a cap.

    ``frame`` has ``_row`` and ``e164``; ``places`` gives each contact's jurisdictions (a list
    of ISO regions or ``US-xx``; a cap without regions applies whatever they are); ``sends``
    are the earlier messages that count (``e164``, ``sent_at``). The rows: ``_row``, ``place``
    (where the cap applies), ``cap`` (index into ``caps``) and ``count`` (messages in the
    fullest window, the planned one included).
    """
    history = sends.group_by("e164").agg(times=pl.col("sent_at").drop_nulls())
    out: list[tuple[int, str | None, int, int]] = []
    if not any(cap.regions is not None for cap in caps):
        # one verdict for every contact without earlier messages (most of a large list)
        found = _verdict(caps, [], [], category, at)
        if found is not None:
            fresh = frame.join(history, on="e164", how="anti")
            out += [(row, found[0], found[1], found[2]) for row in fresh["_row"]]
    else:
        fresh = frame.join(history, on="e164", how="anti")
        groups = fresh.select("_row", places=_places(places))
        for (where,) in groups.select("places").unique().iter_rows():
            found = _verdict(caps, where, [], category, at)
            if found is not None:
                matching = groups.filter(pl.col("places").list.join("|") == "|".join(where))
                out += [(row, found[0], found[1], found[2]) for row in matching["_row"]]
    earlier = frame.join(history, on="e164", how="inner").select("_row", "times", places=_places(places))
    for row, times, where in earlier.iter_rows():
        found = _verdict(caps, where, times, category, at)
        if found is not None:
            out.append((row, found[0], found[1], found[2]))
    return pl.DataFrame(out, schema=VERDICT_SCHEMA, orient="row").sort("_row")


def _places(places: pl.Expr) -> pl.Expr:
    return places.list.drop_nulls().list.unique(maintain_order=True)


def _verdict(
    caps: Sequence[Cap], places: list[str], previous: list[datetime], category: str, at: datetime
) -> tuple[str | None, int, int] | None:
    """(place, cap index, count) of the first cap breached in any of the places, else ``None``."""
    candidates: list[str | None] = [*places] if places else [None]
    for place in candidates:
        cap = breached(caps, place, category, previous, at)
        if cap is not None:
            return place, caps.index(cap), count_in_window(previous, at, cap.window)
    return None
