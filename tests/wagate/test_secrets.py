"""Secrets come from the environment or owner-only files, and never reach the terminal or a log.

The CLI runs as a real process (`python -m wagate`), with secrets planted where a careless
message would quote them: in a URL, in a bad option value, in an error.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.config import Secrets, load_settings
from core.errors import ConfigError
from tests.sender.sendkit import german_numbers, workspace, write_campaign

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "EAAGtest5ecretT0kenValue42"
APP_SECRET = "app-secret-9f8e7d"


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -m wagate ARGS` with only ``env``'s WAGATE_* variables."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("WAGATE_")}
    return subprocess.run(
        [sys.executable, "-m", "wagate", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def owner_only(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


# --- where secrets come from ---------------------------------------------------------------


def test_secrets_are_read_from_owner_only_files(tmp_path: Path) -> None:
    token = owner_only(tmp_path / "token", TOKEN + "\n")
    app = owner_only(tmp_path / "app", "old-secret\nnew-secret\n")  # a rotation: one per line
    secrets = Secrets.from_env({"WAGATE_ACCESS_TOKEN_FILE": str(token), "WAGATE_APP_SECRET_FILE": str(app)})
    assert secrets.access_token is not None
    assert secrets.access_token.get_secret_value() == TOKEN
    assert [s.get_secret_value() for s in secrets.app_secrets] == ["old-secret", "new-secret"]
    assert secrets.verify_token is None
    assert TOKEN not in repr(secrets)


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_a_file_others_can_read_is_refused_with_the_fix(tmp_path: Path, mode: int) -> None:
    path = owner_only(tmp_path / "verify", "verify-me-please", mode)
    with pytest.raises(ConfigError) as caught:
        Secrets.from_env({"WAGATE_VERIFY_TOKEN_FILE": str(path)})
    line = caught.value.one_line()
    assert str(path) in line and f"chmod 600 {path}" in line
    assert "verify-me-please" not in line


def test_a_variable_and_its_file_together_are_ambiguous(tmp_path: Path) -> None:
    path = owner_only(tmp_path / "token", TOKEN)
    with pytest.raises(ConfigError, match="both WAGATE_ACCESS_TOKEN and WAGATE_ACCESS_TOKEN_FILE"):
        Secrets.from_env({"WAGATE_ACCESS_TOKEN": "other", "WAGATE_ACCESS_TOKEN_FILE": str(path)})


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"WAGATE_APP_SECRET_FILE: cannot read .*nothing-here"):
        Secrets.from_env({"WAGATE_APP_SECRET_FILE": str(tmp_path / "nothing-here")})


def test_settings_never_write_secrets_out(tmp_path: Path) -> None:
    settings = load_settings(
        tmp_path, env={"WAGATE_ACCESS_TOKEN": TOKEN, "WAGATE_DASHBOARD_PASSWORD": "pw-123456"}
    )
    dumped = settings.model_dump_json() + repr(settings) + str(settings)
    assert TOKEN not in dumped and "pw-123456" not in dumped


def test_the_cli_refuses_a_readable_secret_file_in_one_line(tmp_path: Path) -> None:
    path = owner_only(tmp_path / "app-secret", APP_SECRET, 0o644)
    result = run(
        "--workspace",
        str(tmp_path / "ws"),
        "receive",
        "--port",
        "0",
        env={"WAGATE_APP_SECRET_FILE": str(path)},
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: WAGATE_APP_SECRET_FILE: {path} is readable by group or others (run chmod 600 {path})"
    ]
    assert APP_SECRET not in result.stdout + result.stderr


# --- redaction in what the CLI prints and logs ---------------------------------------------


def test_a_bad_option_value_that_quotes_a_secret_is_redacted(tmp_path: Path) -> None:
    result = run(
        "--workspace",
        str(tmp_path / "ws"),
        "receive",
        "--port",
        f"x{APP_SECRET}",
        env={"WAGATE_APP_SECRET": APP_SECRET},
    )
    assert result.returncode == 2
    assert "Invalid value for '--port': 'x[redacted]'" in result.stderr
    assert APP_SECRET not in result.stdout + result.stderr


def test_a_secret_from_a_file_is_redacted_too(tmp_path: Path) -> None:
    path = owner_only(tmp_path / "verify", "file-verify-token-77")
    result = run(
        "--workspace",
        str(tmp_path / "ws"),
        "receive",
        "--port",
        "file-verify-token-77",
        env={"WAGATE_VERIFY_TOKEN_FILE": str(path)},
    )
    assert result.returncode == 2
    assert "file-verify-token-77" not in result.stderr and "[redacted]" in result.stderr


def _failed_send(tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    """`wagate -vv send` against a closed port, the token also in the API URL (as a user might)."""
    settings = workspace(tmp_path)
    files = write_campaign(tmp_path / "campaign", german_numbers(3))
    result = run(
        "-vv",
        "--workspace",
        str(settings.workspace),
        "send",
        str(files.plan),
        "--api-url",
        f"http://wagate:{TOKEN}@127.0.0.1:9/?access_token=query-token-555",
        env={"WAGATE_ACCESS_TOKEN": TOKEN},
    )
    return result, settings.workspace


def test_a_send_to_a_closed_port_never_shows_the_token(tmp_path: Path) -> None:
    result, _ = _failed_send(tmp_path)
    assert result.returncode == 1
    shown = result.stdout + result.stderr
    # the failure is still explained, with the URL's secrets blanked out
    assert "cannot reach the API at http://wagate:[redacted]@127.0.0.1:9" in shown
    assert "access_token=[redacted]" in shown
    assert TOKEN not in shown and "query-token-555" not in shown


# Known gaps outside this area (reported to the lead): sender/ keeps the run's stop reason in the
# ledger, and core/audit.py the run's details in audit/audit.jsonl, without redaction. Both should
# pass text through core.redact.redact(), which knows the process's secrets. Not strict: the
# audit trail is being built at the same time and may start redacting before the ledger does.
def test_no_file_the_send_wrote_holds_the_token(tmp_path: Path) -> None:
    _, ws = _failed_send(tmp_path)
    written = [path for path in ws.rglob("*") if path.is_file()]
    assert any(path.suffix == ".sqlite" for path in written)  # the run did write its ledger
    leaking = [path.relative_to(ws) for path in written if TOKEN.encode() in path.read_bytes()]
    assert leaking == []


def test_a_usage_error_quoting_a_path_with_a_secret_is_redacted(tmp_path: Path) -> None:
    bogus = tmp_path / f"ws-{APP_SECRET}"
    bogus.write_text("not a folder")  # --workspace must be a folder: click quotes the path
    result = run("--workspace", str(bogus), "receive", env={"WAGATE_APP_SECRET": APP_SECRET})
    assert result.returncode == 2
    assert "ws-[redacted]' is a file" in result.stderr
    assert APP_SECRET not in result.stdout + result.stderr
