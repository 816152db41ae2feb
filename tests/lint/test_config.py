"""Linter settings and the file-backed history."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from core.errors import ConfigError
from lint.config import load_lint_config
from lint.findings import Severity
from lint.history import FileHistory
from tests.lint.helpers import write_text


def test_workspace_settings_win_over_pyproject_and_paths_are_anchored(tmp_path: Path) -> None:
    project = tmp_path / "project"
    workspace = project / "data"
    workspace.mkdir(parents=True)
    write_text(project, "pyproject.toml", '[tool.wagate.lint]\nbrand_names = ["Old"]\nignore = ["T003"]\n')
    write_text(
        workspace,
        "wagate.toml",
        '[lint]\nbrand_names = ["Acme"]\nwaivers = "waivers.toml"\nseverity = { Q008 = "error" }\n',
    )
    config = load_lint_config(workspace, start=project)
    assert config.brand_names == ("Acme",)
    assert config.ignore == ("T003",)
    assert config.waivers == workspace / "waivers.toml"
    assert config.severity == {"Q008": Severity.ERROR}


def test_invalid_setting_is_a_config_error(tmp_path: Path) -> None:
    write_text(tmp_path, "wagate.toml", '[lint]\nseverity = { Q008 = "fatal" }\n')
    with pytest.raises(ConfigError, match=r"invalid linter setting severity\.Q008"):
        load_lint_config(tmp_path, start=tmp_path)


def test_unknown_setting_is_a_config_error(tmp_path: Path) -> None:
    write_text(tmp_path, "wagate.toml", "[lint]\nbrand = 'Acme'\n")
    with pytest.raises(ConfigError, match="brand"):
        load_lint_config(tmp_path, start=tmp_path)


def test_file_history_reads_suppressions_and_sends(tmp_path: Path) -> None:
    suppression = write_text(
        tmp_path, "suppression.csv", "phone,suppressed_at\n0049 151 23456789,2025-02-01\n12,\n"
    )
    sends = write_text(
        tmp_path,
        "sends.jsonl",
        '{"to": "+4915123456789", "attempted_at": "2025-06-01T10:00:00+00:00", "category": "MARKETING", "outcome": "accepted"}\n'
        '{"to": "+4915123456789", "attempted_at": "2025-05-01T10:00:00+00:00", "category": "marketing", "outcome": "accepted"}\n'
        '{"to": "+4915123456789", "attempted_at": "2025-06-02T10:00:00+00:00", "category": "marketing", "outcome": "rejected"}\n',
    )
    history = FileHistory(suppression, sends)
    numbers = pl.Series(["+4915123456789", "+8613800138000"])
    found = history.suppressed(numbers)
    assert found["e164"].to_list() == ["+4915123456789"] and found["scope"].to_list() == ["all"]
    recent = history.sends(numbers, datetime(2025, 5, 15, tzinfo=UTC))
    assert recent["category"].to_list() == ["marketing"]  # the May send is older, the rejected one never left
