"""Workspaces, drafts, mappings and events for the trigger tests (the emulator comes from tests/sender)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from core.config import Settings, load_settings
from tests.sender.sendkit import PHONE_NUMBER_ID, TOKEN, UTILITY
from triggers.dispatch import Dispatcher
from triggers.intake import Intake
from triggers.journal import Journal
from triggers.mapping import load_mapping

ANA = "+4915120000001"
BEN = "+4915120000002"

SHIPPED_DE: dict[str, Any] = {
    "name": "order_shipped",
    "language": "de",
    "category": "UTILITY",
    "components": [
        {
            "type": "BODY",
            "text": "Hallo {{1}}, Ihre Acme-Bestellung {{2}} wurde heute versandt und kommt in zwei Tagen an.",
            "example": {"body_text": [["Ana", "A-100"]]},
        },
    ],
    "x-wagate": {"brand": "Acme"},
}

# labelled utility, but it advertises: T004 refuses it
PROMO_UTILITY: dict[str, Any] = {
    "name": "order_confirmed",
    "language": "en_US",
    "category": "UTILITY",
    "components": [
        {
            "type": "BODY",
            "text": "Hi {{1}}, your Acme order {{2}} is confirmed. Use code SAVE10 for 10% off your next order!",
            "example": {"body_text": [["Ana", "A-100"]]},
        },
    ],
    "x-wagate": {"brand": "Acme"},
}

MAPPING = """
[consent]
method = "checkout_opt_in"
source = "acme.example/checkout"
text_version = "checkout-2025-01"

[events."order.shipped"]
drafts = ["shipped_en.json", "shipped_de.json"]
fallback_language = "en_US"

[events."order.shipped".parameters]
body = ["{{ customer.first_name }}", "{{ order_id }}"]

[events."order.created"]
drafts = ["confirmed_en.json"]

[events."order.created".parameters]
body = ["{{ customer.first_name }}", "{{ order_id }}"]
"""


def write_inputs(folder: Path, mapping: str = MAPPING) -> Path:
    """Drafts and the mapping file in ``folder``; returns the mapping's path."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, draft in (
        ("shipped_en.json", UTILITY),
        ("shipped_de.json", SHIPPED_DE),
        ("confirmed_en.json", PROMO_UTILITY),
    ):
        (folder / name).write_text(json.dumps(draft, ensure_ascii=False), encoding="utf-8")
    path = folder / "triggers.toml"
    path.write_text(mapping, encoding="utf-8")
    return path


def draft_files(folder: Path) -> list[Path]:
    """The template files the emulator should know (every language of every template)."""
    return [folder / "shipped_en.json", folder / "shipped_de.json", folder / "confirmed_en.json"]


def workspace(root: Path, api_url: str, *, suppressed: tuple[str, ...] = ()) -> Settings:
    """A workspace sending to ``api_url``; ``suppressed`` numbers are on its suppression list."""
    folder = root / "ws"
    folder.mkdir(parents=True, exist_ok=True)
    lint = '[lint]\ncontroller_country = "DE"\nevidence_retention_months = 60\n'
    if suppressed:
        rows = "\n".join(f"{phone},2025-02-01T10:00:00Z,all,STOP reply" for phone in suppressed)
        (folder / "suppression.csv").write_text(
            f"phone,suppressed_at,scope,reason\n{rows}\n", encoding="utf-8"
        )
        lint += 'suppression = "suppression.csv"\n'
    text = (
        f"{lint}\n[send]\n"
        f'phone_number_id = "{PHONE_NUMBER_ID}"\napi_base_url = "{api_url}"\nreach_tier = "unlimited"\n'
    )
    (folder / "wagate.toml").write_text(text, encoding="utf-8")
    return load_settings(folder, env={"WAGATE_ACCESS_TOKEN": TOKEN})


def intake(settings: Settings, mapping: Path) -> Intake:
    """An intake over the workspace's journal."""
    return Intake(Dispatcher(load_mapping(mapping), settings), Journal(settings.workspace / "triggers"))


def event(
    event_id: str = "evt-1",
    kind: str = "order.shipped",
    phone: str = ANA,
    *,
    language: str | None = "en",
    name: str = "Ana Lima",
    order_id: str = "A-100",
    **changes: Any,
) -> dict[str, Any]:
    """A valid event in the documented shape (one hour old)."""
    data: dict[str, Any] = {
        "id": event_id,
        "type": kind,
        "occurred_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "order_id": order_id,
        "customer": {"phone": phone, "name": name, **({"language": language} if language else {})},
        "fields": {"tracking_number": "1Z999"},
    }
    data.update(copy.deepcopy(changes))
    return data
