from __future__ import annotations

from pathlib import Path

import pytest

from core.config import config_reference, load_settings
from core.errors import ConfigError


def test_defaults_without_a_config_file(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, env={})
    assert settings.metrics.attribution_window_hours == 72
    assert settings.warehouse_path == tmp_path / "warehouse.duckdb"


def test_toml_then_environment_override(tmp_path: Path) -> None:
    (tmp_path / "wagate.toml").write_text(
        "[metrics]\nattribution_window_hours = 48\nreporting_timezone = 'Asia/Shanghai'\n"
    )
    settings = load_settings(tmp_path, env={"WAGATE_METRICS__ATTRIBUTION_WINDOW_HOURS": "24"})
    assert settings.metrics.attribution_window_hours == 24
    assert settings.metrics.reporting_timezone == "Asia/Shanghai"


def test_workspace_from_environment(tmp_path: Path) -> None:
    assert load_settings(None, env={"WAGATE_WORKSPACE": str(tmp_path)}).workspace == tmp_path


@pytest.mark.parametrize(
    ("toml", "env", "message"),
    [
        ("[metrics]\nattribution_window_hours = -1\n", {}, "metrics.attribution_window_hours"),
        ("[metrics]\nreporting_timezone = 'Mars/Base'\n", {}, "unknown time zone"),
        ("[metrics\n", {}, "invalid TOML"),
        ("", {"WAGATE_NOPE__X": "1"}, "unknown section"),
        ("", {"WAGATE_METRICS__NOPE": "1"}, "unknown setting metrics.nope"),
        ("[metrics]\nbogus = 1\n", {}, "metrics.bogus"),
    ],
)
def test_bad_settings_are_one_clear_error(
    tmp_path: Path, toml: str, env: dict[str, str], message: str
) -> None:
    (tmp_path / "wagate.toml").write_text(toml)
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(tmp_path, env=env)
    assert "\n" not in info.value.one_line()


def test_secrets_come_from_the_environment_and_never_print(tmp_path: Path) -> None:
    settings = load_settings(
        tmp_path,
        env={"WAGATE_APP_SECRET": "old-secret, new-secret", "WAGATE_ACCESS_TOKEN": "EAAG-secret-token"},
    )
    assert [s.get_secret_value() for s in settings.secrets.app_secrets] == ["old-secret", "new-secret"]
    assert "EAAG-secret-token" not in repr(settings) and "new-secret" not in repr(settings)


def test_config_reference_documents_every_field() -> None:
    text = config_reference()
    for name in ["attribution_window_hours", "reporting_timezone", "landing_dir", "key_file", "csv_mappings"]:
        assert f"`{name}`" in text
