"""The example in docs/examples/triggers/ works as documented."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.sender.sendkit import emulator
from tests.triggers.kit import workspace
from triggers.dispatch import Dispatcher
from triggers.events import read_event_file
from triggers.intake import Intake
from triggers.journal import Journal
from triggers.mapping import load_mapping

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "triggers"


def test_the_example_events_send_a_confirmation_and_a_german_shipping_update(tmp_path: Path) -> None:
    with emulator(sorted(EXAMPLES.glob("*.json"))) as emu:
        settings = workspace(tmp_path, emu.base_url)
        runner = Intake(
            Dispatcher(load_mapping(EXAMPLES / "triggers.toml"), settings), Journal(tmp_path / "j")
        )
        outcomes = []
        for record in read_event_file(EXAMPLES / "events.ndjson"):
            admitted = runner.admit(record.data, "native")
            assert admitted.event is not None, admitted.reason
            outcomes.append(asyncio.run(runner.run(admitted.event)))
        messages = emu.messages()
    assert [(o.event_id, o.status, o.template, o.language) for o in outcomes] == [
        ("evt-1001-created", "sent", "order_confirmed", "en_US"),
        ("evt-1001-shipped", "sent", "order_shipped", "de"),
    ]
    assert [(m.template, m.language) for m in messages] == [
        ("order_confirmed", "en_US"),
        ("order_shipped", "de"),
    ]
