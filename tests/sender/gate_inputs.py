"""Builders of campaign inputs (plan, drafts, contacts, workspace) for the gate, builder and check tests."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.config import Settings, load_settings

TUESDAY_14_UTC = datetime(2025, 6, 3, 14, 0, tzinfo=UTC)  # 16:00 Berlin, 09:00 Bogota, 19:30 Delhi
SUNDAY_11_UTC = datetime(2025, 6, 1, 11, 0, tzinfo=UTC)  # 13:00 Berlin on a Sunday

HEADER = (
    "phone,consent_timestamp,consent_method,consent_source,consent_text_version,"
    "business_name_shown,purposes,first_name,city,order_id"
)
DE_1 = "+4915123456789"
DE_2 = "+4915123456780"
CO_1 = "+573001234567"
IN_1 = "+919876543210"


# a marketing template the linter has nothing against: sender named, opt-out, no urgency claims
MARKETING: dict[str, Any] = {
    "name": "spring_sale",
    "language": "en_US",
    "category": "MARKETING",
    "components": [
        {"type": "HEADER", "format": "TEXT", "text": "Acme spring collection"},
        {
            "type": "BODY",
            "text": "Hi {{1}}, the new Acme spring collection is in our stores now.",
            "example": {"body_text": [["Ana"]]},
        },
        {"type": "FOOTER", "text": "Reply STOP to opt out"},
    ],
    "x-wagate": {"brand": "Acme"},
}


def contact(phone: str, first_name: str = "ana", city: str = "Berlin", order_id: str = "A-1") -> str:
    """A contact row with consent the linter accepts (keyword opt-in naming the brand)."""
    return (
        f"{phone},2025-01-10,keyword_reply,wa-keyword-JOIN,v2,Acme,marketing,{first_name},{city},{order_id}"
    )


def marketing(**changes: Any) -> dict[str, Any]:
    """The clean marketing draft, with top-level keys replaced."""
    draft = copy.deepcopy(MARKETING)
    draft.update(changes)
    return draft


def workspace(tmp_path: Path, toml: str = "", *, lint: str = "") -> Settings:
    """A workspace and its settings, environment ignored.

    Its ``[lint]`` section says the sender is established in Germany (so messages to EU
    contacts need no Art. 27 representative, S002), plus the ``lint`` lines given; ``toml`` adds
    other sections.
    """
    folder = tmp_path / "ws"
    folder.mkdir(exist_ok=True)
    text = f'[lint]\ncontroller_country = "DE"\n{lint}\n{toml}'
    (folder / "wagate.toml").write_text(text, encoding="utf-8")
    return load_settings(folder, env={})


def write_campaign(
    folder: Path,
    rows: list[str],
    *,
    drafts: list[dict[str, Any]] | None = None,
    parameters: str = "",
    send_at: datetime = TUESDAY_14_UTC,
    name: str | None = "spring",
    header: str = HEADER,
) -> Path:
    """campaign.toml with its drafts and contact list; returns the plan's path."""
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for index, draft in enumerate(drafts or [marketing()], start=1):
        path = folder / f"draft{index}.json"
        path.write_text(json.dumps(draft, ensure_ascii=False, indent=2), encoding="utf-8")
        names.append(path.name)
    (folder / "contacts.csv").write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    lines = [f'name = "{name}"'] if name else []
    lines += [
        f"drafts = {json.dumps(names)}",
        'contacts = "contacts.csv"',
        f"send_at = {send_at.isoformat()}",
    ]
    if parameters:
        lines += ["[parameters]", parameters]
    plan = folder / "campaign.toml"
    plan.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return plan
