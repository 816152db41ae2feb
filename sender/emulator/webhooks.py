"""Webhook bodies shaped as Meta posts them, and their bytes as Meta signs them.

Meta serialises with non-ASCII escaped (``\\u00e9``) and signs those exact bytes; the receiver
checks the signature over the raw body, so :func:`encode` is the only way bodies leave here.
"""

from __future__ import annotations

import json
from typing import Any

from sender.emulator.config import EmulatorConfig
from sender.emulator.errors import webhook_error
from sender.emulator.templates import TemplateSpec

OBJECT = "whatsapp_business_account"
PRICING_CATEGORIES = {"MARKETING": "marketing", "UTILITY": "utility", "AUTHENTICATION": "authentication"}


def encode(body: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact JSON, non-ASCII as ``\\uXXXX``."""
    return json.dumps(body, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def envelope(
    config: EmulatorConfig, field: str, value: dict[str, Any], *, time: int | None = None
) -> dict[str, Any]:
    """``{"object": ..., "entry": [{"id": WABA, "changes": [{"value": ..., "field": ...}]}]}``."""
    entry: dict[str, Any] = {"id": config.waba_id, "changes": [{"value": value, "field": field}]}
    if time is not None:
        entry["time"] = time
    return {"object": OBJECT, "entry": [entry]}


def messages_value(config: EmulatorConfig, **parts: Any) -> dict[str, Any]:
    """The ``value`` of a ``messages`` change: product, metadata, then contacts/messages/statuses."""
    return {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": config.display_phone_number,
            "phone_number_id": config.phone_number_id,
        },
        **parts,
    }


def status_item(
    wamid: str,
    status: str,
    timestamp: int,
    recipient: str,
    *,
    callback_data: str | None = None,
    category: str | None = None,
    error: tuple[int, str] | None = None,
) -> dict[str, Any]:
    """One ``statuses[]`` entry; ``category`` adds pricing (on ``sent``), ``error`` the failure."""
    item: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(timestamp),
        "recipient_id": recipient,
    }
    if callback_data is not None:
        item["biz_opaque_callback_data"] = callback_data
    if category is not None:
        item["pricing"] = pricing(category)
    if error is not None:
        item["errors"] = [webhook_error(*error)]
    return item


def pricing(category: str) -> dict[str, Any]:
    """Per-message pricing (PMP): templates are billable, session replies free inside the window."""
    if category in PRICING_CATEGORIES:
        return {
            "billable": True,
            "pricing_model": "PMP",
            "type": "regular",
            "category": PRICING_CATEGORIES[category],
        }
    return {"billable": False, "pricing_model": "PMP", "type": "free_customer_service", "category": "service"}


def contact(wa_id: str, name: str) -> dict[str, Any]:
    """A ``contacts[]`` entry."""
    return {"profile": {"name": name}, "wa_id": wa_id}


def inbound_message(
    config: EmulatorConfig,
    message_id: str,
    wa_id: str,
    timestamp: int,
    *,
    text: str | None = None,
    button: tuple[str, str] | None = None,
    context: str | None = None,
) -> dict[str, Any]:
    """A ``messages[]`` entry: typed text, or a quick-reply tap ``(label, payload)``."""
    message: dict[str, Any] = {"from": wa_id, "id": message_id, "timestamp": str(timestamp)}
    if context is not None:
        message["context"] = {"from": config.display_phone_number, "id": context}
    if button is not None:
        message["type"] = "button"
        message["button"] = {"payload": button[1], "text": button[0]}
    else:
        message["type"] = "text"
        message["text"] = {"body": text or ""}
    return message


def preference_value(
    config: EmulatorConfig, wa_id: str, name: str, value: str, timestamp: int
) -> dict[str, Any]:
    """The ``value`` of a ``user_preferences`` change (its timestamp is an integer)."""
    detail = (
        "User requested to stop marketing messages"
        if value == "stop"
        else "User requested to resume marketing messages"
    )
    return messages_value(
        config,
        contacts=[contact(wa_id, name)],
        user_preferences=[
            {
                "wa_id": wa_id,
                "detail": detail,
                "category": "marketing_messages",
                "value": value,
                "timestamp": timestamp,
            }
        ],
    )


def template_status_value(
    spec: TemplateSpec,
    event: str,
    *,
    reason: str = "NONE",
    other: tuple[str, str] | None = None,
    disabled_at: int | None = None,
) -> dict[str, Any]:
    """The ``value`` of a ``message_template_status_update`` change."""
    value: dict[str, Any] = {
        "event": event,
        "message_template_id": int(spec.id),
        "message_template_name": spec.name,
        "message_template_language": spec.language.replace("_", "-"),
        "reason": reason,
        "message_template_category": spec.category,
    }
    if disabled_at is not None:
        value["disable_info"] = {"disable_date": disabled_at}
    if other is not None:
        value["other_info"] = {"title": other[0], "description": other[1]}
    return value


def template_quality_value(spec: TemplateSpec, previous: str, new: str) -> dict[str, Any]:
    """The ``value`` of a ``message_template_quality_update`` change."""
    return {
        "previous_quality_score": previous,
        "new_quality_score": new,
        "message_template_id": int(spec.id),
        "message_template_name": spec.name,
        "message_template_language": spec.language.replace("_", "-"),
    }


def phone_quality_value(config: EmulatorConfig, event: str) -> dict[str, Any]:
    """The ``value`` of a ``phone_number_quality_update`` change."""
    return {
        "display_phone_number": config.display_phone_number,
        "event": event,
        "current_limit": "TIER_UNLIMITED",
        "max_daily_conversations_per_business": "TIER_UNLIMITED",
    }


def account_restriction_value(config: EmulatorConfig, until: int) -> dict[str, Any]:
    """The ``value`` of an ``account_update`` change announcing a messaging restriction."""
    return {
        "phone_number": config.display_phone_number,
        "event": "ACCOUNT_RESTRICTION",
        "restriction_info": [{"restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING", "expiration": until}],
    }
