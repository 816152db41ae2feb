"""The [alerts] section: durations, rule overrides, channels, and one-line errors."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path

import pytest

from alerts.config import AlertsSettings, format_duration, load_alerts_settings, parse_duration
from alerts.error_classes import error_class
from alerts.rules import DEFAULT_RULES, resolve_rules
from core.errors import ConfigError


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("30m", 1800),
        ("2h", 7200),
        ("1h30m", 5400),
        ("7d", 604800),
        ("1w", 604800),
        (45, 45),
        ("0", 0),
    ],
)
def test_durations(text: object, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


def test_bad_durations_are_refused() -> None:
    for text in ("2 hours", "h", "-5", "5x"):
        with pytest.raises(ValueError):
            parse_duration(text)
    assert format_duration(timedelta(hours=26, minutes=5)) == "1d2h5m"


def write(workspace: Path, text: str) -> Path:
    (workspace / "wagate.toml").write_text(text, encoding="utf-8")
    return workspace


def test_no_alerts_section_gives_every_default_rule(workspace: Path) -> None:
    settings = load_alerts_settings(workspace)
    names = [r.name for r in resolve_rules(settings)]
    assert names == [r.name for r in DEFAULT_RULES]
    assert settings.language == "en" and settings.channels == ()


def test_overriding_a_default_changes_only_what_is_given(workspace: Path) -> None:
    write(
        workspace,
        """
[alerts]
language = "zh"

[[alerts.rules]]
name = "complaint_rate_by_campaign"
threshold = 0.02
for = "1h"

[[alerts.rules]]
name = "opt_out_rate_by_template"
enabled = false

[[alerts.rules]]
name = "slow_blocks"
metric = "block_rate_est"
group_by = ["phone_number_id"]
age = "96h"
action = "pause"
""",
    )
    rules = {r.name: r for r in resolve_rules(load_alerts_settings(workspace))}
    changed = rules["complaint_rate_by_campaign"]
    assert (changed.threshold, changed.for_, changed.factor, changed.action) == (
        0.02,
        timedelta(hours=1),
        2.0,
        "pause",
    )
    assert "opt_out_rate_by_template" not in rules
    slow = rules["slow_blocks"]
    assert (slow.kind, slow.age, slow.group_by, slow.min_volume) == (
        "rate",
        timedelta(hours=96),
        ("phone_number_id",),
        200,
    )


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[alerts.rules]]\nname = "x"\nthreshold = 0.1\n', "rule 'x' has no metric"),
        (
            '[[alerts.rules]]\nname = "x"\nmetric = "complaint_rate"\ngroup_by = ["error_class"]\n',
            "cannot group complaint_rate by 'error_class'",
        ),
        (
            '[[alerts.rules]]\nname = "x"\nmetric = "receipts_stale"\naction = "pause"\n',
            "action 'pause' needs group_by",
        ),
        (
            '[[alerts.rules]]\nname = "x"\nmetric = "complaint_rate"\nfactor = 0.5\n',
            "invalid setting alerts.rules.0.factor",
        ),
        (
            '[[alerts.rules]]\nname = "x"\nmetric = "complaint_rate"\nwindow = "soon"\n',
            "invalid duration 'soon'",
        ),
        ('[alerts]\nlanguage = "fr"\n', "invalid setting alerts.language"),
        (
            '[[alerts.channels]]\nname = "hook"\ntype = "webhook"\nurl = "http://127.0.0.1/x"\n',
            "needs secret_env",
        ),
        (
            '[[alerts.channels]]\nname = "mail"\ntype = "email"\nsmtp_host = "localhost"\n',
            "needs smtp_host, from and to",
        ),
        (
            '[[alerts.rules]]\nname = "complaint_rate_by_campaign"\nchannels = ["nope"]\n',
            "unknown channel 'nope'",
        ),
    ],
)
def test_config_errors_are_one_clear_line(workspace: Path, toml: str, message: str) -> None:
    write(workspace, toml)
    with pytest.raises(ConfigError) as caught:
        resolve_rules(load_alerts_settings(workspace))
    text = caught.value.one_line()
    assert message in text
    assert "\n" not in text


def test_channels_name_secrets_by_environment_variable(workspace: Path) -> None:
    write(
        workspace,
        """
[[alerts.channels]]
name = "ops"
type = "dingtalk"
url_env = "OPS_DINGTALK_URL"
secret_env = "OPS_DINGTALK_SECRET"
language = "zh"
min_severity = "critical"

[[alerts.channels]]
name = "mail"
type = "email"
smtp_host = "smtp.example.com"
from = "alerts@example.com"
to = ["ops@example.com"]
password_env = "SMTP_PASSWORD"
""",
    )
    settings = load_alerts_settings(workspace)
    assert [c.name for c in settings.channels] == ["ops", "mail"]
    assert settings.channels[1].sender == "alerts@example.com"


def test_error_classes_match_the_dashboard_reference() -> None:
    # the dashboard's table is the project's reference for error classes; alerts keeps a copy
    path = Path(__file__).parents[2] / "dashboard" / "reference" / "error_codes.toml"
    if not path.exists():
        pytest.skip("dashboard reference table not present")
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    for code, entry in table["codes"].items():
        assert error_class(int(code)) == entry["class"], code
    for span in table.get("ranges", []):
        assert error_class(span["first"]) == span["class"] == error_class(span["last"])
    assert error_class(999999) == "unknown"


def test_settings_object_can_carry_the_section() -> None:
    class Carrier:
        alerts = AlertsSettings(language="both")

    assert load_alerts_settings(Path("/nonexistent"), Carrier()).language == "both"
