"""R006 national-registry-check."""

from __future__ import annotations

from functools import cache
from typing import Any

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.packs import read_pack
from lint.rules._common import valid_contacts
from lint.rules._registry import marketing_run, registry_findings


@cache
def national_registries() -> dict[str, dict[str, Any]]:
    """The national registries of ``packs/registries.toml`` by ISO region."""
    return dict(read_pack("registries")["national"])


class NationalRegistryCheck(Rule):
    """Mexican, Argentine, Colombian or Turkish number without a recent national registry check.

    What it does:
        When the run has a marketing draft (or no draft), reports contacts whose number region
        or stated country has a national registry in ``packs/registries.toml`` - Mexico (REPEP),
        Argentina (Registro No Llame, valid 30 days), Colombia (Registro de Números Excluidos),
        Turkey (İYS consent registration) - and whose check column (``mx_repep_checked_at``,
        ``ar_no_llame_checked_at``, ``co_rne_checked_at``, ``tr_iys_registered_at``) is empty,
        missing, or older than the registry's validity. A list without the column is reported:
        the check is missing.

    Why it matters:
        Mexico's consumer law forbids marketing to numbers in the REPEP; Argentina's Ley 26.951
        requires consulting the No Llame registry (at most every 30 days); Colombia's Ley 2300
        of 2023 protects registered numbers; Turkey's Law 6563 makes commercial electronic
        messages unlawful unless the consent is registered in İYS.

    Example:
        ``+52 55 1234 5678`` with no ``mx_repep_checked_at``.

    Use instead:
        Check the numbers against the national registry before the campaign and record the
        date in the matching column; drop listed numbers.

    Configuration:
        ``lint/packs/registries.toml`` (registries, columns, validity).

    References:
        MX Ley Federal de Protección al Consumidor (REPEP); AR Ley 26.951; CO Ley 2300 de 2023;
        TR Law 6563 and the İYS regulation; compliance-rules.md §5.8, §5.9, §9.5.
    """

    code = "R006"
    name = "national-registry-check"
    severity = Severity.WARNING
    applies_to = "contact"
    groups = ("registries",)
    basis = "MX LFPC (REPEP); AR Ley 26.951; CO Ley 2300/2023; TR Law 6563 + İYS regulation"

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Contacts whose national registry check is missing or stale."""
        if not marketing_run(ctx):
            return None
        registries = national_registries()
        columns = [str(spec["column"]) for spec in registries.values()]
        frame = valid_contacts(contacts, *columns)
        region, country = pl.col("region").cast(pl.String), pl.col("country_iso").cast(pl.String)
        # the number's country first; a stated country with its own registry is checked as well
        found = pl.concat(
            [
                registry_findings(frame, region, registries, ctx.at),
                registry_findings(frame.filter(country != region), country, registries, ctx.at),
            ]
        ).sort("_row")
        message = pl.format(
            "{}: national registry ({}) not checked / consent not registered ({}).",
            pl.col("e164"),
            pl.col("registry"),
            pl.col("reason"),
        )
        return found.select("_row", message=message)
