"""The loop closes: a STOP that arrives in receipts blocks the next campaign to that person."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.conftest import CliResult
from tests.lint.helpers import CONFIGURED_TOML, GOOD_CONTACTS, write_draft, write_text
from tests.pipelines.bodies import send_row, status, text_reply, write_lines

Cli = Callable[..., CliResult]
TUESDAY = "2025-06-03T10:00:00Z"
NUMBER = "+4915123456789"  # the consenting contact of GOOD_CONTACTS


def findings(result: CliResult) -> set[tuple[str, int]]:
    return {(f["code"], f["target"].get("row")) for f in json.loads(result.stdout)["findings"]}


def test_an_opt_out_in_receipts_blocks_the_next_lint(
    tmp_path: Path, workspace: Path, wagate_cli: Cli
) -> None:
    (workspace / "wagate.toml").write_text(CONFIGURED_TOML, encoding="utf-8")
    draft = write_draft(tmp_path)
    contacts = write_text(tmp_path, "contacts.csv", GOOD_CONTACTS)
    lint = ("lint", str(draft), "--contacts", str(contacts), "--at", TUESDAY, "--format", "json")
    before = wagate_cli(*lint)
    assert before.code == 0 and findings(before) == set()

    # the person answers an earlier campaign with STOP; the receipts are ingested
    write_lines(
        tmp_path / "in" / "hooks.ndjson",
        [
            status("wamid.1", "read", 1_748_000_000, NUMBER.lstrip("+")),
            text_reply("wamid.in1", NUMBER.lstrip("+"), 1_748_000_600, "STOP", context="wamid.1"),
        ],
    )
    write_lines(tmp_path / "in" / "send.jsonl", [send_row("wamid.1", NUMBER, "2025-05-23T11:33:00+00:00")])
    assert wagate_cli("ingest", str(tmp_path / "in")).code == 0

    after = wagate_cli(*lint)
    assert after.code == 1
    assert ("O003", 1) in findings(after)


def test_a_template_paused_by_a_firing_alert_blocks_the_next_lint(
    tmp_path: Path, workspace: Path, wagate_cli: Cli
) -> None:
    from core.pauses import Pause, PauseAlert, write_flag

    draft = write_draft(tmp_path)  # the template "spring_sale"
    contacts = write_text(tmp_path, "contacts.csv", GOOD_CONTACTS)
    lint = ("lint", str(draft), "--contacts", str(contacts), "--at", TUESDAY, "--format", "json")
    alert = PauseAlert(id="a1", rule="complaint_rate_template", state="firing")
    write_flag(
        workspace,
        Pause("template", "spring_sale", "2025-06-03T09:00:00+00:00", "alerts", "complaints", (alert,)),
    )
    blocked = wagate_cli(*lint)
    assert blocked.code == 1 and ("S006", None) in findings(blocked)

    # acknowledged: the alert no longer blocks new sends
    acked = PauseAlert(id="a1", rule="complaint_rate_template", state="firing", acknowledged=True)
    write_flag(
        workspace,
        Pause("template", "spring_sale", "2025-06-03T09:00:00+00:00", "alerts", "complaints", (acked,)),
    )
    assert wagate_cli(*lint).code == 0


def test_a_reply_flagged_for_review_blocks_the_next_lint_until_resolved(
    tmp_path: Path, workspace: Path, wagate_cli: Cli
) -> None:
    (workspace / "wagate.toml").write_text(CONFIGURED_TOML, encoding="utf-8")
    draft = write_draft(tmp_path)
    contacts = write_text(tmp_path, "contacts.csv", GOOD_CONTACTS)
    lint = ("lint", str(draft), "--contacts", str(contacts), "--at", TUESDAY, "--format", "json")
    # "stop" inside a sentence is not a definite opt-out: the pipelines flag it for a person
    write_lines(
        tmp_path / "in" / "hooks.ndjson",
        [
            status("wamid.1", "read", 1_748_000_000, NUMBER.lstrip("+")),
            text_reply(
                "wamid.in1",
                NUMBER.lstrip("+"),
                1_748_000_600,
                "ok but please stop with these",
                context="wamid.1",
            ),
        ],
    )
    write_lines(tmp_path / "in" / "send.jsonl", [send_row("wamid.1", NUMBER, "2025-05-23T11:33:00+00:00")])
    assert wagate_cli("ingest", str(tmp_path / "in")).code == 0

    flagged = wagate_cli(*lint)
    assert flagged.code == 1, flagged.stderr
    assert ("O004", 1) in findings(flagged)

    # the person answers "START" later: the flag is resolved and the contact may be messaged again
    write_lines(
        tmp_path / "in2" / "hooks.ndjson",
        [text_reply("wamid.in2", NUMBER.lstrip("+"), 1_748_100_000, "START")],
    )
    assert wagate_cli("ingest", str(tmp_path / "in2")).code == 0
    assert ("O004", 1) not in findings(wagate_cli(*lint))
