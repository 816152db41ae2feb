"""The whole path: the emulator's signed webhooks land at the real receiver and ingest loads them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.config import Settings, load_settings
from core.warehouse import Warehouse
from pipelines.receiver import ReceiverOptions
from pipelines.run import ingest
from sender.emulator import running_emulator
from tests.pipelines.bodies import send_row, write_lines
from tests.receiver.conftest import serve_in_thread
from tests.sender.emulator.conftest import PHONE_ID, SECRET, config, fast, send_all, template_body

RECIPIENTS = [f"+4915100005{i:03d}" for i in range(30)]


def rows(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    with Warehouse.open_reader(settings.warehouse_path) as wh:
        return wh.rows(sql)


def test_the_receiver_accepts_every_webhook_and_ingest_joins_statuses_by_wamid(
    template_files: tuple[Path, ...], workspace: Path
) -> None:
    settings = load_settings(workspace, env={})
    options = ReceiverOptions(landing_dir=settings.landing_path, app_secrets=(SECRET,), access_log=False)
    profile = fast(
        failures={"unreachable": 0.1},
        delivery={"read": 0.7, "duplicate": 0.2},
        engagement={"reply": 0.2, "stop_text": 0.1, "button": 0.1},
        quality={"enabled": False},
    )
    with (
        serve_in_thread(options) as receiver,
        running_emulator(
            config(template_files, f"{receiver.url}/webhook", profile=profile, throughput_mps=1000)
        ) as emulator,
    ):
        answers = send_all(emulator.base_url, [template_body(to=to) for to in RECIPIENTS])
        assert emulator.drain(30)
        stats = emulator.webhook_stats()
        accepted = emulator.messages()
    # the receiver answered 200 to every body: nothing retried, nothing given up
    assert stats.retried == 0 and stats.failed == 0 and stats.sent > len(RECIPIENTS)
    assert [a.status_code for a in answers] == [200] * len(RECIPIENTS)
    log = write_lines(
        workspace / "sendlog" / "send.jsonl",
        [
            send_row(m.wamid, m.to, m.accepted_at.isoformat(), campaign="spring", phone_number_id=PHONE_ID)
            for m in accepted
        ],
    )
    report = ingest(settings, [settings.landing_path, log])
    assert report.quarantined == 0
    wamids = {m.wamid for m in accepted}
    landed = {w for (w,) in rows(settings, "SELECT DISTINCT wamid FROM raw.status_events")}
    assert landed == wamids
    # every message is joined to its send-log row: none is unattributed
    messages = rows(settings, "SELECT wamid, campaign, outcome FROM core.messages")
    assert {w for w, _, _ in messages} == wamids
    assert {(c, o) for _, c, o in messages} == {("spring", "accepted")}
    # what the core says happened is what the webhooks said
    failed = {
        w for (w,) in rows(settings, "SELECT DISTINCT wamid FROM raw.status_events WHERE status = 'failed'")
    }
    read = {
        w for (w,) in rows(settings, "SELECT DISTINCT wamid FROM raw.status_events WHERE status = 'read'")
    }
    assert {w for (w,) in rows(settings, "SELECT wamid FROM core.messages WHERE failed")} == failed
    assert {w for (w,) in rows(settings, "SELECT wamid FROM core.messages WHERE read")} == read
    assert failed and read
    inbound = rows(settings, "SELECT count(*) FROM raw.inbound_messages")[0][0]
    assert inbound > 0
