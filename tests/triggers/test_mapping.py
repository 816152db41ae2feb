"""The mapping file: drafts per language, the fallback, parameters rendered over the event."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import InputError
from tests.triggers.kit import event, write_inputs
from triggers.events import EventError, parse_event
from triggers.mapping import load_mapping, render_parameters


def test_the_draft_follows_the_customers_language_else_the_fallback(tmp_path: Path) -> None:
    rule = load_mapping(write_inputs(tmp_path)).rule("order.shipped")
    assert rule.campaign == "trigger:order.shipped"
    assert rule.draft_for("de").language == "de"
    assert rule.draft_for("de-AT").language == "de"
    assert rule.draft_for("en_GB").language == "en_US"
    assert rule.draft_for("fr").language == "en_US"
    assert rule.draft_for(None).language == "en_US"


def test_parameters_are_rendered_over_the_event_and_the_plan_reads_them_as_columns(tmp_path: Path) -> None:
    rule = load_mapping(write_inputs(tmp_path)).rule("order.shipped")
    rendered = render_parameters(rule, parse_event(event(name="Ana Lima", order_id="A-7")))
    assert rendered.columns == {"wg_param_1": "Ana", "wg_param_2": "A-7"}
    assert rendered.plan == {"body": ["{{ wg_param_1 }}", "{{ wg_param_2 }}"]}


def test_a_parameter_the_event_cannot_fill_is_a_bad_event(tmp_path: Path) -> None:
    text = (
        '[events."order.shipped"]\ndrafts = ["shipped_en.json"]\n'
        '[events."order.shipped".parameters]\nbody = ["{{ customer.first_name }}", "{{ fields.eta }}"]\n'
    )
    rule = load_mapping(write_inputs(tmp_path, text)).rule("order.shipped")
    with pytest.raises(EventError, match=r"fields\.eta"):
        render_parameters(rule, parse_event(event()))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "no \\[events"),
        ('[events."x"]\ndrafts = ["missing.json"]\n', "not found"),
        ('[events."x"]\ndrafts = ["shipped_en.json", "confirmed_en.json"]\n', "different templates"),
        ('[events."x"]\ndrafts = ["shipped_en.json"]\nfallback_language = "fr"\n', "fallback_language 'fr'"),
        (
            '[events."x"]\ndrafts = ["shipped_en.json"]\n[events."x".parameters]\nfooter = ["a"]\n',
            "parameters may",
        ),
    ],
)
def test_a_broken_mapping_is_a_one_line_input_error(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(InputError, match=expected):
        load_mapping(write_inputs(tmp_path, text))
