"""Business-management webhooks: template, quality, phone-number and account events.

They follow the story the traffic tells: ``bf_promo_v2`` slides GREEN -> YELLOW -> RED during
Black Friday and is paused (FIRST_PAUSE) while its last wave is running, a new template is
approved before its campaign, another is rejected, the Hong Kong number is downgraded. One
body uses a field the pipelines do not model (``security``), to be stored raw.
"""

from __future__ import annotations

from pipelines.synthetic import catalog
from pipelines.synthetic.webhooks import OBJECT, Business, meta_json

HOUR = 3600
DAY = 86400


def business_events(business: Business, start: int, days: int) -> list[tuple[int, str]]:
    """(unix time, body) of every business event in the period, in time order."""
    period = days * DAY

    def at(fraction: float, hours: float = 0.0) -> int:
        return start + int(fraction * period + hours * HOUR)

    pause = at(*catalog.PAUSE_AT)
    bf = catalog.PAUSED_TEMPLATE
    resume = pause + catalog.PAUSE_HOURS * HOUR
    notice, disabled, restricted = at(0.78), at(0.80), at(0.95)
    changes: list[tuple[int, str, dict[str, object]]] = [
        (at(0.0, 0.5), "message_template_status_update", _status(catalog.CATALOG, "APPROVED", "en_US")),
        (at(0.0, 2.0), "phone_number_quality_update", _throughput(business)),
        (at(0.12), "message_template_quality_update", _quality(catalog.OTP_LOGIN, "UNKNOWN", "GREEN")),
        (at(0.18), "message_template_status_update", _rejected()),
        (at(0.30), "account_alerts", _alert(business, "PROFILE_PICTURE_LOST")),
        (at(0.33), "template_category_update", _category_done()),
        (at(0.50), "account_alerts", _alert(business, "INCREASED_CAPABILITIES_ELIGIBILITY_DEFERRED")),
        (at(0.55), "security", _security(business)),
        (at(0.66), "message_template_quality_update", _quality(bf, "GREEN", "YELLOW")),
        (pause - 600, "message_template_quality_update", _quality(bf, "YELLOW", "RED")),
        (pause, "message_template_status_update", _paused(resume)),
        (resume, "message_template_status_update", _unpaused()),
        (notice, "template_category_update", _category_notice(notice + DAY)),
        (disabled, "message_template_status_update", _disabled(disabled)),
        (at(0.86), "phone_number_quality_update", _legacy_limit(business, "FLAGGED", None, "TIER_10K")),
        (
            at(0.90),
            "phone_number_quality_update",
            _legacy_limit(business, "DOWNGRADE", "TIER_10K", "TIER_2K"),
        ),
        (restricted, "account_update", _restriction(restricted + 7 * DAY)),
    ]
    events = []
    for time, field, value in changes:
        change = {"value": value, "field": field}
        # Meta's own examples put "object" after "entry" for management fields; keep both orders.
        body: dict[str, object] = (
            {"entry": [{"id": business.waba_id, "time": time, "changes": [change]}], "object": OBJECT}
            if field.startswith(("message_template", "template"))
            else {"object": OBJECT, "entry": [{"id": business.waba_id, "time": time, "changes": [change]}]}
        )
        events.append((time, meta_json(body)))
    events.sort(key=lambda event: event[0])
    return events


def _template_fields(template: catalog.Template, language: str) -> dict[str, object]:
    return {
        "message_template_id": template.template_id,
        "message_template_name": template.name,
        "message_template_language": language,
    }


def _status(template: catalog.Template, event: str, language: str) -> dict[str, object]:
    return {
        "event": event,
        **_template_fields(template, language),
        "reason": "NONE",
        "message_template_category": template.category.upper(),
    }


def _rejected() -> dict[str, object]:
    rejected = catalog.Template("bf_promo_v3", catalog.MARKETING, ("en_US",), 1188342075513380)
    value = _status(rejected, "REJECTED", "en_US")
    value["reason"] = "INVALID_FORMAT"
    value["rejection_info"] = {
        "reason": "The template has parameters placed next to each other ({{1}}{{2}}) without text between them.",
        "recommendation": "Add text between the parameters, or merge them into one parameter.",
    }
    return value


def _paused(until: int) -> dict[str, object]:
    value = _status(catalog.PAUSED_TEMPLATE, "PAUSED", "en_US")
    value["other_info"] = {
        "title": "FIRST_PAUSE",
        "description": f"Your WhatsApp message template has been paused for 3 hours until {until} due to low quality.",
    }
    return value


def _unpaused() -> dict[str, object]:
    value = _status(catalog.PAUSED_TEMPLATE, "APPROVED", "en_US")
    value["other_info"] = {
        "title": "UNPAUSE",
        "description": "Your WhatsApp message template is active again.",
    }
    return value


def _disabled(time: int) -> dict[str, object]:
    old = catalog.Template("summer_sale_2026", catalog.MARKETING, ("en_US",), 1032298416473365)
    value = _status(old, "DISABLED", "en-US")  # hyphenated, as in Meta's examples
    value["disable_info"] = {"disable_date": time}
    return value


def _quality(template: catalog.Template, previous: str, new: str) -> dict[str, object]:
    return {
        "previous_quality_score": previous,
        "new_quality_score": new,
        **_template_fields(template, "en_US"),
    }


def _category_done() -> dict[str, object]:
    feedback = catalog.Template("order_feedback", catalog.UTILITY, ("en_US",), 874431196213502)
    return {
        **_template_fields(feedback, "en_US"),
        "previous_category": "UTILITY",
        "new_category": "MARKETING",
    }


def _category_notice(effective: int) -> dict[str, object]:
    return {
        **_template_fields(catalog.PAYMENT_REMINDER, "en_US"),
        "correct_category": "MARKETING",
        "new_category": "UTILITY",
        "category_update_timestamp": effective,
    }


def _throughput(business: Business) -> dict[str, object]:
    return {
        "display_phone_number": business.display[0],
        "event": "THROUGHPUT_UPGRADE",
        "max_daily_conversations_per_business": "TIER_100K",
    }


def _legacy_limit(business: Business, event: str, old: str | None, current: str) -> dict[str, object]:
    value: dict[str, object] = {"display_phone_number": business.display[1], "event": event}
    if old is not None:
        value["old_limit"] = old
    value["current_limit"] = current
    return value


def _alert(business: Business, alert_type: str) -> dict[str, object]:
    if alert_type == "PROFILE_PICTURE_LOST":
        entity = ("PHONE_NUMBER", business.phone_ids[1], "WARNING", "Please reupload your profile picture")
    else:
        entity = (
            "BUSINESS",
            business.portfolio_id,
            "WARNING",
            "Limits cannot be increased for your business. Use WhatsApp Business platform actively "
            "for several days and follow our messaging policies.",
        )
    kind, entity_id, severity, description = entity
    return {
        "entity_type": kind,
        "entity_id": entity_id,
        "alert_info": {
            "alert_severity": severity,
            "alert_status": "ACTIVE",
            "alert_type": alert_type,
            "alert_description": description,
        },
    }


def _security(business: Business) -> dict[str, object]:
    return {
        "display_phone_number": business.display[0],
        "event": "PIN_CHANGED",
        "requester": "2329417887457253",
    }


def _restriction(expiration: int) -> dict[str, object]:
    return {
        "event": "ACCOUNT_RESTRICTION",
        "restriction_info": [
            {"restriction_type": "RESTRICTED_ADD_PHONE_NUMBER_ACTION", "expiration": expiration}
        ],
    }
