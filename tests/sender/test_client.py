"""The Cloud API client against the emulator over loopback HTTP: answers, errors, and what is unknown."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.errors import InputError
from sender.client import CallResult, ClientOptions, CloudApiClient, Kind, parse_response
from sender.emulator import EmulatorHandle
from tests.sender.faults import Slow, fault_proxy
from tests.sender.sendkit import PHONE_NUMBER_ID, TOKEN, UTILITY, emulator

TO = "+4915120000001"


def payload(to: str = TO, template: str = "order_shipped", key: str = "k-1") -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": {
            "name": template,
            "language": {"code": "en_US"},
            "components": [
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": "Ana"}, {"type": "text", "text": "A-1"}],
                }
            ],
        },
        "biz_opaque_callback_data": key,
    }


def options(base_url: str, *, token: str = TOKEN, read_timeout: float = 10.0) -> ClientOptions:
    return ClientOptions(
        base_url=base_url,
        version="v25.0",
        phone_number_id=PHONE_NUMBER_ID,
        token=token,
        concurrency=4,
        connect_timeout=2.0,
        read_timeout=read_timeout,
        write_timeout=2.0,
        pool_timeout=2.0,
    )


def call(opts: ClientOptions, body: dict[str, Any]) -> CallResult:
    async def run() -> CallResult:
        async with CloudApiClient(opts) as client:
            return await client.send(body)

    return asyncio.run(run())


@pytest.fixture(scope="module")
def emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorHandle]:
    draft = tmp_path_factory.mktemp("drafts") / "order_shipped.json"
    draft.write_text(json.dumps(UTILITY), encoding="utf-8")
    with emulator([draft]) as handle:
        yield handle


def test_an_accepted_message_comes_back_with_its_wamid_and_the_key_reaches_the_api(
    emu: EmulatorHandle,
) -> None:
    result = call(options(emu.base_url), payload(key="key-accepted"))
    assert result.kind is Kind.ACCEPTED
    assert result.http_status == 200
    mine = [m for m in emu.messages() if m.callback_data == "key-accepted"]
    assert [m.wamid for m in mine] == [result.wamid]
    assert mine[0].to == TO


def test_an_error_answer_is_read_by_its_meta_code(emu: EmulatorHandle) -> None:
    result = call(options(emu.base_url), payload(template="no_such_template"))
    assert result.kind is Kind.ERROR
    assert result.error_code == 132001
    assert result.error_title and not result.error_title.startswith("(#")
    assert result.wamid == ""


def test_a_bad_token_is_error_190(emu: EmulatorHandle) -> None:
    result = call(options(emu.base_url, token="wrong-token"), payload())
    assert (result.kind, result.error_code, result.http_status) == (Kind.ERROR, 190, 401)


def test_the_pre_flight_get_answers_for_the_sending_number(emu: EmulatorHandle) -> None:
    async def run() -> tuple[CallResult, CallResult]:
        async with (
            CloudApiClient(options(emu.base_url)) as good,
            CloudApiClient(options(emu.base_url, token="x")) as bad,
        ):
            return await good.preflight(), await bad.preflight()

    good, bad = asyncio.run(run())
    assert good.kind is Kind.ACCEPTED
    assert (bad.kind, bad.error_code) == (Kind.ERROR, 190)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_refused_connection_means_the_request_never_left() -> None:
    result = call(options(f"http://127.0.0.1:{_closed_port()}"), payload())
    assert result.kind is Kind.NOT_SENT
    assert "ConnectError" in result.note


def test_an_answer_slower_than_the_read_timeout_leaves_the_outcome_unknown(emu: EmulatorHandle) -> None:
    with fault_proxy(emu.base_url) as proxy:
        proxy.script(TO, Slow(1.5))
        result = call(options(proxy.base_url, read_timeout=0.5), payload(key="key-slow"))
    assert result.kind is Kind.UNKNOWN
    assert "ReadTimeout" in result.note
    # the emulator did accept it: exactly why the sender must not simply send it again
    assert [m.callback_data for m in emu.messages()].count("key-slow") == 1


def test_no_token_is_a_one_line_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="WAGATE_ACCESS_TOKEN is not set"):
        CloudApiClient(options("http://127.0.0.1:9", token=""))


def test_held_for_quality_assessment_is_held_and_a_2xx_without_an_id_is_not_a_send() -> None:
    held = b'{"messaging_product":"whatsapp","contacts":[{"input":"49151","wa_id":"49151"}],"messages":[{"id":"wamid.H","message_status":"held_for_quality_assessment"}]}'
    assert parse_response(200, held) == CallResult(Kind.HELD, 200, wamid="wamid.H")
    assert parse_response(200, b"{}").kind is Kind.UNKNOWN


def test_error_bodies_as_meta_writes_them() -> None:
    body = b'{"error":{"message":"(#131047) Re-engagement message","type":"OAuthException","code":131047,"error_data":{"messaging_product":"whatsapp","details":"Message failed to send because more than 24 hours have passed"},"fbtrace_id":"Az8"}}'
    result = parse_response(400, body)
    assert (result.error_code, result.error_title) == (131047, "Re-engagement message")
    assert result.error_details.startswith("Message failed to send")
    bare = parse_response(502, b"<html>Bad Gateway</html>")
    assert (bare.kind, bare.error_code, bare.error_title) == (Kind.ERROR, None, "HTTP 502")
