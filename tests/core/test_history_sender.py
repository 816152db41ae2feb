"""What the sender asks the warehouse: today's reach, and receipts that echo its idempotency keys."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from core.config import load_settings
from core.history import CALLBACK_COLUMNS, WarehouseHistory
from pipelines.run import ingest
from tests.pipelines.bodies import send_row, status, write_lines

DE = "4915123456789"
BR = "5511987654321"
GB = "447400123456"
IN = "919876543210"
T0 = 1_760_000_000  # 2025-10-09 08:53:20 UTC


def test_reach_counts_distinct_recipients_of_accepted_or_held_sends(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "ws", env={})
    assert WarehouseHistory(settings).reach(datetime(2025, 1, 1, tzinfo=UTC)) == 0  # no warehouse yet
    write_lines(
        tmp_path / "in" / "send.jsonl",
        [
            send_row("wamid.1", "+" + DE, "2025-10-09T08:00:00+00:00"),
            send_row("wamid.2", "+" + DE, "2025-10-09T09:00:00+00:00", campaign="orders"),  # same person
            send_row("wamid.3", "+" + BR, "2025-10-09T09:30:00+00:00", outcome="held"),
            send_row("wamid.4", "+" + GB, "2025-10-09T10:00:00+00:00", outcome="rejected"),
            send_row("wamid.5", "+" + IN, "2025-10-08T07:00:00+00:00"),
        ],
    )
    ingest(settings, [tmp_path / "in"])
    history = WarehouseHistory(settings)
    assert history.reach(datetime(2025, 10, 9, tzinfo=UTC)) == 2  # DE and BR
    assert history.reach(datetime(2025, 10, 8, tzinfo=UTC)) == 3  # and IN
    assert history.reach(datetime(2025, 10, 10, tzinfo=UTC)) == 0


def test_callbacks_give_the_first_status_of_each_keyed_message(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "ws", env={})
    assert WarehouseHistory(settings).callbacks(["k1"]).schema == CALLBACK_COLUMNS
    write_lines(
        tmp_path / "in" / "hooks.ndjson",
        [
            status("wamid.1", "delivered", T0 + 5, DE, biz_opaque_callback_data="k1"),
            status("wamid.1", "sent", T0, DE, biz_opaque_callback_data="k1"),
            status("wamid.1", "sent", T0, DE, biz_opaque_callback_data="k1"),  # a duplicate delivery
            status("wamid.2", "delivered", T0 + 100, BR, biz_opaque_callback_data="k2"),  # `sent` skipped
            status("wamid.3", "read", T0 + 7, GB),  # no key
            status("wamid.4", "read", T0 + 9, IN, biz_opaque_callback_data="k4"),
            status("wamid.4", "delivered", T0 + 9, IN, biz_opaque_callback_data="k4"),  # same second
            status("wamid.5", "failed", T0 + 3, GB, code=131026, biz_opaque_callback_data="other"),
        ],
    )
    ingest(settings, [tmp_path / "in"])
    found = WarehouseHistory(settings).callbacks(["k1", "k2", "k3", "k4", "k1"])
    assert found.rows() == [
        ("k1", "wamid.1", "sent", datetime(2025, 10, 9, 8, 53, 20, tzinfo=UTC)),
        ("k2", "wamid.2", "delivered", datetime(2025, 10, 9, 8, 55, 0, tzinfo=UTC)),  # T0 + 100 s
        ("k4", "wamid.4", "delivered", datetime(2025, 10, 9, 8, 53, 29, tzinfo=UTC)),  # delivered before read
    ]
    assert WarehouseHistory(settings).callbacks([]).is_empty()
