"""Small builders of webhook bodies and send-log rows, shaped exactly as Meta and metrics.md say."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

WABA = "102290129340398"
PHONE_ID = "106540352242922"


def envelope(field: str, value: dict[str, Any], *, time: int | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": WABA, "changes": [{"field": field, "value": value}]}
    if time is not None:
        entry["time"] = time
    return {"object": "whatsapp_business_account", "entry": [entry]}


def _messages_value(**extra: Any) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_ID},
        **extra,
    }


def status(
    wamid: str, state: str, ts: int, recipient: str, *, code: int | None = None, **extra: Any
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": wamid,
        "status": state,
        "timestamp": str(ts),
        "recipient_id": recipient,
        **extra,
    }
    if code is not None:
        item["errors"] = [{"code": code, "title": f"error {code}", "message": f"error {code}"}]
    return envelope("messages", _messages_value(statuses=[item]))


def text_reply(
    message_id: str, sender: str, ts: int, body: str, *, context: str | None = None
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "from": sender,
        "id": message_id,
        "timestamp": str(ts),
        "type": "text",
        "text": {"body": body},
    }
    if context:
        message["context"] = {"from": "15550783881", "id": context}
    return envelope(
        "messages",
        _messages_value(contacts=[{"profile": {"name": "Test"}, "wa_id": sender}], messages=[message]),
    )


def preference(wa_id: str, value: str, ts: int) -> dict[str, Any]:
    return envelope(
        "user_preferences",
        _messages_value(
            user_preferences=[
                {
                    "wa_id": wa_id,
                    "detail": f"User requested to {value}",
                    "category": "marketing_messages",
                    "value": value,
                    "timestamp": ts,
                }
            ]
        ),
    )


def send_row(
    wamid: str,
    to: str,
    at: str,
    *,
    campaign: str = "promo",
    category: str = "marketing",
    outcome: str = "accepted",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "attempted_at": at,
        "campaign": campaign,
        "template": f"{campaign}_tpl",
        "language": "en_US",
        "category": category,
        "to": to,
        "phone_number_id": PHONE_ID,
        "outcome": outcome,
        "wamid": wamid if outcome != "rejected" else "",
        "error_code": None,
        "error_title": "",
        "idempotency_key": f"{campaign}:{to}",
        "lint_report": "r1",
        **extra,
    }


def write_lines(path: Path, records: list[Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path
