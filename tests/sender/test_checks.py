"""Pre-send checks: suppression re-read from new snapshots, pause flags, quiet hours at send time, caps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

from core.config import Settings
from core.errors import WarehouseBusyError
from core.pauses import Pause, write_flag
from lint.history import SENDS_SCHEMA, SUPPRESSION_SCHEMA
from pipelines.run import ingest
from sender.checks import PreSendChecks
from sender.model import Campaign, Category, Message, PassingReport, Verdict
from sender.suppressions import suppression_id
from tests.pipelines.bodies import preference, status, text_reply, write_lines
from tests.sender.gate_inputs import DE_1, DE_2, workspace

TUESDAY = datetime(2025, 6, 3, 14, 0, tzinfo=UTC)
BR = "+5511987654321"
AE = "+971501234567"


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def message(
    to: str,
    *,
    template: str = "spring_sale",
    category: Category = "marketing",
    region: str | None = "DE",
    zones: tuple[str, ...] = ("Europe/Berlin",),
    windows: tuple[str, ...] = (),
) -> Message:
    return Message(
        key=f"k-{to}-{template}",
        row=1,
        to=to,
        region=region,
        time_zones=zones,
        campaign="spring",
        template=template,
        language="en_US",
        category=category,
        payload={},
        quiet_windows=windows,
    )


def campaign(*messages: Message, known: frozenset[str] = frozenset()) -> Campaign:
    report = PassingReport(digest="d" * 64, errors=0, warnings=0, warnings_accepted=False, at=TUESDAY)
    return Campaign(
        name="spring",
        plan_path=Path("campaign.toml"),
        phone_number_id="106540352242922",
        messages=messages,
        exclusions=(),
        report=report,
        known_suppressions=known,
    )


class FakeHistory:
    """Sends and suppressions given by the test."""

    def __init__(self, sends: list[tuple[str, datetime, str, str]] | None = None) -> None:
        rows = [{"e164": e, "sent_at": at, "category": c, "template": t} for e, at, c, t in sends or []]
        self._sends = pl.DataFrame(rows, schema=SENDS_SCHEMA)

    def suppressed(self, numbers: pl.Series) -> pl.DataFrame:
        return pl.DataFrame(schema=SUPPRESSION_SCHEMA)

    def sends(self, numbers: pl.Series, since: datetime) -> pl.DataFrame:
        return self._sends.filter(pl.col("e164").is_in(numbers.implode()) & (pl.col("sent_at") >= since))


def _ingest(settings: Settings, folder: Path, records: list[object]) -> None:
    write_lines(folder / "hooks.ndjson", records)  # type: ignore[arg-type]
    ingest(settings, [folder])


# -- suppression -----------------------------------------------------------------------------


def test_an_opt_out_in_a_new_snapshot_stops_further_sends(tmp_path: Path) -> None:
    settings = workspace(tmp_path)
    _ingest(settings, tmp_path / "load1", [status("wamid.0", "delivered", 1_748_000_000, "4930123456")])
    clock = Clock()
    ana, ben = message(DE_1), message(DE_2)
    checks = PreSendChecks(settings, campaign(ana, ben), clock=clock, refresh_seconds=5, now=TUESDAY)
    assert checks.check(ana, TUESDAY) == Verdict.send()

    # Ana replies STOP; the next load publishes a new snapshot
    _ingest(settings, tmp_path / "load2", [text_reply("wamid.in1", DE_1[1:], 1_748_950_000, "STOP")])
    clock.now += 1  # the snapshot is looked at no more than every 5 s
    assert checks.check(ana, TUESDAY) == Verdict.send()
    clock.now += 5
    verdict = checks.check(ana, TUESDAY)
    assert (verdict.kind, verdict.code) == ("skip", "suppressed")
    assert DE_1 not in verdict.reason
    assert checks.check(ben, TUESDAY) == Verdict.send()
    assert checks.reloads == 2


def test_an_opt_out_the_lint_already_judged_does_not_block(tmp_path: Path) -> None:
    settings = workspace(tmp_path)
    # 1_748_000_000 is 2025-05-23 11:33:20 UTC
    _ingest(settings, tmp_path / "load", [text_reply("wamid.in1", DE_2[1:], 1_748_000_000, "STOP")])
    judged = suppression_id(DE_2, datetime(2025, 5, 23, 11, 33, 20, tzinfo=UTC), "all", "keyword")
    ben = message(DE_2)
    assert PreSendChecks(settings, campaign(ben), now=TUESDAY).check(ben, TUESDAY).code == "suppressed"
    assert (
        PreSendChecks(settings, campaign(ben, known=frozenset({judged})), now=TUESDAY).check(ben, TUESDAY)
        == Verdict.send()
    )


def test_a_marketing_opt_out_does_not_stop_utility_messages(tmp_path: Path) -> None:
    settings = workspace(tmp_path)
    _ingest(settings, tmp_path / "load", [preference(BR[1:], "stop", 1_748_000_000)])
    promo = message(BR, region="BR", zones=("America/Sao_Paulo",))
    update = message(
        BR, template="order_update", category="utility", region="BR", zones=("America/Sao_Paulo",)
    )
    checks = PreSendChecks(settings, campaign(promo, update), now=TUESDAY)
    assert checks.check(promo, TUESDAY).code == "suppressed"
    assert checks.check(update, TUESDAY) == Verdict.send()


# -- pause flags -----------------------------------------------------------------------------


def _pause(kind: str, name: str) -> Pause:
    return Pause(
        kind=kind, name=name, paused_at="2025-06-03T13:00:00+00:00", by="alerts", reason="block rate 4%"
    )


def test_a_pause_flag_defers_without_an_end_and_is_read_at_most_every_half_second(tmp_path: Path) -> None:
    settings = workspace(tmp_path)
    clock = Clock()
    ana = message(DE_1)
    checks = PreSendChecks(settings, campaign(ana), clock=clock, now=TUESDAY)
    assert checks.check(ana, TUESDAY) == Verdict.send()
    write_flag(settings.workspace, _pause("campaign", "spring"))
    clock.now += 0.2
    assert checks.check(ana, TUESDAY) == Verdict.send()  # still the answer read 0.2 s ago
    clock.now += 0.4
    verdict = checks.check(ana, TUESDAY)
    assert (verdict.kind, verdict.code, verdict.until) == ("defer", "paused", None)
    assert "block rate 4%" in verdict.reason


def test_a_template_pause_stops_that_template_only(tmp_path: Path) -> None:
    settings = workspace(tmp_path)
    write_flag(settings.workspace, _pause("template", "spring_sale"))
    promo, update = message(DE_1), message(DE_2, template="order_update", category="utility")
    checks = PreSendChecks(settings, campaign(promo, update), now=TUESDAY)
    assert checks.check(promo, TUESDAY).code == "paused"
    assert checks.check(update, TUESDAY) == Verdict.send()


# -- quiet hours -----------------------------------------------------------------------------


def _quiet(settings: Settings, msg: Message, at: datetime) -> Verdict:
    return PreSendChecks(settings, campaign(msg), now=at).check(msg, at)


def test_quiet_hours_defer_to_the_windows_opening_in_two_countries(tmp_path: Path) -> None:
    settings = workspace(tmp_path)
    bogota = message("+573001234567", region="CO", zones=("America/Bogota",), windows=("CO",))
    # Saturday 2025-06-07 21:00 UTC is 16:00 in Bogota: Saturday's window closed at 15:00 and
    # Sunday is closed, so Monday 07:00 Bogota (UTC-5) = 12:00 UTC
    verdict = _quiet(settings, bogota, datetime(2025, 6, 7, 21, 0, tzinfo=UTC))
    assert (verdict.kind, verdict.code) == ("defer", "quiet-hours")
    assert verdict.until == datetime(2025, 6, 9, 12, 0, tzinfo=UTC)
    # Tuesday 14:00 UTC is 09:00 in Bogota: inside Mon-Fri 07:00-19:00
    assert _quiet(settings, bogota, TUESDAY) == Verdict.send()

    delhi = message("+919876543210", region="IN", zones=("Asia/Kolkata",), windows=("IN",))
    # 16:00 UTC is 21:30 IST: the window closed at 21:00; 09:00 IST (UTC+5:30) = 03:30 UTC
    verdict = _quiet(settings, delhi, datetime(2025, 6, 3, 16, 0, tzinfo=UTC))
    assert verdict.until == datetime(2025, 6, 4, 3, 30, tzinfo=UTC)


def test_every_zone_and_every_window_must_allow(tmp_path: Path) -> None:
    settings = workspace(tmp_path)
    both = ("America/New_York", "America/Los_Angeles")
    us = message("+14155550100", region="US", zones=both, windows=("US",))
    # 01:00 UTC = 21:00 New York (closed) / 18:00 Los Angeles; New York opens at 12:00 UTC but Los
    # Angeles is at 05:00 then; Los Angeles opens 08:00 PDT = 15:00 UTC, 11:00 in New York
    verdict = _quiet(settings, us, datetime(2025, 6, 4, 1, 0, tzinfo=UTC))
    assert verdict.until == datetime(2025, 6, 4, 15, 0, tzinfo=UTC)

    florida = message("+13055550100", region="US", zones=("America/New_York",), windows=("US", "US-FL"))
    # 00:30 UTC = 20:30 EDT: federal hours allow it (until 21:00), Florida's (until 20:00) do not
    verdict = _quiet(settings, florida, datetime(2025, 6, 4, 0, 30, tzinfo=UTC))
    assert verdict.until == datetime(2025, 6, 4, 12, 0, tzinfo=UTC)


def test_windows_that_never_meet_skip_the_message(tmp_path: Path) -> None:
    settings = workspace(tmp_path)
    # Rhode Island hours (Mon-Fri 09-18, Sat 10-17) in New York and Tokyo, 13 hours apart: never both
    odd = message("+14015550100", region="US", zones=("America/New_York", "Asia/Tokyo"), windows=("US-RI",))
    verdict = _quiet(settings, odd, TUESDAY)
    assert (verdict.kind, verdict.code) == ("skip", "quiet-hours")


def test_messages_without_windows_are_not_held(tmp_path: Path) -> None:
    settings = workspace(tmp_path)
    update = message(DE_1, category="utility")
    assert _quiet(settings, update, datetime(2025, 6, 8, 3, 0, tzinfo=UTC)) == Verdict.send()  # Sunday night


# -- frequency caps --------------------------------------------------------------------------


def test_the_weekly_marketing_cap_counts_history_and_this_run(tmp_path: Path) -> None:
    settings = workspace(tmp_path)
    promo = message(DE_1)
    update = message(DE_1, template="order_update", category="utility")
    two_days_ago = TUESDAY - timedelta(days=2)
    history = FakeHistory([(DE_1, two_days_ago, "marketing", "earlier_promo")])
    checks = PreSendChecks(settings, campaign(promo, update), history=history, now=TUESDAY)
    # one marketing message in 7 days + this one = 2: the default cap (F004: 2 per 7 days) allows it
    assert checks.check(promo, TUESDAY) == Verdict.send()
    checks.record_sent(promo, TUESDAY)
    later = TUESDAY + timedelta(minutes=1)
    verdict = checks.check(promo, later)
    assert (verdict.kind, verdict.code) == ("skip", "F004")
    assert checks.check(update, later) == Verdict.send()  # the cap is about marketing


def test_a_send_of_this_run_already_in_the_warehouse_counts_once(tmp_path: Path) -> None:
    settings = workspace(tmp_path)
    promo = message(DE_1)
    sent_at = TUESDAY - timedelta(hours=1)
    history = FakeHistory([(DE_1, sent_at + timedelta(seconds=1), "marketing", "spring_sale")])
    checks = PreSendChecks(settings, campaign(promo), history=history, now=TUESDAY)
    checks.record_sent(promo, sent_at)
    assert checks.check(promo, TUESDAY) == Verdict.send()  # 1 earlier + this one = 2


def test_country_recontact_limits_apply_by_region(tmp_path: Path) -> None:
    settings = workspace(tmp_path)
    dubai = message(AE, region="AE", zones=("Asia/Dubai",))
    ten_hours_ago = FakeHistory([(AE, TUESDAY - timedelta(hours=10), "marketing", "earlier_promo")])
    verdict = PreSendChecks(settings, campaign(dubai), history=ten_hours_ago, now=TUESDAY).check(
        dubai, TUESDAY
    )
    assert (verdict.kind, verdict.code) == ("skip", "F002")  # UAE: 1 marketing message per day

    yesterday = FakeHistory([(AE, TUESDAY - timedelta(hours=25), "marketing", "earlier_promo")])
    checks = PreSendChecks(settings, campaign(dubai), history=yesterday, now=TUESDAY)
    assert checks.check(dubai, TUESDAY) == Verdict.send()


class FlakyHistory(FakeHistory):
    """A warehouse that is busy on every read after the first."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def suppressed(self, numbers: pl.Series) -> pl.DataFrame:
        self.calls += 1
        if self.calls > 1:
            raise WarehouseBusyError("warehouse in use by another process")
        return pl.DataFrame(
            [{"e164": DE_1, "suppressed_at": TUESDAY, "scope": "all", "reason": "keyword"}],
            schema=SUPPRESSION_SCHEMA,
        )


def test_a_busy_warehouse_keeps_the_last_list_instead_of_stopping_the_campaign(tmp_path: Path) -> None:
    settings = workspace(tmp_path)
    _ingest(settings, tmp_path / "load1", [status("wamid.0", "delivered", 1_748_000_000, "4930123456")])
    clock = Clock()
    ana, ben = message(DE_1), message(DE_2)
    history = FlakyHistory()
    checks = PreSendChecks(
        settings, campaign(ana, ben), history=history, clock=clock, refresh_seconds=5, now=TUESDAY
    )
    _ingest(settings, tmp_path / "load2", [status("wamid.1", "delivered", 1_748_000_100, "4930123456")])
    clock.now += 5
    assert checks.check(ben, TUESDAY) == Verdict.send()  # the reload failed, nothing raised
    assert checks.check(ana, TUESDAY).code == "suppressed"  # the list read before still holds
    assert history.calls == 2
