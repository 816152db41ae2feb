"""The dry run: who gets what when, who is left out, cost from the rate card, duration; no full numbers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipelines.run import ingest
from sender.campaign import build_campaign
from sender.checks import PreSendChecks
from sender.dryrun import PlannedMessage, estimate_cost, plan_summary, render_json, render_text
from sender.gate import open_gate
from sender.pricing import load_rate_card
from tests.pipelines.bodies import text_reply, write_lines
from tests.sender.gate_inputs import DE_1, DE_2, IN_1, TUESDAY_14_UTC, contact, workspace, write_campaign

EVENING = datetime(2025, 6, 3, 18, 30, tzinfo=UTC)  # 20:30 in Berlin, 00:00 in India


def test_a_tiny_campaign_planned_costed_and_timed_by_hand(tmp_path: Path) -> None:
    settings = workspace(tmp_path)
    rows = [contact(DE_1), contact(DE_2, "ben"), contact("+49 151"), contact(IN_1, city="Pune")]
    plan = write_campaign(tmp_path / "in", rows, parameters='body = ["{{ first_name | title }}"]')
    gate = open_gate(plan, settings, accept_warnings=True, now=TUESDAY_14_UTC)
    campaign = build_campaign(gate, settings, dry_run=True)
    # Ben opts out after the lint: the pre-send check, not the lint, leaves him out
    write_lines(tmp_path / "hooks" / "h.ndjson", [text_reply("wamid.in", DE_2[1:], 1_748_950_000, "STOP")])
    ingest(settings, [tmp_path / "hooks"])
    checks = PreSendChecks(settings, campaign, now=EVENING)

    dry = plan_summary(campaign, gate, checks, settings, EVENING)

    planned = {(p.row, p.to): (p.at, p.deferred) for p in dry.planned}
    assert planned == {
        # Berlin is past 20:00: the courtesy window opens Wednesday 09:00 CEST = 07:00 UTC
        (1, "+49 151 ••• ••89"): (datetime(2025, 6, 4, 7, 0, tzinfo=UTC), "quiet-hours"),
        # India is at midnight: 09:00 IST = 03:30 UTC
        (4, "+91 987 ••• ••10"): (datetime(2025, 6, 4, 3, 30, tzinfo=UTC), "quiet-hours"),
    }
    assert [(e.row, e.codes, e.stage) for e in dry.left] == [
        (2, ("suppressed",), "pre-send"),
        (3, ("N001",), "lint"),
    ]
    assert dry.by_country == {"DE": 1, "IN": 1}
    assert dry.by_category == {"marketing": 2}
    # rate card: marketing DE 0.1365, IN 0.0118
    assert dry.cost.total == pytest.approx(0.1365 + 0.0118)
    assert dry.cost.by_country == pytest.approx({"DE": 0.1365, "IN": 0.0118})
    # from 18:30 to the last planned message (07:00) plus one 1/80 s slot
    assert dry.duration == timedelta(hours=12, minutes=30, seconds=1 / 80)

    text, data = render_text(dry), render_json(dry)
    for full in (DE_1, DE_2, IN_1, DE_1[1:], IN_1[1:]):
        assert full not in text and full not in data
    assert "estimate" in text and "USD 0.15" in text
    parsed = json.loads(data)
    assert parsed["estimated_cost"]["estimate"] is True
    assert parsed["estimated_cost"]["total"] == pytest.approx(0.1483)
    assert parsed["messages"] == 2 and parsed["deferred"] == 2 and parsed["excluded"] == 2


def test_the_rate_card_prices_markets_regions_and_the_rest(tmp_path: Path) -> None:
    at = datetime(2025, 6, 3, tzinfo=UTC)

    def planned(region: str | None, category: str) -> PlannedMessage:
        return PlannedMessage(1, "x", "t", "en", category, region, at)

    cost = estimate_cost(
        [
            planned("DE", "marketing"),  # its own market: 0.1365
            planned("IN", "utility"),  # 0.0014
            planned("AT", "marketing"),  # rest of Western Europe: 0.0592
            planned(None, "marketing"),  # other: 0.0604
            planned("US-FL", "authentication"),  # a subdivision is priced as its country: 0.0135
            planned("BR", "service"),  # free
        ],
        load_rate_card(),
    )
    assert cost.currency == "USD"
    assert cost.total == pytest.approx(0.1365 + 0.0014 + 0.0592 + 0.0604 + 0.0135)
    assert cost.by_category == pytest.approx(
        {"authentication": 0.0135, "marketing": 0.1365 + 0.0592 + 0.0604, "service": 0.0, "utility": 0.0014}
    )


def test_the_reach_tier_is_noted_when_the_run_would_hit_it(tmp_path: Path) -> None:
    settings = workspace(tmp_path, "[send]\nreach_tier = 250\n")
    plan = write_campaign(
        tmp_path / "in", [contact(DE_1), contact(DE_2, "ben")], parameters='body = ["{{ first_name }}"]'
    )
    gate = open_gate(plan, settings, accept_warnings=False, now=TUESDAY_14_UTC)
    campaign = build_campaign(gate, settings, dry_run=True)
    checks = PreSendChecks(settings, campaign, now=TUESDAY_14_UTC)
    dry = plan_summary(campaign, gate, checks, settings, TUESDAY_14_UTC, reach=249)
    assert [p.at for p in dry.planned] == [TUESDAY_14_UTC, TUESDAY_14_UTC + timedelta(seconds=1 / 80)]
    assert any("after about 1 messages" in note for note in dry.notes)
    assert plan_summary(campaign, gate, checks, settings, TUESDAY_14_UTC, reach=0).notes == ()
