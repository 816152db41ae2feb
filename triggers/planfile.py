"""One event as a one-row campaign plan, so the linter and the gate judge it like any campaign.

The contact row carries the customer (number, name, language, country, time zone, last inbound
message) and the consent record of the transactional relationship: the order itself, on the
terms the shop showed at checkout (``[consent]`` of the mapping, or the event's own
``customer.consent``), for the purpose ``utility``. A customer whose event says
``"consent": false`` gets a row without consent, which C001 excludes.

A service reply (the customer's 24-hour window is open and the mapping has ``free_form``) is a
plan of one free-form draft, ``reply.json``, and a contact row whose ``last_inbound_at`` is the
message that opened the window, so T005 judges the window the dispatcher saw.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from triggers.events import Event
from triggers.mapping import ConsentBasis, DraftFile, EventRule, RenderedParameters
from triggers.window import ServiceReply

PURPOSE = "utility"


@dataclass(frozen=True, slots=True)
class PlanFiles:
    """The written plan and its contact list."""

    plan: Path
    contacts: Path


def write_plan(
    folder: Path,
    event: Event,
    rule: EventRule,
    draft: DraftFile,
    parameters: RenderedParameters,
    consent: ConsentBasis,
    header_media: str | None = None,
    reply: ServiceReply | None = None,
) -> PlanFiles:
    """``plan.toml`` and ``contacts.csv`` for this event in ``folder`` (a service reply's plan
    sends ``reply`` as free-form text instead of the template)."""
    folder.mkdir(parents=True, exist_ok=True)
    if reply is not None:
        return _reply_plan(folder, event, rule, draft, consent, reply)
    row = contact_row(event, draft, consent)
    row.update(parameters.columns)
    contacts = _write_contacts(folder, row)
    lines = [
        f"name = {_q(rule.campaign)}",
        f"drafts = [{_q(str(draft.path))}]",
        'contacts = "contacts.csv"',
    ]
    if header_media is not None:
        lines.append(f"header_media = {_q(header_media)}")
    if parameters.plan:
        lines.append("\n[parameters]")
        lines.extend(f"{key} = {_toml(value)}" for key, value in parameters.plan.items())
    plan = folder / "plan.toml"
    plan.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return PlanFiles(plan, contacts)


def _reply_plan(
    folder: Path, event: Event, rule: EventRule, draft: DraftFile, consent: ConsentBasis, reply: ServiceReply
) -> PlanFiles:
    brand = consent.business_name or draft.brand
    text = {
        "kind": "free_form",
        "text": reply.text,
        "language": draft.language,
        "category": "UTILITY",  # about the customer's order, as the template it replaces
        "x-wagate": {"purpose": "service", **({"brand": brand} if brand else {})},
    }
    reply_path = folder / "reply.json"
    reply_path.write_text(json.dumps(text, ensure_ascii=False), encoding="utf-8")
    row = contact_row(event, draft, consent)
    row["last_inbound_at"] = reply.last_inbound_at.isoformat()
    contacts = _write_contacts(folder, row)
    lines = [f"name = {_q(rule.campaign)}", f"drafts = [{_q(str(reply_path))}]", 'contacts = "contacts.csv"']
    plan = folder / "plan.toml"
    plan.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return PlanFiles(plan, contacts)


def _write_contacts(folder: Path, row: dict[str, str]) -> Path:
    contacts = folder / "contacts.csv"
    with contacts.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    return contacts


def contact_row(event: Event, draft: DraftFile, consent: ConsentBasis) -> dict[str, str]:
    """The customer as a contact row, with the consent record of the order relationship."""
    customer = event.customer
    own = customer.consent or {}
    granted = not customer.consent_refused
    business = consent.business_name or draft.brand or ""

    def grant(value: object) -> str:
        return str(value) if granted and value not in (None, "") else ""

    return {
        "phone": customer.phone,
        "name": customer.name or "",
        # a customer whose language has no draft gets the mapping's fallback on purpose; T006
        # would only repeat that choice as a warning on every such event
        "language": customer.language if customer.language and draft.serves(customer.language) else "",
        "country": customer.country or "",
        "timezone": customer.timezone or "",
        "last_inbound_at": customer.last_inbound_at.isoformat() if customer.last_inbound_at else "",
        "order_id": event.order_id,
        "consent_timestamp": grant(own.get("at", event.occurred_at.isoformat())),
        "consent_method": grant(own.get("method", consent.method)),
        "consent_source": grant(own.get("source", consent.source)),
        "consent_text_version": grant(own.get("text_version", consent.text_version)),
        "business_name_shown": grant(own.get("business_name", business)),
        "purposes": grant(PURPOSE),
    }


def _q(text: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes
    return json.dumps(text, ensure_ascii=False)


def _toml(value: Any) -> str:
    if isinstance(value, str):
        return _q(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_q(str(k))} = {_toml(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to a plan")
