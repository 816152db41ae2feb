"""What reaches the API: the rendered parameters, and the event-based idempotency key."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

from sender.client import CallResult, ClientOptions, CloudApiClient
from tests.sender.sendkit import PHONE_NUMBER_ID, TOKEN, emulator
from tests.triggers.kit import ANA, draft_files, event, workspace, write_inputs
from triggers.dispatch import Dispatcher, message_key
from triggers.events import parse_event
from triggers.mapping import load_mapping


class Recording:
    """The real client, remembering every message body."""

    def __init__(self, inner: CloudApiClient) -> None:
        self.inner = inner
        self.url = inner.url
        self.payloads: list[dict[str, Any]] = []

    async def preflight(self) -> CallResult:
        return await self.inner.preflight()

    async def send(self, payload: dict[str, Any]) -> CallResult:
        self.payloads.append(payload)
        return await self.inner.send(payload)


def test_the_message_carries_the_rendered_values_and_a_key_made_from_the_event_id(tmp_path: Path) -> None:
    mapping = write_inputs(tmp_path / "in")
    data = event("evt-77", phone=ANA, name="Ana Lima", order_id="A-4711", language="de")
    with emulator(draft_files(tmp_path / "in")) as emu:
        settings = workspace(tmp_path, emu.base_url)

        async def run() -> tuple[str, Recording]:
            options = ClientOptions(emu.base_url, "v25.0", PHONE_NUMBER_ID, TOKEN, 4, 5.0, 5.0, 5.0, 5.0)
            client = Recording(CloudApiClient(options))
            try:
                dispatcher = dataclasses.replace(Dispatcher(load_mapping(mapping), settings), client=client)
                outcome = await dispatcher.dispatch(parse_event(data))
            finally:
                await client.inner.aclose()
            return outcome.status, client

        status, client = asyncio.run(run())
    assert status == "sent"
    [payload] = client.payloads
    assert payload["to"] == ANA
    assert payload["template"]["name"] == "order_shipped"
    assert payload["template"]["language"]["code"] == "de"
    [body] = [c for c in payload["template"]["components"] if c["type"] == "body"]
    assert [p["text"] for p in body["parameters"]] == ["Ana", "A-4711"]
    assert payload["biz_opaque_callback_data"] == message_key("trigger:order.shipped", "evt-77")
