"""D006 data-minimisation."""

from __future__ import annotations

import re
from functools import cache
from types import MappingProxyType

import polars as pl

from core.errors import ConfigError
from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.inputs.tables import normalise_header
from lint.inputs.values import parse_timestamps
from lint.packs import read_pack
from lint.rules._common import day, months_passed, once_per_value, valid_contacts

_ASCII = re.compile(r"^[a-z0-9_]+$")
BIRTHDATE = ("full date of birth", "birthdate")


@cache
def unneeded_fields() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """``packs/minimisation.toml``: (label, pattern over a folded header) per kind of data."""
    out = []
    for label, tokens in read_pack("minimisation")["fields"].items():
        latin = [re.escape(t) for t in tokens if _ASCII.match(t)]
        other = [re.escape(t) for t in tokens if not _ASCII.match(t)]
        parts = [rf"(?:^|_)(?:{'|'.join(latin)})(?:_|$)"] if latin else []
        out.append((label, re.compile("|".join([*parts, *other]))))
    return tuple(out)


@cache
def retention() -> tuple[dict[str, int], tuple[str, ...]]:
    """``packs/retention.toml``: months per jurisdiction without consent, and the activity columns."""
    pack = read_pack("retention")
    return {k: int(v) for k, v in pack["contact_months"].items()}, tuple(pack["activity"]["columns"])


def flagged_columns(contacts: ContactSet, allowed: set[str]) -> list[tuple[str, str, str]]:
    """(column in the frame, header as written, label) of each column holding unneeded data."""
    canonical = {header: field for field, header in contacts.headers.items()}
    out = []
    for header in contacts.source.columns:
        folded = normalise_header(header)
        if folded in allowed:
            continue
        field = canonical.get(header)
        if field == BIRTHDATE[1]:
            out.append((field, header, BIRTHDATE[0]))
            continue
        if field is not None:
            continue
        name = header if header in contacts.frame.columns else f"{header} (original)"
        label = next((label for label, pattern in unneeded_fields() if pattern.search(folded)), None)
        if label is not None and name in contacts.frame.columns:
            out.append((name, header, label))
    return out


def allowed_fields(value: object) -> set[str]:
    """The ``allowed_fields`` option as folded headers; a :class:`ConfigError` when it is not a list of names."""
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ConfigError("[lint.options.D006] allowed_fields must be a list of column headers")
    return {normalise_header(v) for v in value}


def _times(frame: pl.DataFrame, name: str) -> pl.Series:
    column = frame[name]
    if isinstance(column.dtype, pl.Datetime):
        return column
    parsed, _ = parse_timestamps(column)
    return parsed


class DataMinimisation(Rule):
    """Contact holds data messaging does not need, or is kept past the retention period without consent.

    What it does:
        Reports contacts with a value in a column messaging does not need
        (``packs/minimisation.toml``): national ID, passport or tax numbers, card or bank
        details, passwords, health notes, religion, ethnicity and other special-category data,
        income or credit data, and a full date of birth (``birthdate``). It also reports
        contacts without a consent grant in force whose last activity - the latest of
        ``last_engagement_at``, ``last_inbound_at``, ``last_purchase_at``,
        ``contract_end_at``, ``inquiry_at``, ``customer_since``, ``consent_timestamp`` and
        ``opted_out_at`` - is older than the retention period of ``packs/retention.toml`` (36
        months) today. Contacts with no activity date are not judged.

    Why it matters:
        GDPR Art. 5(1)(c) allows only the data needed for the purpose (a phone number, a name,
        the consent record), and Art. 5(1)(e) only for as long as needed; the CNIL recommends
        deleting prospects three years after their last contact. Every extra column is more to
        lose in a breach, and a list passed to a sending tool or an agency is a transfer of all
        of it.

    Example:
        A contact list with a ``passport_no`` column, or a contact last active in January 2021
        with no consent on record.

    Use instead:
        Export only the columns a campaign uses; keep a yes/no ``is_minor`` instead of birth
        dates; delete or anonymise contacts past the retention period, keeping opted-out
        numbers only in a suppression list.

    Configuration:
        ``[lint.options.D006] allowed_fields`` (headers the workspace needs, e.g.
        ``["birthdate"]`` for birthday greetings); ``lint/packs/minimisation.toml`` and
        ``lint/packs/retention.toml``.

    Known gaps:
        Only column names are read, not values (a national ID typed into a ``notes`` column is
        not seen); the 36-month period follows the CNIL and is not a statutory limit elsewhere.

    References:
        GDPR Art. 5(1)(c), (e); CNIL référentiel relatif aux traitements de données à caractère
        personnel mis en œuvre aux fins de gestion des activités commerciales; compliance-rules.md
        §1.3, §9.10.
    """

    code = "D006"
    name = "data-minimisation"
    severity = Severity.WARNING
    applies_to = "contact"
    groups = ("data",)
    basis = "GDPR Art. 5(1)(c), (e); CNIL 3-year recommendation"
    options = MappingProxyType({"allowed_fields": ()})

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Contacts holding unneeded data, and contacts past retention without consent."""
        allowed = allowed_fields(self.option(ctx, "allowed_fields"))
        parts = [self._unneeded(contacts, allowed), self._expired(contacts, ctx)]
        found = [p for p in parts if p is not None and p.height]
        return pl.concat(found) if found else None

    @staticmethod
    def _who() -> pl.Expr:
        return pl.coalesce(pl.col("contact_id").cast(pl.String), pl.col("e164"))

    def _unneeded(self, contacts: ContactSet, allowed: set[str]) -> pl.DataFrame | None:
        columns = flagged_columns(contacts, allowed)
        if not columns:
            return None
        frame = valid_contacts(contacts, "contact_id", *(name for name, _, _ in columns))
        if "contact_id" not in frame.columns:
            frame = frame.with_columns(contact_id=pl.lit(None, pl.String))
        held = [
            pl.when(
                once_per_value(name, lambda cell: cell.str.strip_chars() != "", pl.Boolean()).fill_null(False)
            ).then(pl.lit(f"{label} in '{header}'"))
            for name, header, label in columns
        ]
        what = pl.concat_str(held, separator="; ", ignore_nulls=True).fill_null("")
        message = pl.format(
            "Contact {} holds unnecessary data ({}); minimise/delete.", self._who(), pl.col("what")
        )
        return frame.with_columns(what=what).filter(pl.col("what") != "").select("_row", message=message)

    def _expired(self, contacts: ContactSet, ctx: RunContext) -> pl.DataFrame | None:
        months, names = retention()
        present = [n for n in names if contacts.has(n)]
        if not present:
            return None
        frame = valid_contacts(contacts, "contact_id", *present)
        if "contact_id" not in frame.columns:
            frame = frame.with_columns(contact_id=pl.lit(None, pl.String))
        last = pl.max_horizontal([_times(frame, n) for n in present])
        frame = frame.with_columns(last=last).filter(pl.col("last").is_not_null())

        def limit(code: pl.Expr) -> pl.Expr:
            return code.cast(pl.String).replace_strict(
                months, default=months["DEFAULT"], return_dtype=pl.Int64
            )

        country = pl.when(pl.col("country_iso").is_not_null()).then(limit(pl.col("country_iso")))
        frame = frame.with_columns(limit=pl.min_horizontal(limit(pl.col("region")), country)).filter(
            months_passed(pl.col("last"), pl.col("limit"), months.values(), ctx.now)
        )
        frame = ctx.without_consent(frame, None)
        message = pl.format(
            "Contact {} is past the retention period (last activity {}, {} months) with no active consent; "
            "minimise/delete.",
            self._who(),
            day(pl.col("last")),
            pl.col("limit"),
        )
        return frame.select("_row", message=message)
