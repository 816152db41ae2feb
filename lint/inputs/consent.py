"""Consent as append-only events (compliance-rules.md §10.2), joined to contacts by number.

Consent can come from a separate events file, from consent columns on the contact list (read as
one ``grant`` per row), or both. A contact-list ``opted_out_at`` is read as a ``withdraw`` event
with the row's ``opt_out_scope``. :class:`ConsentBook` answers the questions the rules ask:
which grant is in force, and does it cover a purpose. Purposes and channels are lists; an empty
list or ``all`` means "not limited".

Active consent for a purpose P (catalog §9.1): the latest grant (``grant``, ``refresh``,
``reconfirm``) later than every withdrawal that covers P.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from core.errors import InputError
from lint.config import LintConfig
from lint.inputs.contacts import ContactSet, column_aliases, type_columns
from lint.inputs.tables import read_table
from lint.inputs.values import UTC_DATETIME
from lint.numbers import analyse_numbers
from lint.packs import Packs

GRANT_EVENTS = ("grant", "refresh", "reconfirm")
EVENT_NAMES = {
    "grant": "grant",
    "opt_in": "grant",
    "optin": "grant",
    "opt-in": "grant",
    "subscribe": "grant",
    "同意": "grant",
    "订阅": "grant",
    "withdraw": "withdraw",
    "opt_out": "withdraw",
    "optout": "withdraw",
    "opt-out": "withdraw",
    "unsubscribe": "withdraw",
    "revoke": "withdraw",
    "stop": "withdraw",
    "退订": "withdraw",
    "撤回": "withdraw",
    "refresh": "refresh",
    "reconfirm": "reconfirm",
}
CONSENT_FIELDS = (
    "consent_timestamp",
    "basis",
    "consent_method",
    "consent_source",
    "consent_text",
    "consent_text_version",
    "business_name_shown",
    "purposes",
    "channels",
    "prechecked",
    "ip",
    "form_url",
)
# carried with a grant but not a grant by themselves: a row with only these is no consent record
CONSENT_DETAILS = (
    "frequency_disclosed",
    "condition_of_purchase",
    "bundled_with_terms",
    "notice_items",
    "consent_language",
)
EVENT_SCHEMA: dict[str, pl.DataType] = {
    "_key": pl.Int64(),
    "event": pl.String(),
    "consent_timestamp": UTC_DATETIME,
    "consent_timestamp_unreadable": pl.Boolean(),
    # consent records repeat the same few values a million times: categorical keeps them small
    "basis": pl.Categorical(),
    "consent_method": pl.Categorical(),
    "consent_source": pl.Categorical(),
    "consent_text": pl.Categorical(),
    "consent_text_version": pl.Categorical(),
    "business_name_shown": pl.Categorical(),
    "purposes": pl.List(pl.String),
    "channels": pl.List(pl.String),
    "prechecked": pl.Boolean(),
    "ip": pl.String(),
    "form_url": pl.Categorical(),
    "frequency_disclosed": pl.Categorical(),
    "condition_of_purchase": pl.Boolean(),
    "bundled_with_terms": pl.Boolean(),
    "notice_items": pl.List(pl.String),
    "consent_language": pl.Categorical(),
    "_source": pl.String(),
}


def _conform(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with exactly the :data:`EVENT_SCHEMA` columns (missing ones null)."""
    return frame.select(
        [
            pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype).alias(name)
            for name, dtype in EVENT_SCHEMA.items()
        ]
    ).with_columns(consent_timestamp_unreadable=pl.col("consent_timestamp_unreadable").fill_null(False))


def load_consent_events(path: Path, config: LintConfig, packs: Packs, display: str) -> pl.DataFrame:
    """Events from a consent file (CSV/XLSX), keyed by the E.164 of their number."""
    table = read_table(
        path,
        column_aliases(packs, config, "consent_events"),
        required=("phone",),
        what="consent file",
        allow_empty=True,
    )
    frame = type_columns(table.frame).with_row_index("_line", offset=2)
    if "event" in frame.columns:
        names = frame["event"].str.strip_chars().str.to_lowercase()
        known = names.replace_strict(EVENT_NAMES, default=None, return_dtype=pl.String)
        bad = frame.filter(known.is_null() & names.is_not_null())
        if bad.height:
            line, value = bad["_line"][0], bad["event"][0]
            raise InputError(
                f"{path}:{line}: unknown consent event {value!r}",
                hint="use grant, withdraw, refresh or reconfirm",
            )
        frame = frame.with_columns(event=known.fill_null("grant"))
    else:
        frame = frame.with_columns(event=pl.lit("grant"))
    region = pl.Series([config.default_region] * frame.height, dtype=pl.String)
    numbers = analyse_numbers(frame["phone"], region)
    frame = frame.with_columns(
        _key=pl.when(numbers["valid"]).then(numbers["e164"].str.slice(1).cast(pl.Int64)),
        _source=pl.concat_str(pl.lit(f"{display}:"), pl.col("_line").cast(pl.String)),
    ).filter(pl.col("_key").is_not_null())
    return _conform(frame)


def inline_events(contacts: ContactSet) -> pl.DataFrame:
    """Grants from consent columns of the contact list, withdrawals from its ``opted_out_at``."""
    frame = contacts.frame
    present = [f for f in CONSENT_FIELDS if contacts.has(f)]
    parts = []
    if present:
        has_any = pl.any_horizontal([pl.col(f).is_not_null() for f in present])
        extra = [f"{f}_unreadable" for f in present if f"{f}_unreadable" in frame.columns]
        # inline grants need no source text: only withdrawals are ever quoted in messages
        details = [f for f in CONSENT_DETAILS if contacts.has(f)]
        grants = (
            frame.select("_key", *present, *details, *extra)
            .filter(has_any)
            .with_columns(event=pl.lit("grant"))
        )
        parts.append(_conform(grants))
    if contacts.has("opted_out_at"):
        scope = pl.col("opt_out_scope") if contacts.has("opt_out_scope") else pl.lit(None, pl.String)
        withdrawals = frame.filter(pl.col("opted_out_at").is_not_null()).select(
            "_key",
            event=pl.lit("withdraw"),
            consent_timestamp=pl.col("opted_out_at"),
            purposes=pl.when(scope.is_in(["marketing", "utility"])).then(pl.concat_list(scope)),
            _source=pl.concat_str(pl.lit(f"{contacts.display} row "), pl.col("_row").cast(pl.String)),
        )
        parts.append(_conform(withdrawals))
    return pl.concat(parts) if parts else _conform(pl.DataFrame({"_key": []}, schema={"_key": pl.Int64}))


def covers_everything() -> pl.Expr:
    """Whether an event is not limited to some purposes (no purposes recorded, or ``all``)."""
    purposes = pl.col("purposes")
    return purposes.is_null() | (purposes.list.len() == 0) | purposes.list.contains("all")


def covers(purpose: str) -> pl.Expr:
    """Whether an event's purposes include ``purpose`` (an empty list or ``all`` covers everything)."""
    return covers_everything() | pl.col("purposes").list.contains(purpose)


@dataclass(frozen=True, slots=True)
class GrantsInForce:
    """The grant in force per contact key, as positions into :attr:`ConsentBook.grants`.

    ``index`` has ``_key``, ``_g`` (row of the grant in ``grants``) and, when asked for a
    purpose, ``covers``. Positions instead of a filtered copy: a million consent records are
    not copied once per question.
    """

    grants: pl.DataFrame  # every grant, columns prefixed cs_
    index: pl.DataFrame


class ConsentBook:
    """Every consent event of a run; answers "which grant is in force" per contact key."""

    def __init__(self, events: pl.DataFrame) -> None:
        self.events = events
        grant = pl.col("event").is_in(GRANT_EVENTS)
        self.grants = events if events.select(grant.all()).item() is not False else events.filter(grant)
        self.withdrawals = events.filter(pl.col("event") == "withdraw")
        self._prefixed = self.grants.rename({c: f"cs_{c}" for c in self.grants.columns if c != "_key"})
        self._cache: dict[str | None, GrantsInForce] = {}
        self._narrow: dict[str, pl.DataFrame] = {}
        # rules may ask from several threads; one lock is enough: each answer is built once
        self._lock = threading.Lock()

    def _surviving(self, purpose: str | None) -> pl.DataFrame:
        """``_key``, ``_g``, time and purposes of the grants later than every withdrawal covering ``purpose``.

        ``None`` means withdrawals that cover every purpose. When every withdrawal that covers
        ``purpose`` covers everything (the usual case), the answer for ``None`` is reused.
        """
        withdrawals = self.withdrawals.filter(covers(purpose) if purpose else covers_everything())
        if purpose is not None and withdrawals.height == self.withdrawals.filter(covers_everything()).height:
            return self._surviving(None)
        if purpose is None and "surviving" in self._narrow:
            return self._narrow["surviving"]
        narrow = self.grants.select("_key", "consent_timestamp", "purposes").with_row_index("_g")
        if withdrawals.height == 0:
            if purpose is None:
                self._narrow["surviving"] = narrow
            return narrow
        last = withdrawals.group_by("_key").agg(last_withdraw=pl.col("consent_timestamp").max())
        # only the grants of numbers with a withdrawal need the comparison
        touched = pl.col("_key").is_in(last["_key"].implode())
        checked = narrow.filter(touched).join(last, on="_key", how="left")
        later = (pl.col("consent_timestamp") > pl.col("last_withdraw")).fill_null(False)
        found = pl.concat([narrow.filter(~touched), checked.filter(later).drop("last_withdraw")])
        if purpose is None:
            self._narrow["surviving"] = found
        return found

    @staticmethod
    def _latest(surviving: pl.DataFrame, purpose: str | None) -> pl.DataFrame:
        """One row per key, the latest grant (a grant without a time counts as the oldest).

        With a purpose, ``covers`` tells whether any of the key's surviving grants covers it.
        """
        if purpose is not None:
            surviving = surviving.with_columns(covers=covers(purpose))
        columns = ["_key", "_g", *(["covers"] if purpose is not None else [])]
        repeated = surviving["_key"].is_duplicated()
        if not repeated.any():
            return surviving.select(columns)
        many = surviving.filter(repeated).sort("consent_timestamp", nulls_last=False)
        latest = many.unique("_key", keep="last", maintain_order=True)
        if purpose is not None:
            anyone = many.group_by("_key").agg(any_covers=pl.col("covers").any())
            latest = latest.join(anyone, on="_key").with_columns(covers="any_covers")
        return pl.concat([surviving.filter(~repeated).select(columns), latest.select(columns)])

    def last_grant(self, keys: pl.Series) -> pl.DataFrame:
        """``_key`` and ``last_grant``: the latest grant time (withdrawn or not) of each of these keys.

        Only the grants of the keys asked about are grouped: rules ask about the few opted-out
        contacts of a list, and grouping a million grants for them would cost far more.
        """
        wanted = self.grants.filter(pl.col("_key").is_in(keys.unique().implode()))
        return wanted.group_by("_key").agg(last_grant=pl.col("consent_timestamp").max())

    def in_force(self) -> GrantsInForce:
        """Per key, the latest grant not withdrawn for all purposes."""
        with self._lock:
            if None not in self._cache:
                self._cache[None] = GrantsInForce(self._prefixed, self._latest(self._surviving(None), None))
            return self._cache[None]

    def for_purpose(self, purpose: str) -> GrantsInForce:
        """Per key, the latest grant surviving withdrawals of ``purpose``, and ``covers``.

        ``covers`` tells whether some surviving grant covers ``purpose``; the grant itself is the
        latest surviving grant of any purpose (what the contact agreed to).
        """
        with self._lock:
            if purpose not in self._cache:
                self._cache[purpose] = GrantsInForce(
                    self._prefixed, self._latest(self._surviving(purpose), purpose)
                )
            return self._cache[purpose]
