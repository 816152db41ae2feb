"""The warehouse answers the linter's questions by number, never storing the numbers in core."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from core.config import load_settings
from core.history import WarehouseHistory
from pipelines.run import ingest
from tests.pipelines.bodies import preference, send_row, status, text_reply, write_lines

DE = "4915123456789"
BR = "5511987654321"


def test_suppression_and_sends_come_back_by_number(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "ws", env={})
    write_lines(
        tmp_path / "in" / "hooks.ndjson",
        [
            status("wamid.1", "read", 1_760_000_000, DE),
            text_reply("wamid.in1", DE, 1_760_000_600, "STOP", context="wamid.1"),  # opts out of everything
            status("wamid.2", "delivered", 1_760_000_000, BR),
            preference(BR, "stop", 1_760_000_900),  # stops marketing only
        ],
    )
    write_lines(
        tmp_path / "in" / "send.jsonl",
        [
            send_row("wamid.1", "+" + DE, "2025-10-09T08:53:00+00:00"),
            send_row("wamid.2", "+" + BR, "2025-10-09T08:53:00+00:00", campaign="orders", category="utility"),
        ],
    )
    ingest(settings, [tmp_path / "in"])
    history = WarehouseHistory(settings)
    numbers = pl.Series(["+" + DE, "+" + BR, "+442071838750", None])

    suppressed = history.suppressed(numbers).sort("e164")
    assert suppressed.select("e164", "scope", "reason").rows() == [
        ("+" + DE, "all", "keyword"),
        ("+" + BR, "marketing", "user_preferences"),
    ]
    # 1_760_000_000 is 2025-10-09 08:53:20 UTC: the STOP came 600 s later, the preference 900 s later
    assert suppressed["suppressed_at"].to_list() == [
        datetime(2025, 10, 9, 9, 3, 20, tzinfo=UTC),
        datetime(2025, 10, 9, 9, 8, 20, tzinfo=UTC),
    ]

    sends = history.sends(numbers, since=datetime(2025, 10, 1, tzinfo=UTC)).sort("e164")
    assert sends.select("e164", "category", "template").rows() == [
        ("+" + DE, "marketing", "promo_tpl"),
        ("+" + BR, "utility", "orders_tpl"),
    ]
    assert history.sends(numbers, since=datetime(2025, 10, 10, tzinfo=UTC)).is_empty()
    assert history.suppressed(pl.Series([], dtype=pl.String)).is_empty()


def test_last_inbound_is_each_numbers_latest_own_message(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "ws", env={})
    history = WarehouseHistory(settings)
    # before anything was ingested there is no warehouse: nobody wrote
    assert history.last_inbound(pl.Series(["+" + DE])).is_empty()
    write_lines(
        tmp_path / "in" / "hooks.ndjson",
        [
            text_reply("wamid.in1", DE, 1_760_000_000, "Where is my order?"),
            text_reply("wamid.in2", DE, 1_760_003_600, "Thanks!"),
            status("wamid.2", "delivered", 1_760_000_000, BR),  # a receipt is not a message from BR
        ],
    )
    ingest(settings, [tmp_path / "in"])
    found = history.last_inbound(pl.Series(["+" + DE, "+" + BR, None]))
    # 1_760_003_600 is 2025-10-09 09:53:20 UTC, the later of DE's two messages
    assert found.rows() == [("+" + DE, datetime(2025, 10, 9, 9, 53, 20, tzinfo=UTC))]
