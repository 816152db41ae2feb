"""Account states refuse every send with their code, set by the handle, the admin API or the profile."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from sender.emulator import EmulatorHandle, running_emulator
from tests.sender.emulator.conftest import MESSAGES, TOKEN, config, quiet, template_body
from tests.sender.emulator.test_validation import assert_error


@pytest.mark.parametrize(
    ("state", "code", "status"),
    [
        ("restricted", 368, 400),
        ("locked", 131031, 400),
        ("token_expired", 190, 401),
        ("payment", 131042, 400),
    ],
)
def test_each_account_state_refuses_sends_until_ok_again(
    emulator: EmulatorHandle, client: httpx.Client, state: str, code: int, status: int
) -> None:
    assert client.post(MESSAGES, json=template_body(to="+4915100000001")).status_code == 200
    emulator.set_account_state(state)
    assert_error(client.post(MESSAGES, json=template_body(to="+4915100000002")), code, status=status)
    emulator.set_account_state("ok")
    assert client.post(MESSAGES, json=template_body(to="+4915100000003")).status_code == 200
    assert [m.to for m in emulator.messages()] == ["+4915100000001", "+4915100000003"]


def test_an_expired_token_also_refuses_reads(emulator: EmulatorHandle, client: httpx.Client) -> None:
    emulator.set_account_state("token_expired")
    assert_error(
        client.get("/v25.0/106540352242922?fields=throughput"), 190, status=401, details="Session has expired"
    )


def test_the_admin_api_sets_the_state_and_needs_the_token(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    refused = httpx.post(f"{emulator.base_url}/_emulator/account", json={"state": "locked"})
    assert refused.status_code == 401
    assert client.post("/_emulator/account", json={"state": "banana"}).status_code == 400
    assert client.post("/_emulator/account", json={"state": "locked"}).json() == {"state": "locked"}
    assert_error(client.post(MESSAGES, json=template_body()), 131031)


def test_a_profile_can_restrict_the_account_after_n_accepted_messages(
    template_files: tuple[Path, ...],
) -> None:
    profile = quiet(account={"after_accepted": 3, "then": "restricted"})
    with (
        running_emulator(config(template_files, profile=profile, throughput_mps=1000)) as emulator,
        httpx.Client(base_url=emulator.base_url, headers={"authorization": f"Bearer {TOKEN}"}) as http,
    ):
        answers = [http.post(MESSAGES, json=template_body(to=f"+491510000000{i}")) for i in range(5)]
        assert [r.status_code for r in answers] == [200, 200, 200, 400, 400]
        assert {r.json()["error"]["code"] for r in answers[3:]} == {368}
