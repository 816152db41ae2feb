"""The campaign builder: exact Cloud API payloads (whatsapp-platform.md §6), variants, keys, windows."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from core.errors import InputError
from lint.config import LintConfig
from lint.context import RunContext
from lint.history import NoHistory
from lint.inputs.contacts import load_contacts
from lint.inputs.drafts import load_draft
from lint.packs import load_packs
from lint.registry import select
from lint.rules import ALL_RULES
from sender.campaign import build_campaign
from sender.gate import open_gate
from sender.model import Campaign
from sender.quiet import recipient_windows
from tests.sender.gate_inputs import (
    CO_1,
    DE_1,
    DE_2,
    HEADER,
    IN_1,
    SUNDAY_11_UTC,
    TUESDAY_14_UTC,
    contact,
    marketing,
    workspace,
    write_campaign,
)

ORDER_UPDATE: dict[str, Any] = {
    "name": "order_update",
    "language": "en_US",
    "category": "UTILITY",
    "components": [
        {"type": "HEADER", "format": "TEXT", "text": "Order for {{1}}", "example": {"header_text": ["Ana"]}},
        {
            "type": "BODY",
            "text": "Hi {{1}}, your Acme order {{2}} has shipped and is on its way to you today.",
            "example": {"body_text": [["Ana", "A-1"]]},
        },
        {"type": "FOOTER", "text": "Acme Trading"},
        {
            "type": "BUTTONS",
            "buttons": [
                {"type": "QUICK_REPLY", "text": "Stop updates"},
                {
                    "type": "URL",
                    "text": "Track",
                    "url": "https://acme.com/track/{{1}}",
                    "example": ["https://acme.com/track/A-1"],
                },
            ],
        },
    ],
    "x-wagate": {"brand": "Acme"},
}
ORDER_PARAMETERS = (
    'header = ["{{ first_name | title }}"]\n'
    'body = ["{{ first_name | title }}", "{{ order_id }}"]\n'
    'buttons = { 2 = ["{{ order_id }}"] }'
)
SETTINGS = "[send]\nphone_number_id = '106540352242922'\n"


def _utility(row: str) -> str:
    return row.replace(",marketing,", ",utility,")


def _campaign(tmp_path: Path, plan: Path, *, accept_warnings: bool = False) -> Campaign:
    settings = workspace(tmp_path, SETTINGS)
    gate = open_gate(plan, settings, accept_warnings=accept_warnings, now=TUESDAY_14_UTC)
    assert gate.refusal is None, gate.refusal
    return build_campaign(gate, settings)


def test_positional_header_body_and_url_button_payloads(tmp_path: Path) -> None:
    rows = [_utility(contact(DE_1, "ana", order_id="A-1")), _utility(contact(DE_2, "ben", order_id="B-22"))]
    plan = write_campaign(tmp_path / "in", rows, drafts=[ORDER_UPDATE], parameters=ORDER_PARAMETERS)
    campaign = _campaign(tmp_path, plan)
    assert campaign.name == "spring"
    assert campaign.phone_number_id == "106540352242922"
    assert [m.payload for m in campaign.messages] == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "+4915123456789",
            "type": "template",
            "template": {
                "name": "order_update",
                "language": {"code": "en_US"},
                "components": [
                    {"type": "header", "parameters": [{"type": "text", "text": "Ana"}]},
                    {
                        "type": "body",
                        "parameters": [{"type": "text", "text": "Ana"}, {"type": "text", "text": "A-1"}],
                    },
                    # the plan's button 2 is the template's second button: API index "1"
                    {
                        "type": "button",
                        "sub_type": "url",
                        "index": "1",
                        "parameters": [{"type": "text", "text": "A-1"}],
                    },
                ],
            },
        },
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "+4915123456780",
            "type": "template",
            "template": {
                "name": "order_update",
                "language": {"code": "en_US"},
                "components": [
                    {"type": "header", "parameters": [{"type": "text", "text": "Ben"}]},
                    {
                        "type": "body",
                        "parameters": [{"type": "text", "text": "Ben"}, {"type": "text", "text": "B-22"}],
                    },
                    {
                        "type": "button",
                        "sub_type": "url",
                        "index": "1",
                        "parameters": [{"type": "text", "text": "B-22"}],
                    },
                ],
            },
        },
    ]
    first = campaign.messages[0]
    assert (first.row, first.to, first.template, first.language, first.category) == (
        1,
        DE_1,
        "order_update",
        "en_US",
        "utility",
    )
    assert first.quiet_windows == ()  # quiet hours are about marketing
    expected_key = hashlib.sha256(f"spring\x1f{DE_1}\x1forder_update\x1fen_US".encode()).hexdigest()[:32]
    assert first.key == expected_key


def test_named_parameters_carry_their_names(tmp_path: Path) -> None:
    named = marketing(
        name="spring_named",
        language="en_US",
        parameter_format="named",
        components=[
            {"type": "HEADER", "format": "TEXT", "text": "Acme spring sale"},
            {
                "type": "BODY",
                "text": "Hi {{first_name}}, the new Acme spring collection is in our {{city}} store now.",
                "example": {
                    "body_text_named_params": [
                        {"param_name": "first_name", "example": "Ana"},
                        {"param_name": "city", "example": "Berlin"},
                    ]
                },
            },
            {"type": "FOOTER", "text": "Reply STOP to opt out"},
        ],
    )
    parameters = '[parameters.body]\nfirst_name = "{{ first_name | title }}"\ncity = "{{ city }}"'
    plan = write_campaign(
        tmp_path / "in", [contact(DE_1, "ana", "Köln")], drafts=[named], parameters=parameters
    )
    campaign = _campaign(tmp_path, plan)
    assert campaign.messages[0].payload["template"] == {
        "name": "spring_named",
        "language": {"code": "en_US"},
        "components": [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "parameter_name": "first_name", "text": "Ana"},
                    {"type": "text", "parameter_name": "city", "text": "Köln"},
                ],
            }
        ],
    }


def test_language_variants_follow_the_contacts_language_column(tmp_path: Path) -> None:
    def variant(language: str, text: str) -> dict[str, Any]:
        draft = marketing(language=language)
        draft["components"] = [
            {"type": "HEADER", "format": "TEXT", "text": "Acme"},
            {"type": "BODY", "text": text, "example": {"body_text": [["Ana"]]}},
            {"type": "FOOTER", "text": "Reply STOP to opt out"},
        ]
        return draft

    drafts = [
        variant("en_US", "Hi {{1}}, the new Acme spring collection is in our stores now."),
        variant("de", "Hallo {{1}}, die neue Acme Frühjahrskollektion ist jetzt in unseren Läden."),
        variant("pt_BR", "Olá {{1}}, a nova coleção de primavera da Acme já está nas nossas lojas."),
    ]
    numbers = ["+4915123456781", "+4915123456782", "+4915123456783", "+4915123456784", "+4915123456785"]
    languages = ["de", "pt", "EN-us", "fr", ""]
    rows = [f"{contact(n)},{lang}" for n, lang in zip(numbers, languages, strict=True)]
    plan = write_campaign(
        tmp_path / "in",
        rows,
        drafts=drafts,
        parameters='body = ["{{ first_name | title }}"]',
        header=HEADER + ",language",
    )
    campaign = _campaign(tmp_path, plan, accept_warnings=True)
    chosen = {m.to: m.language for m in campaign.messages}
    # exact (case and -/_ folded), then the same primary language, else the first draft
    assert chosen == {
        numbers[0]: "de",
        numbers[1]: "pt_BR",
        numbers[2]: "en_US",
        numbers[3]: "en_US",
        numbers[4]: "en_US",
    }
    assert campaign.messages[0].payload["template"]["language"] == {"code": "de"}


def test_windows_and_zones_are_the_linters(tmp_path: Path) -> None:
    plan = write_campaign(
        tmp_path / "in",
        [contact(DE_1), contact(CO_1, city="Bogota"), contact(IN_1, city="Pune")],
        parameters='body = ["{{ first_name | title }}"]',
    )
    campaign = _campaign(tmp_path, plan, accept_warnings=True)
    seen = {m.to: (m.region, m.time_zones, m.quiet_windows) for m in campaign.messages}
    assert seen == {
        DE_1: ("DE", ("Europe/Berlin",), ("DEFAULT",)),  # no country rule: the courtesy window (Q008)
        CO_1: ("CO", ("America/Bogota",), ("CO",)),  # Q003
        IN_1: ("IN", ("Asia/Calcutta",), ("IN",)),  # Q005 (phonenumbers' name for Asia/Kolkata)
    }


def test_an_accepted_quiet_hours_warning_is_not_enforced_again(tmp_path: Path) -> None:
    # Sunday 13:00 in Berlin (Q008 warns, accepted); 16:30 in India is inside its window
    plan = write_campaign(
        tmp_path / "in",
        [contact(DE_1), contact(IN_1, city="Pune")],
        parameters='body = ["{{ first_name | title }}"]',
        send_at=SUNDAY_11_UTC,
    )
    campaign = _campaign(tmp_path, plan, accept_warnings=True)
    windows = {m.to: m.quiet_windows for m in campaign.messages}
    assert windows == {DE_1: (), IN_1: ("IN",)}


def test_exclusions_are_listed_and_each_number_gets_one_message(tmp_path: Path) -> None:
    rows = [contact(DE_1), contact("+49 151"), contact(DE_1)]
    plan = write_campaign(tmp_path / "in", rows, parameters='body = ["{{ first_name | title }}"]')
    campaign = _campaign(tmp_path, plan, accept_warnings=True)
    assert [m.to for m in campaign.messages] == [DE_1]
    assert [e.row for e in campaign.exclusions] == [2, 3]
    assert campaign.exclusions[0].codes == ("N001",)
    assert campaign.exclusions[1].codes == ("duplicate",)  # N002 only warned (accepted)


def test_a_plan_without_a_name_cannot_be_sent(tmp_path: Path) -> None:
    settings = workspace(tmp_path, SETTINGS)
    plan = write_campaign(
        tmp_path / "in", [contact(DE_1)], parameters='body = ["{{ first_name }}"]', name=None
    )
    gate = open_gate(plan, settings, accept_warnings=False, now=TUESDAY_14_UTC)
    with pytest.raises(InputError, match="no name"):
        build_campaign(gate, settings)


def test_a_refused_gate_builds_nothing(tmp_path: Path) -> None:
    settings = workspace(tmp_path, SETTINGS)
    plan = write_campaign(
        tmp_path / "in", [contact(DE_1)], parameters='body = ["{{ first_name }}"]', send_at=SUNDAY_11_UTC
    )
    gate = open_gate(plan, settings, accept_warnings=False, now=TUESDAY_14_UTC)
    with pytest.raises(InputError, match="refused"):
        build_campaign(gate, settings)


def test_template_variables_without_plan_parameters_are_refused(tmp_path: Path) -> None:
    settings = workspace(tmp_path, SETTINGS)
    plan = write_campaign(tmp_path / "in", [contact(DE_1)])
    gate = open_gate(plan, settings, accept_warnings=False, now=TUESDAY_14_UTC)
    with pytest.raises(InputError, match="132000"):
        build_campaign(gate, settings)


def test_a_media_header_needs_its_media(tmp_path: Path) -> None:
    settings = workspace(tmp_path, SETTINGS)
    image = marketing()
    image["components"] = [
        {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": ["4::aW1hZ2U="]}},
        {
            "type": "BODY",
            "text": "Hi {{1}}, the new Acme spring collection is in our stores now.",
            "example": {"body_text": [["Ana"]]},
        },
        {"type": "FOOTER", "text": "Reply STOP to opt out"},
    ]
    plan = write_campaign(
        tmp_path / "in", [contact(DE_1)], drafts=[image], parameters='body = ["{{ first_name }}"]'
    )
    gate = open_gate(plan, settings, accept_warnings=True, now=TUESDAY_14_UTC)
    assert gate.refusal is None, gate.refusal
    with pytest.raises(InputError, match="IMAGE header"):
        build_campaign(gate, settings)


def test_sending_needs_a_number_but_a_dry_run_does_not(tmp_path: Path) -> None:
    settings = workspace(tmp_path)
    plan = write_campaign(tmp_path / "in", [contact(DE_1)], parameters='body = ["{{ first_name }}"]')
    gate = open_gate(plan, settings, accept_warnings=False, now=TUESDAY_14_UTC)
    with pytest.raises(InputError, match="phone_number_id"):
        build_campaign(gate, settings)
    assert build_campaign(gate, settings, dry_run=True).phone_number_id == "(not configured)"


def _windows(tmp_path: Path, rows: list[str], config: LintConfig) -> list[tuple[str, ...]]:
    """The windows the builder records for a marketing draft, straight from the lint's inputs."""
    path = tmp_path / "contacts.csv"
    path.write_text("phone,us_state\n" + "\n".join(rows) + "\n", encoding="utf-8")
    packs = load_packs()
    draft_path = tmp_path / "draft.json"
    draft_path.write_text(json.dumps(marketing()), encoding="utf-8")
    draft = load_draft(draft_path)
    ctx = RunContext(
        config=config,
        packs=packs,
        now=TUESDAY_14_UTC,
        send_times=(TUESDAY_14_UTC,),
        drafts=(draft,),
        contacts=load_contacts(path, config, packs),
        plan=None,
        history=NoHistory(),
        consent=None,
    )
    return recipient_windows(ctx, select(ALL_RULES, config.select, config.ignore), draft)


def test_the_windows_per_recipient_follow_the_quiet_hours_rules(tmp_path: Path) -> None:
    rows = ["+13055550100,FL", "+14155550100,", "+14155550101,CA", DE_1 + ",", CO_1 + ",", IN_1 + ","]
    assert _windows(tmp_path, rows, LintConfig()) == [
        ("US", "US-FL"),  # federal hours (Q001) and Florida's (Q002)
        ("US", "US-UNRESOLVED"),  # no state: the intersection of the state windows
        ("US",),  # California has no window of its own
        ("DEFAULT",),
        ("CO",),
        ("IN",),
    ]
    quieter = LintConfig.model_validate(
        {"countries": {"DE": {"ignore": ["Q008"]}}, "severity": {"Q005": "info"}}
    )
    assert _windows(tmp_path, rows, quieter)[3:] == [(), ("CO",), ()]
    assert _windows(tmp_path, rows, LintConfig(ignore=("quiet-hours",))) == [()] * 6


def test_a_waived_quiet_hours_warning_is_not_enforced_again(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        '[[waiver]]\ncode = "Q008"\nselector = "country:DE"\nreason = "Sunday opening announced"\n'
        'expires = 2099-12-31\napproved_by = "li.wei@example.com"\n',
        encoding="utf-8",
    )
    settings = workspace(tmp_path, SETTINGS, lint=f'waivers = "{waivers}"')
    plan = write_campaign(
        tmp_path / "in",
        [contact(DE_1), contact(IN_1, city="Pune")],
        parameters='body = ["{{ first_name | title }}"]',
        send_at=SUNDAY_11_UTC,
    )
    gate = open_gate(plan, settings, accept_warnings=True, now=TUESDAY_14_UTC)
    campaign = build_campaign(gate, settings)
    assert {m.to: m.quiet_windows for m in campaign.messages} == {DE_1: (), IN_1: ("IN",)}
