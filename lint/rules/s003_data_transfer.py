"""S003 data-transfer-mechanism."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.packs import read_pack
from lint.rules._plan import plan_file, plural, recipients_in


@cache
def transfers_pack() -> dict[str, Any]:
    """``lint/packs/transfers.toml``."""
    return read_pack("transfers")


class DataTransferMechanism(Rule):
    """EU/UK contact data is processed outside the EEA/UK without a recorded transfer mechanism.

    What it does:
        When the run has contacts in the EU/EEA or the UK (number region or stated country),
        looks at where their data is stored or processed - ``processing_countries``, else the
        ``controller_country`` - and reports the send (info) when a country there is neither in
        the EEA/UK nor has an adequacy decision for that data (``lint/packs/transfers.toml``)
        and ``transfer_mechanism`` is empty. Processing in China adds a reminder that PIPL
        applies too. When neither setting says where the data is processed nothing is reported
        (S002 asks for ``controller_country`` in that case).

    Why it matters:
        Personal data of people in the EU/UK may leave the EEA/UK only to an adequate country or
        under safeguards - standard contractual clauses (UK: IDTA or Addendum) with a transfer
        impact assessment (GDPR Chapter V, Arts. 44-46; UK GDPR). A contact list kept on a
        server or laptop in China is such a transfer; China has no adequacy decision.

    Example:
        Contacts with +33 numbers, ``controller_country = "CN"``, no ``transfer_mechanism``.

    Use instead:
        Put SCCs (UK: IDTA/Addendum) and a transfer impact assessment in place and record them:
        ``transfer_mechanism = "EU SCCs 2021 module 1 + TIA 2025-05"``; list every country the
        data is processed in under ``processing_countries``.

    Configuration:
        ``processing_countries``, ``controller_country`` and ``transfer_mechanism`` in
        ``[lint]``; adequacy lists in ``lint/packs/transfers.toml`` (US only under the Data
        Privacy Framework: record it as the mechanism).

    Known gaps:
        Adequacy lists are kept by hand (secondary sources); onward transfers by processors
        (e.g. the messaging provider) are not checked.

    References:
        GDPR Arts. 44-46; UK GDPR Chapter V and the IDTA; PIPL Art. 3; compliance-rules.md §1.3,
        §9.11.
    """

    code = "S003"
    name = "data-transfer-mechanism"
    severity = Severity.INFO
    applies_to = "send-plan"
    groups = ("send-plan", "gdpr")
    basis = "GDPR Chapter V (Arts. 44–46); UK GDPR; PIPL Art. 3"

    def check_plan(self, ctx: RunContext) -> Iterator[Finding]:
        """One finding when EU/UK data goes to a non-adequate country without a mechanism."""
        config = ctx.config
        if config.transfer_mechanism:
            return
        eu, uk = recipients_in(ctx, "EU_EEA"), recipients_in(ctx, "UK_LIKE")
        if eu + uk == 0:
            return
        places = config.processing_countries or (
            (config.controller_country,) if config.controller_country else ()
        )
        if not places:
            # unknown: S002 already asks for controller_country, which answers this question too
            return
        adequate = transfers_pack()["adequate"]
        outside: set[str] = set()
        if eu:
            safe = ctx.packs.region_set("EU_EEA") | set(adequate["EU"])
            outside |= {place for place in places if place not in safe}
        if uk:
            safe = ctx.packs.region_set("UK_LIKE") | ctx.packs.region_set("EU_EEA") | set(adequate["UK"])
            outside |= {place for place in places if place not in safe}
        if not outside:
            return
        notes = [
            str(transfers_pack()["notes"][place])
            for place in sorted(outside)
            if place in transfers_pack()["notes"]
        ]
        yield self.plan_finding(
            "EU/UK contact data leaves the EEA/UK without a recorded transfer mechanism: processed in "
            f"{', '.join(sorted(outside))} (no adequacy decision) for {plural(eu + uk, 'recipient')}; record "
            "transfer_mechanism (SCCs/IDTA + TIA) in [lint]." + "".join(f" Note: {note}." for note in notes),
            file=plan_file(ctx),
        )
