"""P008 no-human-escalation."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity

# the escalation paths the WhatsApp policy names, as people write them in the settings
PATHS = {
    "agent": "agent",
    "in_chat_agent": "agent",
    "live_agent": "agent",
    "human_agent": "agent",
    "handover": "agent",
    "人工客服": "agent",
    "phone": "phone",
    "call": "phone",
    "电话": "phone",
    "web_form": "web_form",
    "form": "web_form",
    "support_form": "web_form",
    "web": "web_form",
    "website": "web_form",
    "表单": "web_form",
    "email": "email",
    "e_mail": "email",
    "邮箱": "email",
    "store": "store",
    "shop": "store",
    "门店": "store",
}


def path_kind(entry: str) -> str | None:
    """The kind of escalation path a setting names (``"phone: +49 30 1234"`` -> ``phone``), if any."""
    head = re.split(r"[:=]", entry, maxsplit=1)[0]
    return PATHS.get(re.sub(r"[\s\-]+", "_", head.strip().casefold()))


class NoHumanEscalation(Rule):
    """Automated conversations have no configured path to a human.

    What it does:
        When ``automated_flow = true`` in ``[lint]`` (the number answers with a bot or an
        automated flow), checks ``human_escalation_channels`` for at least one recognised path
        to a person: ``agent`` (in-chat handover), ``phone``, ``web_form``, ``email`` or
        ``store``, each optionally followed by details (``"phone: +86 755 1234 5678"``). Entries
        of another kind are named in the finding and do not count.

    Why it matters:
        The WhatsApp Business Messaging Policy allows automation but requires prompt, clear and
        direct escalation paths to a human agent (in-chat transfer, phone, web support, store,
        support form). People stuck in a bot block and report the number, which lowers its
        quality rating.

    Example:
        ``automated_flow = true`` with no ``human_escalation_channels``.

    Use instead:
        ``human_escalation_channels = ["agent", "email: support@acme.com"]``, and a menu
        option or keyword ("agent", "人工") in the flow that hands over to a person.

    Configuration:
        ``automated_flow`` and ``human_escalation_channels`` in ``[lint]``.

    Known gaps:
        The flow itself is not read: whether the path is offered in the conversation, and is
        prompt, is not checked.

    References:
        WhatsApp Business Messaging Policy (automation and human escalation); Sinch Human
        Assistance Policy; compliance-rules.md §6.1, §9.9.
    """

    code = "P008"
    name = "no-human-escalation"
    severity = Severity.WARNING
    applies_to = "send-plan"
    groups = ("policy", "send-plan")
    basis = "WhatsApp Business Messaging Policy (escalation paths)"

    def check_plan(self, ctx: RunContext) -> Iterator[Finding]:
        """A warning when an automated flow has no recognised human escalation path."""
        config = ctx.config
        if not config.automated_flow:
            return
        entries = [e for e in config.human_escalation_channels if e.strip()]
        if any(path_kind(e) for e in entries):
            return
        detail = (
            f" ({', '.join(repr(e) for e in entries)} not recognised: use agent, phone, web_form, email or store)"
            if entries
            else " (set human_escalation_channels in [lint], e.g. ['agent', 'email: support@acme.com'])"
        )
        yield self.plan_finding(
            f"Automated conversations need a clear path to a human agent{detail}.",
            file=ctx.plan.display if ctx.plan else None,
        )
