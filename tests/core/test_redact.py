"""Secrets never reach a log line or an error message: core.redact."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.errors import InputError
from core.redact import REDACTED, RedactingFilter, Redactor, activate, install, redact, secret_values

TOKEN = "EAAGm0PX4ZCpsBAKZAbcdef123456"


@pytest.fixture(autouse=True)
def _fresh_redactor() -> Iterator[None]:
    yield
    activate(Redactor())  # the process-wide redactor must not leak into other tests


def test_configured_values_are_replaced_wherever_they_occur() -> None:
    hide = Redactor.of(["s3cr3t-app", TOKEN])
    text = f"token {TOKEN} and secret s3cr3t-app, again {TOKEN}."
    assert hide(text) == f"token {REDACTED} and secret {REDACTED}, again {REDACTED}."


def test_a_secret_containing_another_is_hidden_whole() -> None:
    hide = Redactor.of(["abcd", "abcdefgh"])
    assert hide("x abcdefgh y") == f"x {REDACTED} y"


def test_bearer_tokens_and_token_query_values_are_hidden_without_being_configured() -> None:
    hide = Redactor()
    assert hide("Authorization: Bearer abc.DEF-123_xyz") == f"Authorization: Bearer {REDACTED}"
    url = "https://graph.facebook.com/v21.0/me?fields=id&access_token=EAAB123&x=1"
    assert hide(url) == f"https://graph.facebook.com/v21.0/me?fields=id&access_token={REDACTED}&x=1"
    assert hide("GET /webhook?hub.verify_token=letmein&hub.challenge=42") == (
        f"GET /webhook?hub.verify_token={REDACTED}&hub.challenge=42"
    )


def test_ordinary_text_is_left_alone() -> None:
    hide = Redactor.of(["abc", "   "])  # too short to be a secret worth hiding, and blank
    text = "the bearer of 12 messages: abc, 5 sent"
    assert hide(text) == text


def test_secret_values_come_from_variables_files_and_each_rotated_part(tmp_path: Path) -> None:
    file = tmp_path / "token"
    file.write_text("from-the-file\n")
    env = {
        "WAGATE_APP_SECRET": "old-secret, new-secret",
        "WAGATE_ACCESS_TOKEN_FILE": str(file),
        "WAGATE_DASHBOARD_PASSWORD": "hunter22",
        "WAGATE_OTHER": "not-a-secret",
    }
    values = secret_values(env)
    assert {"old-secret", "new-secret", "from-the-file", "hunter22"} <= set(values)
    assert "not-a-secret" not in values


def test_secret_values_skip_a_missing_file() -> None:
    assert secret_values({"WAGATE_VERIFY_TOKEN_FILE": "/nonexistent/file"}) == []


def _logger_with_stream() -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    logger = logging.getLogger(f"test.redact.{id(stream)}")
    logger.propagate = False
    logger.addHandler(logging.StreamHandler(stream))
    logger.setLevel(logging.DEBUG)
    return logger, stream


def test_filter_hides_secrets_in_arguments_and_tracebacks() -> None:
    logger, stream = _logger_with_stream()
    install(Redactor.of([TOKEN]), logger)
    logger.info("calling %s with %s", "https://x/?access_token=zzz", TOKEN)
    try:
        raise RuntimeError(f"connect failed, header Bearer {TOKEN}")
    except RuntimeError:
        logger.exception("send failed")
    out = stream.getvalue()
    assert TOKEN not in out and "zzz" not in out
    assert "calling https://x/?access_token=[redacted] with [redacted]" in out
    assert "RuntimeError: connect failed, header Bearer [redacted]" in out


def test_installing_twice_replaces_the_filter() -> None:
    logger, stream = _logger_with_stream()
    install(Redactor.of(["first-secret"]), logger)
    install(Redactor.of(["second-secret"]), logger)
    assert sum(isinstance(f, RedactingFilter) for f in logger.handlers[0].filters) == 1
    logger.warning("first-secret second-secret")
    assert stream.getvalue().strip() == "first-secret [redacted]"


def test_wagate_error_messages_pass_through_the_active_redactor() -> None:
    activate(Redactor.of([TOKEN]))
    error = InputError(f"cannot reach https://h/?access_token={TOKEN}", hint=f"token {TOKEN} rejected")
    assert error.one_line() == ("cannot reach https://h/?access_token=[redacted] (token [redacted] rejected)")
    assert TOKEN not in str(error)
    assert redact(TOKEN) == REDACTED
