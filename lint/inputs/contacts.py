"""The contact list: one row per person, numbers analysed, values typed.

The frame a contact rule receives has the canonical columns of ``lint/packs/columns.toml``
(only those present in the file), typed, plus:

* ``_row`` - the 1-based data row in the file (the header is not counted);
* ``_key`` - the digits of the E.164 number as an integer for valid numbers, else minus the row
  number: consent events and opt-outs are joined on it (integers join much faster than text);
* ``e164``, ``valid``, ``region``, ``number_type``, ``calling_code``, ``damage`` - from
  :func:`lint.numbers.analyse_numbers` (``region`` is the number's region);
* ``country_iso``, ``country_unknown`` - the stated country as an ISO code, and whether a
  non-empty value could not be read as a country;
* ``default_region`` - the region used for numbers typed without a country code;
* ``<field>_unreadable`` for timestamp columns whose text no format reads.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from lint.config import LintConfig
from lint.inputs.tables import Table, read_table
from lint.inputs.values import country_codes, lower_text, parse_flags, parse_lists, parse_timestamps
from lint.memo import Memo
from lint.numbers import analyse_numbers
from lint.packs import Packs
from lint.parallel import side_by_side

TIMESTAMP_FIELDS = ("consent_timestamp", "opted_out_at", "last_inbound_at", "rnd_checked_at")
FLAG_FIELDS = ("prechecked", "wa_reachable", "condition_of_purchase", "bundled_with_terms")
LIST_FIELDS = ("purposes", "channels", "notice_items")
LOWER_FIELDS = ("basis", "consent_method", "opt_out_scope", "language", "consent_language")
# purposes and channels as people write them -> canonical names
LIST_SYNONYMS = {
    "营销": "marketing",
    "营销类": "marketing",
    "推广": "marketing",
    "promotional": "marketing",
    "promotions": "marketing",
    "通知": "utility",
    "通知类": "utility",
    "实用类": "utility",
    "transactional": "utility",
    "验证": "authentication",
    "验证类": "authentication",
    "客服": "service",
    "*": "all",
    "全部": "all",
    "wa": "whatsapp",
    "短信": "sms",
    "邮件": "email",
}
DERIVED = (
    "_row",
    "_key",
    "e164",
    "valid",
    "region",
    "number_type",
    "calling_code",
    "damage",
    "country_iso",
    "country_unknown",
    "default_region",
    *(f"{field}_unreadable" for field in TIMESTAMP_FIELDS),
)


@dataclass(frozen=True, slots=True)
class ContactSet:
    """A contact list ready for the rules."""

    path: Path
    display: str  # the path as the user wrote it, for reports
    frame: pl.DataFrame
    source: pl.DataFrame  # the columns as read, for --write-audience
    headers: dict[str, str]  # canonical field -> original header
    # not copied by dataclasses.replace: a language variant's subset gets its own
    _memo: Memo = dataclasses.field(default_factory=Memo, init=False, repr=False, compare=False)

    @property
    def fields(self) -> frozenset[str]:
        """Canonical fields present in the file."""
        return frozenset(self.headers)

    def has(self, field: str) -> bool:
        """Whether the file has this canonical column."""
        return field in self.headers

    def valid_rows(self) -> pl.DataFrame:
        """The rows with a valid number, every column in one chunk; filtered once per list."""
        return self._memo.get("valid", lambda: self.frame.filter(pl.col("valid")).rechunk())

    @property
    def size(self) -> int:
        """Number of contact rows."""
        return self.frame.height


def column_aliases(packs: Packs, config: LintConfig, group: str) -> dict[str, tuple[str, ...]]:
    """Header aliases of a file kind (``contacts`` or ``consent_events``), with the workspace's additions."""
    extra = config.columns if group == "contacts" else config.consent_columns
    aliases = dict(packs.columns[group])
    for field, names in extra.items():
        aliases[field] = (*names, *aliases.get(field, ()))
    return aliases


def type_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Timestamps to UTC datetimes, flags to booleans, lists to lists; others stay text."""
    columns: list[pl.Series] = []
    for field in TIMESTAMP_FIELDS:
        if field in frame.columns:
            parsed, unreadable = parse_timestamps(frame[field])
            columns += [parsed.alias(field), unreadable.alias(f"{field}_unreadable")]
    columns += [parse_flags(frame[f]).alias(f) for f in FLAG_FIELDS if f in frame.columns]
    columns += [parse_lists(frame[f], LIST_SYNONYMS).alias(f) for f in LIST_FIELDS if f in frame.columns]
    columns += [lower_text(frame[f]).alias(f) for f in LOWER_FIELDS if f in frame.columns]
    return frame.with_columns(columns) if columns else frame


def _countries(table: Table, packs: Packs, config: LintConfig) -> tuple[pl.Series, pl.Series]:
    names = dict(packs.country_names)
    names.update({n.casefold(): code.upper() for code, ns in config.country_names.items() for n in ns})
    if "country" not in table.frame.columns:
        empty = pl.Series("country_iso", [None] * table.frame.height, dtype=pl.String)
        return empty, pl.Series("country_unknown", [False] * table.frame.height)
    return country_codes(table.frame["country"], names)


def load_contacts(path: Path, config: LintConfig, packs: Packs, display: str | None = None) -> ContactSet:
    """Read, type and analyse a contact list (CSV or XLSX)."""
    table = read_table(
        path, column_aliases(packs, config, "contacts"), required=("phone",), what="contact list"
    )
    country, unknown = _countries(table, packs, config)
    clashes = {c: f"{c} (original)" for c in table.frame.columns if c in DERIVED}
    regions = pl.select(pl.coalesce(country, pl.lit(config.default_region, pl.String))).to_series()
    # the numbers and the other columns are independent: analysed side by side
    typed, numbers = side_by_side(
        lambda: type_columns(table.frame.rename(clashes)),
        lambda: analyse_numbers(table.frame["phone"], regions),
    )
    frame = typed.with_columns(country_iso=country, country_unknown=unknown, default_region=regions)
    # one chunk per column: see lint.context._aligned
    frame = frame.hstack(numbers.drop("path")).rechunk().with_row_index("_row", offset=1)
    frame = frame.with_columns(
        # few distinct values, a million rows: categorical
        *(
            pl.col(c).cast(pl.Categorical)
            for c in ("region", "number_type", "country_iso", "default_region", "damage")
        ),
        _row=pl.col("_row").cast(pl.Int64),
        _key=pl.when(pl.col("valid"))
        .then(pl.col("e164").str.slice(1).cast(pl.Int64))
        .otherwise(-pl.col("_row").cast(pl.Int64)),
    )
    return ContactSet(
        path=path,
        display=display or str(path),
        frame=frame,
        source=table.source,
        headers=table.headers,
    )
