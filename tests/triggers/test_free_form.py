"""Free-form replies inside the customer's 24-hour service window, against the emulator."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from core.errors import InputError
from core.history import WarehouseHistory
from lint.inputs.drafts import load_draft
from pipelines.receiver import ReceiverOptions
from pipelines.receiver.server import serve_in_thread
from pipelines.run import ingest
from sender.gate import open_gate
from sender.payload import text_spec
from sender.run import send_log_root
from tests.sender.sendkit import APP_SECRET, emulator
from tests.triggers.kit import ANA, BEN, MAPPING, draft_files, event, intake, workspace, write_inputs
from triggers.events import parse_event
from triggers.mapping import load_mapping
from triggers.window import service_reply

REPLY = "Hi {{ customer.first_name }}, your order {{ order_id }} is on its way with {{ fields.carrier }}."
FREE_FORM_MAPPING = MAPPING.replace(
    'fallback_language = "en_US"\n', f'fallback_language = "en_US"\nfree_form = "{REPLY}"\n', 1
)


def _accepted_rows(settings_root: Path) -> list[dict[str, object]]:
    rows = []
    for path in sorted(settings_root.rglob("*.jsonl")):
        rows.extend(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line)
    return [row for row in rows if row.get("outcome") == "accepted"]


def _shipped(event_id: str, phone: str, **changes: object) -> dict[str, object]:
    data = event(event_id, phone=phone, **changes)
    data["fields"] = {"tracking_number": "1Z999", "carrier": "DHL"}
    return data


def test_inside_an_open_window_the_event_sends_the_free_form_text_and_outside_the_template(
    tmp_path: Path,
) -> None:
    mapping = write_inputs(tmp_path / "in", FREE_FORM_MAPPING)
    probe = workspace(tmp_path, "http://127.0.0.1:9")
    options = ReceiverOptions(landing_dir=probe.landing_path, app_secrets=(APP_SECRET,), access_log=False)
    with (
        serve_in_thread(options) as receiver,
        emulator(draft_files(tmp_path / "in"), webhook_url=f"{receiver}/webhook") as emu,
    ):
        settings = workspace(tmp_path, emu.base_url)
        # Ana asks about her order on WhatsApp; the receiver lands the webhook, ingest loads it
        emu.inject_inbound(ANA, text="Where is my order?")
        assert emu.drain(10)
        ingest(settings)
        runner = intake(settings, mapping)
        ana = asyncio.run(runner.run(parse_event(_shipped("evt-ana", ANA, order_id="A-100"))))
        # Ben never wrote: his window is closed, he gets the approved template
        ben = asyncio.run(runner.run(parse_event(_shipped("evt-ben", BEN, order_id="B-200"))))
        again = asyncio.run(runner.run(parse_event(_shipped("evt-ana", ANA, order_id="A-100"))))
        messages = emu.messages()
    assert (ana.status, ana.template) == ("sent", "-")
    assert (ben.status, ben.template) == ("sent", "order_shipped")
    assert again.status == "duplicate"
    assert sorted((m.to, m.template) for m in messages) == [(ANA, None), (BEN, "order_shipped")]
    rows = {row["to"]: row for row in _accepted_rows(send_log_root(settings))}
    assert (rows[ANA]["template"], rows[ANA]["category"]) == ("-", "service")
    assert (rows[BEN]["template"], rows[BEN]["category"]) == ("order_shipped", "utility")
    assert all(row["campaign"] == "trigger:order.shipped" for row in rows.values())
    # the warehouse loads the free-form send as a service message of the trigger's campaign
    ingest(settings)
    since = datetime.now(UTC) - timedelta(hours=1)
    sends = WarehouseHistory(settings).sends(pl.Series([ANA, BEN]), since)
    assert sorted(sends.select("e164", "category", "template").iter_rows()) == [
        (ANA, "service", "-"),
        (BEN, "utility", "order_shipped"),
    ]


def test_a_window_that_closed_a_day_ago_gets_the_template(tmp_path: Path) -> None:
    mapping = write_inputs(tmp_path / "in", FREE_FORM_MAPPING)
    wrote = (datetime.now(UTC) - timedelta(hours=25)).isoformat()
    data = _shipped("evt-old", ANA)
    data["customer"]["last_inbound_at"] = wrote  # type: ignore[index]
    with emulator(draft_files(tmp_path / "in")) as emu:
        settings = workspace(tmp_path, emu.base_url)
        outcome = asyncio.run(intake(settings, mapping).run(parse_event(data)))
        messages = emu.messages()
    assert (outcome.status, outcome.template) == ("sent", "order_shipped")
    assert [(m.to, m.template) for m in messages] == [(ANA, "order_shipped")]


class _Inbound:
    """The warehouse's answer: ``numbers`` last wrote at these times."""

    def __init__(self, times: dict[str, datetime]) -> None:
        self.times = times

    def last_inbound(self, numbers: pl.Series) -> pl.DataFrame:
        wanted = [n for n in numbers.to_list() if n in self.times]
        return pl.DataFrame(
            {"e164": wanted, "last_inbound_at": [self.times[n] for n in wanted]},
            schema={"e164": pl.String, "last_inbound_at": pl.Datetime("us", "UTC")},
        )


def test_the_window_is_open_for_a_message_an_hour_ago_and_closed_for_one_a_day_ago(tmp_path: Path) -> None:
    mapping = load_mapping(write_inputs(tmp_path / "in", FREE_FORM_MAPPING))
    rule = mapping.rule("order.shipped")
    settings = workspace(tmp_path, "http://127.0.0.1:9")
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    ana = parse_event(_shipped("e1", ANA))
    hour_ago = _Inbound({ANA: now - timedelta(hours=1)})
    reply = service_reply(rule, ana, settings, hour_ago, now)
    assert reply is not None
    assert reply.text == "Hi Ana, your order A-100 is on its way with DHL."
    assert reply.last_inbound_at == now - timedelta(hours=1)
    assert service_reply(rule, ana, settings, _Inbound({ANA: now - timedelta(hours=24)}), now) is None
    assert service_reply(rule, ana, settings, _Inbound({BEN: now - timedelta(hours=1)}), now) is None
    # the template-only rule never answers free-form, window or not
    assert service_reply(mapping.rule("order.created"), ana, settings, hour_ago, now) is None


def test_a_free_form_draft_becomes_a_text_message_payload(tmp_path: Path) -> None:
    path = tmp_path / "reply.json"
    path.write_text(
        json.dumps({"kind": "free_form", "text": "Ihre Bestellung ist unterwegs.", "language": "de"})
    )
    spec = text_spec(load_draft(path))
    assert (spec.name, spec.language) == ("-", "de")
    assert spec.payload(ANA, {}) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": ANA,
        "type": "text",
        "text": {"preview_url": False, "body": "Ihre Bestellung ist unterwegs."},
    }
    path.write_text(json.dumps({"kind": "free_form", "text": "  ", "language": "de"}))
    with pytest.raises(InputError, match="no text"):
        text_spec(load_draft(path))


def test_a_free_form_draft_in_a_wagate_send_campaign_is_still_refused(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    inbound = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    (folder / "reply.json").write_text(
        json.dumps(
            {
                "kind": "free_form",
                "text": "Your Acme order A-100 shipped.",
                "language": "en",
                "category": "UTILITY",
                "x-wagate": {"brand": "Acme"},
            }
        ),
        encoding="utf-8",
    )
    (folder / "contacts.csv").write_text(
        "phone,consent_timestamp,consent_method,consent_source,consent_text_version,"
        "business_name_shown,purposes,last_inbound_at\n"
        f"{ANA},2025-01-01T10:00:00Z,checkout_opt_in,shop,v1,Acme,utility,{inbound}\n",
        encoding="utf-8",
    )
    (folder / "plan.toml").write_text(
        'name = "replies"\ndrafts = ["reply.json"]\ncontacts = "contacts.csv"\n', encoding="utf-8"
    )
    settings = workspace(tmp_path, "http://127.0.0.1:9")
    gate = open_gate(folder / "plan.toml", settings, accept_warnings=True)
    assert gate.passing is None
    assert gate.refusal == "a campaign sends approved templates only; the plan names a free-form draft"
    # the same plan as a service reply (what only triggers ask for) passes: the window is open
    reply = open_gate(folder / "plan.toml", settings, accept_warnings=True, allow_free_form=True)
    assert reply.refusal is None and reply.passing is not None


def test_a_free_form_text_the_event_cannot_fill_makes_the_event_bad(tmp_path: Path) -> None:
    mapping = write_inputs(tmp_path / "in", FREE_FORM_MAPPING.replace("fields.carrier", "fields.missing"))
    settings = workspace(tmp_path, "http://127.0.0.1:9")
    with pytest.raises(Exception, match="free_form"):
        intake(settings, mapping).dispatcher.check(parse_event(_shipped("e1", ANA)))


def test_free_form_must_be_text(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="free_form must be a non-empty string"):
        load_mapping(
            write_inputs(tmp_path / "in", MAPPING.replace('fallback_language = "en_US"\n', "free_form = 3\n"))
        )
