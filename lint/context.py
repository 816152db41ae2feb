"""What a rule sees: the inputs of one run and shared, cached derivations of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from lint.classify import Classification, classify_draft
from lint.config import LintConfig
from lint.history import SENDS_SCHEMA, History, ReplyLog
from lint.inputs.consent import ConsentBook
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.inputs.plan import Plan, render_parameters
from lint.memo import Memo
from lint.numbers import time_zones
from lint.packs import Packs

WINDOW_STEP = timedelta(minutes=15)


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@dataclass
class RunContext:
    """Inputs of a lint run, plus cached views rules share (categories, consent, zones ...)."""

    config: LintConfig
    packs: Packs
    now: datetime
    send_times: tuple[datetime, ...]
    drafts: tuple[Draft, ...]
    contacts: ContactSet | None
    plan: Plan | None
    history: History
    consent: ConsentBook | None
    _cache: Memo = field(default_factory=Memo)

    @property
    def at(self) -> datetime:
        """The planned send time (the start of the window, for a window)."""
        return self.send_times[0]

    def category(self, draft: Draft) -> Classification:
        """Declared and effective category of a draft."""
        return self._cache.get(("category", id(draft)), lambda: classify_draft(draft, self.packs))

    @property
    def marketing_drafts(self) -> tuple[Draft, ...]:
        """Drafts whose effective category is MARKETING."""
        return tuple(d for d in self.drafts if self.category(d).marketing)

    def zones(self) -> pl.Series:
        """Candidate time zones per contact row (``&``-joined), the ``timezone`` column winning."""
        return self._cache.get("zones", self._zones)

    def _zones(self) -> pl.Series:
        assert self.contacts is not None
        frame = self.contacts.frame
        derived = time_zones(frame)
        if self.contacts.has("timezone"):
            stated = frame["timezone"].str.strip_chars().replace("", None)
            known = [name for name in stated.drop_nulls().unique().to_list() if _is_zone(name)]
            usable = pl.select(pl.when(stated.is_in(known)).then(stated)).to_series()
            derived = pl.select(pl.coalesce(usable, derived)).to_series()
        # a few hundred distinct zone sets over a million rows: categorical gathers and joins
        return derived.cast(pl.Categorical).alias("zones")

    def zones_of(self, rows: pl.DataFrame) -> pl.Series:
        """:meth:`zones` of some contact rows: a frame with ``_row`` (a rule's subset of the list)."""
        return self.zones().gather(rows["_row"] - 1)

    def _consent_by_row(self, purpose: str | None) -> tuple[pl.DataFrame, pl.DataFrame]:
        """(every grant, per contact row: ``_g`` the position of its grant in force and ``cs_covers``).

        Cached per purpose. Positions instead of a joined copy: a million-row list would
        otherwise hold a full copy of its consent records for every question asked.
        """
        return self._cache.get(("consent", purpose), partial(self._consent_index, purpose))

    def _consent_index(self, purpose: str | None) -> tuple[pl.DataFrame, pl.DataFrame]:
        assert self.contacts is not None and self.consent is not None
        found = self.consent.for_purpose(purpose) if purpose else self.consent.in_force()
        rows = self.contacts.frame.select("_key")
        index = rows.join(found.index, on="_key", how="left", maintain_order="left").drop("_key")
        grants = found.grants
        if "covers" in found.index.columns:
            # a grant in force belongs to one key: its "covers" flag can sit on the grant itself
            flags = pl.Series("cs_covers", [None] * grants.height, dtype=pl.Boolean)
            grants = grants.with_columns(flags.scatter(found.index["_g"], found.index["covers"]))
        return grants, index.rename({"covers": "cs_covers"}, strict=False)

    def with_consent(
        self, frame: pl.DataFrame, purpose: str | None, columns: tuple[str, ...] | None = None
    ) -> pl.DataFrame:
        """Contact rows (a subset of the list, with ``_row``) plus the grant in force as ``cs_*`` columns.

        ``purpose`` ``None`` gives the latest grant not withdrawn for all purposes; a purpose
        gives the latest grant surviving withdrawals of that purpose, with ``cs_covers``. The
        columns are null for contacts without a grant. ``columns`` (``cs_*`` names) limits what is
        copied: gathering a few columns of a million rows is much cheaper than all of them.
        """
        if self.consent is None:
            return frame.with_columns(cs_event=pl.lit(None, pl.String))
        grants, index = self._consent_by_row(purpose)
        if columns is not None:
            grants = grants.select([c for c in dict.fromkeys(["cs_event", *columns]) if c in grants.columns])
        rows = index[frame["_row"] - 1]
        found = grants[rows["_g"]]
        extra = (
            rows.select("cs_covers")
            if "cs_covers" in rows.columns and (columns is None or "cs_covers" in columns)
            else None
        )
        joined = frame.hstack(found)
        return _aligned(joined.hstack(extra) if extra is not None else joined)

    def consent_where(
        self,
        frame: pl.DataFrame,
        purpose: str | None,
        condition: pl.Expr,
        columns: tuple[str, ...] = (),
        extra: dict[str, pl.Expr] | None = None,
    ) -> pl.DataFrame:
        """The rows of ``frame`` whose grant in force meets ``condition`` (an expression over ``cs_*``).

        The condition is evaluated once per grant, not per contact, and only the matching rows
        get their ``columns`` copied: checking a million grants this way costs a fraction of
        :meth:`with_consent`. Contacts without a grant never match.
        """
        if self.consent is None:
            return frame.clear()
        grants, index = self._consent_by_row(purpose)
        positions = index["_g"].gather(frame["_row"] - 1)
        needed = list(dict.fromkeys(condition.meta.root_names()))
        if needed and frame.height * 2 < grants.height:
            # a subset of the list (one country): check only the grants of its rows
            used = grants.select(needed).gather(positions)
            meets = used.select(condition.fill_null(False).alias("meets"))["meets"]
            keep = meets & positions.is_not_null()
        else:
            meets = grants.select(condition.fill_null(False).alias("meets"))["meets"]
            keep = meets.gather(positions).fill_null(False)
        chosen = frame.filter(keep)
        if not columns:
            return chosen
        picked = grants[positions.filter(keep)]
        if extra:
            picked = picked.with_columns(**extra)
        return _aligned(chosen.hstack(picked.select(list(columns))))

    def without_consent(self, frame: pl.DataFrame, purpose: str | None) -> pl.DataFrame:
        """The rows of ``frame`` that have no grant in force (for ``purpose``)."""
        if self.consent is None:
            return frame
        _, index = self._consent_by_row(purpose)
        return _aligned(frame.filter(index["_g"].gather(frame["_row"] - 1).is_null()))

    def rendered(self, draft: Draft) -> pl.DataFrame | None:
        """Plan parameters rendered per contact (``_row`` + one column per parameter), if a plan gives them."""
        if self.plan is None or not self.plan.parameters or self.contacts is None:
            return None
        if draft.path.resolve() not in {p.resolve() for p in self.plan.drafts}:
            return None
        plan, contacts = self.plan, self.contacts

        def render() -> pl.DataFrame:
            text = contacts.source.with_columns(_row=contacts.frame["_row"], e164=contacts.frame["e164"])
            variables = {header: header for header in contacts.source.columns if header.isidentifier()}
            variables.update(contacts.headers)
            variables["e164"] = "e164"
            return render_parameters(plan, text, variables)

        return self._cache.get(("rendered", id(draft)), render)

    def suppressed(self) -> pl.DataFrame:
        """Suppression-list entries for the valid numbers of the contact list."""
        return self._cache.get("suppressed", lambda: self.history.suppressed(self._valid_numbers()))

    def _valid_numbers(self) -> pl.Series:
        assert self.contacts is not None
        return self.contacts.valid_rows()["e164"]

    def sends(self, since: datetime) -> pl.DataFrame:
        """Accepted sends to the list's valid numbers at or after ``since`` (:data:`SENDS_SCHEMA` columns).

        One history query per run: a later ``since`` filters the rows already fetched.
        """
        with self._cache.lock("sends"):
            cached: tuple[datetime, pl.DataFrame] | None = self._cache.peek("sends")
            if cached is None or since < cached[0]:
                found = self.history.sends(self._valid_numbers(), since)
                missing = [
                    pl.lit(None, dtype).alias(name)
                    for name, dtype in SENDS_SCHEMA.items()
                    if name not in found.columns
                ]
                cached = (since, found.with_columns(missing).select(list(SENDS_SCHEMA)).cast(SENDS_SCHEMA))
                self._cache.put("sends", cached)
        return cached[1].filter(pl.col("sent_at") >= since)

    def unreviewed_replies(self) -> pl.DataFrame | None:
        """Inbound replies from the list's numbers nobody dealt with yet; ``None`` when the history has none."""
        if not isinstance(self.history, ReplyLog):
            return None
        history = self.history
        return self._cache.get("replies", lambda: history.unreviewed_replies(self._valid_numbers()))

    def in_regions(self, *sets: str) -> pl.Expr:
        """Contacts whose number region or stated country is in one of the named region sets (``J(c)``)."""
        regions = sorted(set().union(*(self.packs.region_set(name) for name in sets)))
        return pl.col("region").is_in(regions).fill_null(False) | pl.col("country_iso").is_in(
            regions
        ).fill_null(False)


def _aligned(frame: pl.DataFrame) -> pl.DataFrame:
    """One chunk per column after an hstack of frames chunked differently.

    String kernels (concat_str, format) over columns with unequal chunks panicked inside Polars
    ("assertion failed: i < self.len()"), found by the linter's hypothesis test.
    """
    return frame.rechunk()
