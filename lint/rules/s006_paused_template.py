"""S006 paused-template."""

from __future__ import annotations

from collections.abc import Iterator

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.inputs.drafts import Draft


class PausedTemplate(Rule):
    """The template is paused by an alert that still fires and nobody acknowledged.

    What it does:
        Reports a draft whose template name carries a pause flag set by `wagate alerts` (a rule with
        ``action = "pause"`` fired on it: rising complaints, opt-outs or blocks, or Meta paused or
        downgraded it) while that alert fires and is not acknowledged.

    Why it matters:
        The alert says people are reacting badly to this template right now. Sending more of it
        makes the complaint, block and quality figures worse, and Meta pauses or disables
        templates and numbers with low quality.

    Example:
        A draft named ``spring_sale`` while ``wagate alerts list`` shows ``complaint_rate_template``
        firing for ``{"template": "spring_sale"}`` with a pause flag.

    Use instead:
        Find out why (the dashboard's Campaigns page, `wagate metrics --by template`), fix the
        template or the audience, then acknowledge the alert (`wagate alerts ack ID`) and lift the
        pause (`wagate alerts unpause`).

    Configuration:
        ``paused_templates`` in ``[lint]`` is filled by `wagate lint` from the workspace's pause
        flags (``<workspace>/pauses``); see docs/alerts.md.

    References:
        WhatsApp template quality and pausing (whatsapp-platform.md §9.3); docs/alerts.md "Closing
        the loop".
    """

    code = "S006"
    name = "paused-template"
    severity = Severity.ERROR
    applies_to = "draft"
    groups = ("send-plan", "quality")
    basis = (
        "wagate alerts paused this template while its alert fires unacknowledged (WhatsApp template quality)"
    )

    def check_draft(self, draft: Draft, ctx: RunContext) -> Iterator[Finding]:
        """A finding when the draft's template name is paused."""
        if draft.name and draft.name in ctx.config.paused_templates:
            yield self.draft_finding(
                draft,
                f"Template {draft.name} is paused by a firing alert; acknowledge it (`wagate alerts ack`) "
                "and lift the pause (`wagate alerts unpause`) after fixing the cause.",
                "name",
            )
