"""The closed loop on a real warehouse: a complaint wave fires, pauses the sender, notifies, resolves.

The story is in conftest.py: traffic fed through ingest at controlled times, so every state of
the lifecycle can be checked. The live version (the sender and the emulator, a campaign paused
mid-send) is tests/wagate/test_closed_loop_live.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from alerts import signals, store
from alerts.config import AlertsSettings, ChannelConfig
from alerts.engine import check
from alerts.model import make_labels
from alerts.rules import DEFAULT_RULES, build_rule, resolve_rules
from core import audit
from core.config import load_settings
from core.pauses import active_template_pauses, is_paused
from core.warehouse import Warehouse
from tests.alerts.conftest import T0
from tests.alerts.servers import free_port, http_endpoint

Cli = Callable[..., Any]
COMPLAINT_RULES = {"complaint_rate_by_campaign", "complaint_rate_by_template"}


def check_json(cli: Cli, at: str, *extra: str) -> list[dict[str, Any]]:
    result = cli("alerts", "check", "--at", at, "--format", "json", *extra)
    assert result.code == 0, result.stderr
    assert "could not be evaluated" not in result.stderr  # every rule's SQL ran
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def test_a_complaint_wave_fires_and_pauses_the_campaign_and_template(wave: Path, wagate_cli: Cli) -> None:
    # 15:00: the rules judge messages at least 6 h old, i.e. sent by 09:00: half the wave
    first = check_json(wagate_cli, "2025-06-10T15:00:00+00:00")
    assert {(a["rule"], a["state"]) for a in first} == {(r, "pending") for r in COMPLAINT_RULES}
    assert is_paused(wave, campaign="wave") is None  # pending alerts do not pause yet

    # 16:00: the 30-minute pending period is over
    second = check_json(wagate_cli, "2025-06-10T16:00:00+00:00")
    firing = {a["rule"]: a for a in second}
    assert set(firing) == COMPLAINT_RULES
    campaign = firing["complaint_rate_by_campaign"]
    assert campaign["state"] == "firing" and campaign["labels"] == {"campaign": "wave"}
    assert firing["complaint_rate_by_template"]["labels"] == {"template": "wave_tpl"}
    # sent 08:00-10:00 is within "sent by 10:00": all 600 counted, 48 complaints, 8 %
    assert (campaign["detail"]["n"], campaign["detail"]["x"], campaign["value"]) == (600, 48, 0.08)
    assert campaign["value"] > campaign["threshold"] and campaign["paused"]

    stop = is_paused(wave, campaign="wave", template="wave_tpl", phone_number_id="106540352242922")
    assert stop is not None and stop.kind == "campaign" and stop.by == "alerts"
    assert "complaint_rate_by_campaign" in stop.reason
    assert is_paused(wave, template="wave_tpl") is not None
    assert is_paused(wave, campaign="steady", template="steady_tpl") is None
    assert [p.name for p in active_template_pauses(wave)] == ["wave_tpl"]


def test_young_messages_are_not_judged_and_late_complaints_do_not_count(wave: Path) -> None:
    settings = load_settings(wave, env={})
    rule = build_rule(next(r for r in DEFAULT_RULES if r.name == "complaint_rate_by_campaign"))
    wave_labels = make_labels({"campaign": "wave"})
    with Warehouse.open_reader(settings.warehouse_path) as wh:
        # 12:00: every complaint of the first two hours is in, but no wave message is 6 h old yet,
        # so the wave is not "clean": it is not judged at all
        early = signals.evaluate_all(wh, [rule], T0 + timedelta(hours=4)).observations
        assert wave_labels not in {o.labels for o in early}
        # 15:00: messages sent by 09:00 (i * 12 s <= 3600 s: i = 0..300, 301 messages) and the
        # complaints among them (12.5 j <= 300: j = 0..24, 25 of them)
        later = {o.labels: o for o in signals.evaluate_all(wh, [rule], T0 + timedelta(hours=7)).observations}
        assert (later[wave_labels].detail["n"], later[wave_labels].detail["x"]) == (301, 25)
        # "late": 30 complaints arrived 8 h after their messages, beyond the 6 h horizon
        day = signals.evaluate_all(wh, [rule], T0 - timedelta(days=2)).observations
        late = {o.labels: o for o in day}[make_labels({"campaign": "late"})]
        assert (late.detail["n"], late.detail["x"]) == (300, 0)


def test_ack_releases_the_linter_but_the_sender_stays_paused_until_unpaused(
    wave: Path, wagate_cli: Cli
) -> None:
    settings = load_settings(wave, env={})
    check(settings, now=T0 + timedelta(hours=7))
    firing = check(settings, now=T0 + timedelta(hours=8)).alerts
    template_alert = next(a for a in firing if a.rule == "complaint_rate_by_template")

    acked = wagate_cli("alerts", "ack", template_alert.short_id, "--by", "li.wei")
    assert acked.code == 0, acked.stderr
    assert "acknowledged" in acked.stdout and "li.wei" in acked.stdout
    assert active_template_pauses(wave) == []  # the linter no longer blocks the template
    assert is_paused(wave, template="wave_tpl") is not None  # the sender still does not send it

    lifted = wagate_cli("alerts", "unpause", "--campaign", "wave")
    assert lifted.code == 0 and is_paused(wave, campaign="wave") is None
    again = wagate_cli("alerts", "unpause", "--campaign", "wave")
    assert again.code == 2 and "not paused" in again.stderr
    # both people's actions are in the audit trail; the refused second unpause is not
    trail = [(e.action, e.details) for e in audit.read(settings, action="alerts")]
    assert [action for action, _ in trail] == ["alerts.ack", "alerts.unpause"]
    assert audit.read(settings, action="alerts.ack")[0].operator == "li.wei"
    assert trail[1][1] == {"kind": "campaign", "name": "wave"}

    # the alert keeps firing in the same episode: a person lifted the pause, so it is not set again
    later = check(settings, now=T0 + timedelta(hours=9)).alerts
    assert {a.rule for a in later if a.state == "firing"} == COMPLAINT_RULES
    assert is_paused(wave, campaign="wave") is None
    listed = json.loads(wagate_cli("alerts", "list", "--format", "json").stdout)
    assert {a["id"]: a["acknowledged"] for a in listed}[template_alert.short_id] is True
    history = json.loads(wagate_cli("alerts", "list", "--history", "--format", "json").stdout)
    assert {"pending", "firing", "acknowledged"} <= {h["event"] for h in history}


def test_a_silence_mutes_notifications_and_stops_new_pauses(wave: Path) -> None:
    settings = load_settings(wave, env={})
    check(settings, now=T0 + timedelta(hours=7))
    with Warehouse.open_writer(settings.warehouse_path) as wh:
        store.add_silence(
            wh,
            "complaint_rate_by_campaign",
            make_labels({"campaign": "wave"}),
            T0,
            T0 + timedelta(hours=9),
            "li",
            "known test campaign",
        )
    result = check(settings, now=T0 + timedelta(hours=8))
    assert {r.rule: r.fingerprint in result.silenced for r in result.alerts} == {
        "complaint_rate_by_campaign": True,
        "complaint_rate_by_template": False,
    }
    assert is_paused(wave, campaign="wave") is None
    assert is_paused(wave, template="wave_tpl") is not None
    # the silence ends at 17:00; the next evaluation pauses the campaign
    check(settings, now=T0 + timedelta(hours=9, minutes=5))
    assert is_paused(wave, campaign="wave") is not None


def test_notifications_go_out_once_per_group_repeat_resolve_and_failures_are_recorded(wave: Path) -> None:
    settings = load_settings(wave, env={})
    secret = {"HOOK_SECRET": "abc"}
    with http_endpoint() as hook:
        channels = (
            ChannelConfig(name="hook", type="webhook", url=hook.url, secret_env="HOOK_SECRET"),
            ChannelConfig(name="dead", type="slack", url=f"http://127.0.0.1:{free_port()}/x"),
        )
        config = AlertsSettings(channels=channels, attempts=2, backoff_seconds=0)

        def run(hours: float) -> None:
            check(
                settings,
                now=T0 + timedelta(hours=hours),
                notify=True,
                env=secret,
                alerts_settings=config,
                sleep=lambda _s: None,
            )

        run(7)  # pending: nothing to say
        assert hook.received == []
        run(8)  # firing: one message per rule (group_by = rule)
        assert sorted(r.json()["alerts"][0]["rule"] for r in hook.received) == sorted(COMPLAINT_RULES)
        run(9)  # nothing new: no repeat before 4 h
        assert len(hook.received) == 2
        run(12)  # 4 h after the first notice: repeated
        assert len(hook.received) == 4
        # the wave leaves the window at 10:00 + 6 h + 24 h = 16:00 next day; keep_firing_for 1 h
        run(33)
        run(34.5)
        resolved = [r.json() for r in hook.received[4:]]
        assert {p["status"] for p in resolved} == {"resolved"}
        assert {p["alerts"][0]["rule"] for p in resolved} == COMPLAINT_RULES
    with Warehouse.open_reader(settings.warehouse_path) as wh:
        rows = wh.rows("SELECT channel, ok, count(*) FROM alerts.deliveries GROUP BY ALL ORDER BY ALL")
    assert rows == [("dead", False, 6), ("hook", True, 6)]


def test_rules_command_and_dry_run_store_nothing(wave: Path, wagate_cli: Cli) -> None:
    rules = json.loads(wagate_cli("alerts", "rules", "--format", "json").stdout)
    assert [r["rule"] for r in rules] == [r.name for r in resolve_rules(AlertsSettings())]
    rows = check_json(wagate_cli, "2025-06-10T16:00:00+00:00", "--dry-run")
    assert {a["state"] for a in rows} == {"pending"}
    assert not (wave / "pauses").exists()
    listed = wagate_cli("alerts", "list", "--format", "json")
    assert listed.code == 0 and json.loads(listed.stdout) == []


def test_without_a_warehouse_check_says_what_to_do(wagate_cli: Cli) -> None:
    result = wagate_cli("alerts", "check")
    assert result.code == 2
    assert "no warehouse" in result.stderr and "wagate ingest" in result.stderr
