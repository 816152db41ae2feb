"""S002 gdpr-representative."""

from __future__ import annotations

from collections.abc import Iterator

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.rules._plan import plan_file, plural, recipients_in

# (region set of the recipients, setting naming the representative, who it is for)
REGIMES = (("EU_EEA", "eu_representative", "EU/EEA"), ("UK_LIKE", "uk_representative", "UK"))


class GdprRepresentative(Rule):
    """EU or UK recipients, a sender established outside, and no Art. 27 representative configured.

    What it does:
        Counts the run's contacts whose number region or stated country is in the EU/EEA
        (region set ``EU_EEA``) or the UK (``UK_LIKE``: GB, JE, GG, IM). When there are some, the
        sender's ``controller_country`` is outside that area (or not set) and
        ``eu_representative`` (``uk_representative``) is empty, it reports the send once per
        area.

    Why it matters:
        A business established outside the EU that offers goods or services to people in the
        EU must designate a representative there in writing (GDPR Art. 27); the UK GDPR has the
        same rule for the UK. Exporters messaging European buyers from China are the typical
        case; regulators can fine the missing designation on its own.

    Example:
        Contacts with +49 and +44 numbers, ``controller_country = "CN"`` and no representatives.

    Use instead:
        Appoint representatives and record them: ``eu_representative = "Rep GmbH, Berlin"``,
        ``uk_representative = "Rep Ltd, London"``; set ``controller_country`` to where the
        business is established.

    Configuration:
        ``controller_country``, ``eu_representative`` and ``uk_representative`` in ``[lint]``; the
        region sets in ``lint/packs/regions.toml``.

    Known gaps:
        The Art. 27(2) exemption (occasional, low-risk processing) is not judged: waive the
        finding with a reason when it applies. An unset ``controller_country`` is treated as
        outside the EU and the UK.

    References:
        GDPR Art. 3(2), Art. 27; UK GDPR Art. 27; compliance-rules.md §1.3, §9.11.
    """

    code = "S002"
    name = "gdpr-representative"
    severity = Severity.WARNING
    applies_to = "send-plan"
    groups = ("send-plan", "gdpr")
    basis = "GDPR Art. 27; UK GDPR Art. 27"

    def check_plan(self, ctx: RunContext) -> Iterator[Finding]:
        """One finding per area (EU/EEA, UK) with recipients and no representative."""
        controller = ctx.config.controller_country
        for region_set, setting, area in REGIMES:
            if getattr(ctx.config, setting) or (
                controller and controller in ctx.packs.region_set(region_set)
            ):
                continue
            count = recipients_in(ctx, region_set)
            if count == 0:
                continue
            where = f"established in {controller}" if controller else "controller_country is not set"
            yield self.plan_finding(
                "Sending to EU/UK residents from outside requires a named EU/UK representative (GDPR Art. 27): "
                f"{plural(count, 'recipient')} in the {area}, {where}, no {setting} in [lint].",
                file=plan_file(ctx),
            )
