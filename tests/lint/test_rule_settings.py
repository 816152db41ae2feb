"""Settings of the content and data rules (P004, D006, D007, P008): malformed values are one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import ConfigError
from lint import LintRequest, lint
from lint.config import LintConfig, load_lint_config
from tests.lint.helpers import TUESDAY_NOON_BERLIN, write_draft, write_text

BEER = {"kind": "free_form", "category": "MARKETING", "text": "Acme craft beer, new in store."}


def _lint(tmp_path: Path, config: LintConfig, select: str) -> None:
    draft = write_draft(tmp_path, BEER)
    contacts = write_text(tmp_path, "contacts.csv", "phone,birthdate\n+4915123456789,1990-04-01\n")
    lint(
        LintRequest(
            drafts=(draft,), contacts=contacts, config=config, at=TUESDAY_NOON_BERLIN, select=(select,)
        )
    )


def test_allowlist_for_an_unknown_vertical_is_a_config_error(tmp_path: Path) -> None:
    config = LintConfig(options={"P004": {"allowed_countries": {"beer": ["DE"]}}})
    with pytest.raises(ConfigError, match="unknown vertical 'beer'") as caught:
        _lint(tmp_path, config, "P004")
    assert caught.value.hint is not None and "alcohol" in caught.value.hint


def test_allowlist_that_is_not_a_list_of_codes_is_a_config_error(tmp_path: Path) -> None:
    config = LintConfig(options={"P004": {"allowed_countries": {"alcohol": "DE"}}})
    with pytest.raises(ConfigError, match=r"allowed_countries\.alcohol must be a list"):
        _lint(tmp_path, config, "P004")


def test_allowed_fields_must_be_a_list_of_headers(tmp_path: Path) -> None:
    config = LintConfig(options={"D006": {"allowed_fields": "birthdate"}})
    with pytest.raises(ConfigError, match="allowed_fields must be a list"):
        _lint(tmp_path, config, "D006")


def test_negative_evidence_retention_is_rejected_when_settings_load(tmp_path: Path) -> None:
    (tmp_path / "wagate.toml").write_text("[lint]\nevidence_retention_months = -1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="evidence_retention_months"):
        load_lint_config(tmp_path, start=tmp_path)


def test_new_settings_are_read_from_the_workspace(tmp_path: Path) -> None:
    (tmp_path / "wagate.toml").write_text(
        "[lint]\nbrand_allowlist = ['Xiaomi']\nautomated_flow = true\n"
        "human_escalation_channels = ['agent']\nevidence_retention_months = 60\n",
        encoding="utf-8",
    )
    config = load_lint_config(tmp_path, start=tmp_path)
    assert config.brand_allowlist == ("Xiaomi",)
    assert config.automated_flow is True
    assert config.human_escalation_channels == ("agent",)
    assert config.evidence_retention_months == 60
