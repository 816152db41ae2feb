"""One event as a one-row campaign plan, so the linter and the gate judge it like any campaign.

The contact row carries the customer (number, name, language, country, time zone, last inbound
message) and the consent record of the transactional relationship: the order itself, on the
terms the shop showed at checkout (``[consent]`` of the mapping, or the event's own
``customer.consent``), for the purpose ``utility``. A customer whose event says
``"consent": false`` gets a row without consent, which C001 excludes.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from triggers.events import Event
from triggers.mapping import ConsentBasis, DraftFile, EventRule, RenderedParameters

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
) -> PlanFiles:
    """``plan.toml`` and ``contacts.csv`` for this event in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    contacts = folder / "contacts.csv"
    row = contact_row(event, draft, consent)
    row.update(parameters.columns)
    with contacts.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
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
