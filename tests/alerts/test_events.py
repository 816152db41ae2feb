"""Event, breach and freshness rules on rows shaped like the marts views."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alerts import events
from alerts.rules import DEFAULT_RULES, Rule, build_rule

T = datetime(2026, 10, 9, 12, tzinfo=UTC)
H = timedelta(hours=1)


def default(name: str) -> Rule:
    return build_rule(next(r for r in DEFAULT_RULES if r.name == name))


def status(
    event: str, at: datetime, template: str = "bf_promo_v2", title: str | None = None
) -> dict[str, object]:
    return {
        "template": template,
        "language": "en_US",
        "event": event,
        "pause_kind": title,
        "reason": "NONE",
        "ts": at,
    }


def test_a_paused_template_fires_until_it_is_unpaused() -> None:
    rule = default("template_paused")
    paused = [status("APPROVED", T - 48 * H), status("PAUSED", T - H, title="FIRST_PAUSE")]
    [obs] = events.template_status(rule, paused)
    assert obs.active and obs.labels == (("language", "en_US"), ("template", "bf_promo_v2"))
    assert (obs.value, obs.threshold) == (1.0, 0.0)
    assert obs.detail["pause_kind"] == "FIRST_PAUSE"
    [after] = events.template_status(rule, [*paused, status("APPROVED", T, title="UNPAUSE")])
    assert not after.active


def test_a_disabled_template_and_a_healthy_one_are_told_apart() -> None:
    rule = default("template_paused")
    rows = [
        status("DISABLED", T - H, template="summer_sale_2026"),
        status("APPROVED", T - H, template="new_catalog"),
    ]
    found = {dict(o.labels)["template"]: o.active for o in events.template_status(rule, rows)}
    assert found == {"summer_sale_2026": True, "new_catalog": False}


def quality(previous: str, new: str, at: datetime) -> dict[str, object]:
    return {
        "template": "bf_promo_v2",
        "language": "en_US",
        "previous_quality": previous,
        "new_quality": new,
        "ts": at,
    }


def test_quality_down_to_yellow_or_red_fires_and_recovery_resolves() -> None:
    rule = default("template_quality_downgraded")
    [down] = events.template_quality(
        rule, [quality("GREEN", "YELLOW", T - 2 * H), quality("YELLOW", "RED", T - H)]
    )
    assert down.active and down.value == 2.0
    [up] = events.template_quality(rule, [quality("YELLOW", "RED", T - H), quality("RED", "YELLOW", T)])
    assert not up.active  # RED -> YELLOW is an improvement
    [new] = events.template_quality(rule, [quality("UNKNOWN", "GREEN", T)])
    assert not new.active


def phone(event: str, at: datetime, old: str | None = None, current: str | None = None) -> dict[str, object]:
    return {
        "phone_number": "85251202963",
        "event": event,
        "old_limit": old,
        "current_limit": current,
        "max_daily_conversations": None,
        "ts": at,
        "phone_number_id": "1099",
    }


def test_flagged_downgraded_or_a_lower_tier_fires_for_the_number() -> None:
    rule = default("phone_number_quality")
    [flagged] = events.phone_quality(rule, [phone("FLAGGED", T, current="TIER_10K")])
    assert flagged.active and flagged.labels == (("phone_number", "85251202963"),)
    assert flagged.detail["phone_number_id"] == "1099"
    # a tier change under another event name still counts when the tier went down
    [lower] = events.phone_quality(rule, [phone("THROUGHPUT_UPDATE", T, old="TIER_10K", current="TIER_2K")])
    assert lower.active
    # ... compared with the previous event when old_limit is missing
    [vs_previous] = events.phone_quality(
        rule,
        [phone("ONBOARDING", T - H, current="TIER_10K"), phone("THROUGHPUT_UPDATE", T, current="TIER_1K")],
    )
    assert vs_previous.active
    [upgrade] = events.phone_quality(
        rule, [phone("FLAGGED", T - H), phone("UPGRADE", T, old="TIER_2K", current="TIER_10K")]
    )
    assert not upgrade.active


def test_account_restrictions_fire() -> None:
    rule = default("account_restricted")
    rows = [
        {"waba_id": "1", "event": "ACCOUNT_RESTRICTION", "severity": None, "detail": None, "ts": T},
        {"waba_id": "1", "event": "PROFILE_PICTURE_LOST", "severity": "WARNING", "detail": None, "ts": T},
    ]
    [obs] = events.account_status(rule, rows)
    assert obs.active and dict(obs.labels) == {"waba_id": "1", "event": "ACCOUNT_RESTRICTION"}


def test_any_send_after_an_opt_out_fires_for_its_campaign() -> None:
    rule = default("sends_after_opt_out")
    rows = [
        {"campaign": "winback", "breaches": 2, "last_at": T},
        {"campaign": "spring", "breaches": 0, "last_at": None},
    ]
    found = {dict(o.labels)["campaign"]: (o.active, o.value) for o in events.breaches(rule, rows)}
    assert found == {"winback": (True, 2.0), "spring": (False, 0.0)}


def test_receipts_stale_when_sends_wait_for_receipts() -> None:
    rule = default("receipts_stale")
    gap = {
        "newest_status": T - 2 * H,
        "unanswered": 40,
        "oldest_unanswered": T - 90 * timedelta(minutes=1),
        "newest_send": T - timedelta(minutes=5),
    }
    [obs] = events.receipts_stale(rule, gap, T)
    # the last receipt came 120 minutes ago; the rule's limit is 30 minutes
    assert obs.active and obs.value == 120.0 and obs.threshold == 30.0
    [fine] = events.receipts_stale(rule, {**gap, "unanswered": 0}, T)
    assert not fine.active
