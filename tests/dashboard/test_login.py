"""Dashboard login and the reveal of full numbers, in-process (AppTest), and their rules (core.access)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.access import Lockout, check_exposure, login_config, oidc_section, password_role
from core.config import load_settings
from core.errors import ConfigError, InputError
from core.phones import mask
from dashboard import login
from dashboard.i18n import Text
from tests.dashboard.conftest import APP

VIEWER_PW = "viewer-pass-1"
ADMIN_PW = "admin-pass-2"
MASKED = re.compile(r"^\+\d{1,3} \d{3} ••• ••\d{2}$")
FULL = re.compile(r"^\+\d{8,15}$")
EN = Text("en")


@pytest.fixture(autouse=True)
def _fresh_lockout() -> Iterator[None]:
    login._lockout.clear()  # one per process in the app; every test starts with a clean count
    yield
    login._lockout.clear()


@pytest.fixture
def passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAGATE_DASHBOARD_PASSWORD", VIEWER_PW)
    monkeypatch.setenv("WAGATE_DASHBOARD_ADMIN_PASSWORD", ADMIN_PW)


def start(page: str = "overview") -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = "en"
    at.query_params["range"] = "all"
    at.switch_page(f"app_pages/{page}.py")
    return at.run()


def submit(at: AppTest, password: str) -> AppTest:
    at.text_input[0].input(password)
    at.button[0].click()
    return at.run()


# --- the rules ------------------------------------------------------------------------------


def test_passwords_open_their_role_and_nothing_else(tmp_path: Path) -> None:
    settings = load_settings(
        tmp_path,
        env={"WAGATE_DASHBOARD_PASSWORD": VIEWER_PW, "WAGATE_DASHBOARD_ADMIN_PASSWORD": ADMIN_PW},
    )
    assert password_role(VIEWER_PW, settings) == "viewer"
    assert password_role(ADMIN_PW, settings) == "admin"
    assert password_role("viewer-pass", settings) is None  # a prefix is not the password
    assert password_role(VIEWER_PW + " ", settings) is None
    assert password_role("", settings) is None


def test_lockout_after_repeated_failures_for_a_while() -> None:
    now = [1000.0]
    lock = Lockout(limit=3, seconds=60, clock=lambda: now[0])
    lock.failed("10.0.0.5")
    lock.failed("10.0.0.5")
    assert lock.remaining("10.0.0.5") == 0  # two wrong: may still try
    lock.failed("10.0.0.5")
    assert lock.remaining("10.0.0.5") == 60
    assert lock.remaining("10.0.0.6") == 0  # another client is not locked out
    now[0] += 45
    assert lock.remaining("10.0.0.5") == 15
    now[0] += 15
    assert lock.remaining("10.0.0.5") == 0
    lock.failed("10.0.0.5")  # the count starts again after the lock expired
    assert lock.remaining("10.0.0.5") == 0


def test_a_right_password_clears_the_count() -> None:
    lock = Lockout(limit=2, seconds=60)
    lock.failed("a")
    lock.succeeded("a")
    lock.failed("a")
    assert lock.remaining("a") == 0


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "dashboard.example.com"])
def test_beyond_localhost_a_login_is_required(tmp_path: Path, host: str) -> None:
    config = login_config(load_settings(tmp_path, env={}))
    with pytest.raises(
        InputError, match=f"refusing to serve the dashboard on {re.escape(host)} without a login"
    ):
        check_exposure(host, config)
    with_password = login_config(load_settings(tmp_path, env={"WAGATE_DASHBOARD_PASSWORD": "x" * 12}))
    check_exposure(host, with_password)
    assert with_password.needed(host)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_on_localhost_no_login_is_needed_unless_asked_for(tmp_path: Path, host: str) -> None:
    config = login_config(load_settings(tmp_path, env={}))
    check_exposure(host, config)
    assert not config.needed(host)
    forced = login_config(load_settings(tmp_path, env={"WAGATE_DASHBOARD__REQUIRE_LOGIN": "true"}))
    assert forced.needed(host)
    with pytest.raises(InputError, match="require_login is set but no login is configured"):
        check_exposure(host, forced)


def _secrets_toml(ws: Path, text: str, mode: int = 0o600) -> Path:
    path = ws / ".streamlit" / "secrets.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


OIDC = """
[auth]
redirect_uri = "https://dash.example.com/oauth2callback"
cookie_secret = "a-long-random-cookie-secret-value"
[auth.corp]
client_id = "wagate"
client_secret = "oidc-client-secret"
server_metadata_url = "https://login.example.com/.well-known/openid-configuration"
"""


def test_oidc_is_found_in_the_workspace_secrets_file(tmp_path: Path) -> None:
    _secrets_toml(tmp_path, OIDC)
    env = {"WAGATE_DASHBOARD__REVEAL_NUMBERS": "Ana@Example.com, dpo@example.com"}
    config = login_config(load_settings(tmp_path, env=env))
    assert config.mode == "oidc"
    assert config.reveal_emails == {"ana@example.com", "dpo@example.com"}
    check_exposure("0.0.0.0", config)


def test_a_readable_or_incomplete_oidc_file_is_refused(tmp_path: Path) -> None:
    path = _secrets_toml(tmp_path, OIDC, 0o644)
    with pytest.raises(ConfigError, match=f"chmod 600 {re.escape(str(path))}"):
        oidc_section(path)
    path.chmod(0o600)
    path.write_text('[auth]\nredirect_uri = "https://x/oauth2callback"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="lacks cookie_secret, client_id/client_secret/server_metadata_url"):
        oidc_section(path)


# --- the login page (AppTest) ---------------------------------------------------------------


def test_without_a_configured_login_localhost_opens_directly(use_workspace: Callable[[str], Path]) -> None:
    use_workspace("seeded")
    at = start()
    assert at.title[0].value == EN("overview.title")


def test_a_configured_password_shows_the_login_page_first(
    use_workspace: Callable[[str], Path], passwords: None
) -> None:
    use_workspace("seeded")
    at = start()
    assert [title.value for title in at.title] == [EN("login.title")]
    assert not at.get("arrow_data_frame") and not at.get("plotly_chart")  # no data before login
    at = submit(at, "guess")
    assert [e.value for e in at.error] == [EN("login.wrong")]
    assert at.title[0].value == EN("login.title")
    at = submit(at, VIEWER_PW)
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == EN("overview.title")
    # the session keeps a keyed hash, never the password
    role, token = at.session_state["_wagate_login"]
    assert role == "viewer" and re.fullmatch(r"[0-9a-f]{64}", token)


def test_the_login_page_speaks_chinese(use_workspace: Callable[[str], Path], passwords: None) -> None:
    use_workspace("seeded")
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = "zh"
    at = at.run()
    assert at.title[0].value == "登录 wagate"
    assert at.text_input[0].label == "密码"


def test_repeated_wrong_passwords_lock_the_login(
    use_workspace: Callable[[str], Path], passwords: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_workspace("seeded")
    monkeypatch.setenv("WAGATE_DASHBOARD__MAX_LOGIN_FAILURES", "2")
    monkeypatch.setenv("WAGATE_DASHBOARD__LOCKOUT_SECONDS", "600")
    at = start()
    at = submit(at, "wrong-1")
    at = submit(at, "wrong-2")
    assert at.error[0].value == EN("login.locked", minutes=10)
    # even the right password waits until the lock expires, in a new session too
    at = start()
    assert not at.text_input and at.error[0].value == EN("login.locked", minutes=10)


def _number_column(at: AppTest) -> list[str]:
    label = EN("quality.col_display_phone_number")
    frame = next(df.value for df in at.dataframe if label in df.value.columns)
    return [str(v) for v in frame[label].dropna().tolist()]


def test_a_viewer_sees_masked_numbers_and_cannot_reveal(
    use_workspace: Callable[[str], Path], passwords: None
) -> None:
    use_workspace("seeded")
    at = submit(start("quality"), VIEWER_PW)
    at.switch_page("app_pages/quality.py").run()
    numbers = _number_column(at)
    assert numbers and all(MASKED.match(n) for n in numbers), numbers
    assert not [t for t in at.toggle if t.label == EN("quality.reveal")]


def test_an_admin_reveals_full_numbers_and_the_reveal_is_logged(
    use_workspace: Callable[[str], Path], passwords: None, caplog: pytest.LogCaptureFixture
) -> None:
    use_workspace("seeded")
    logging.getLogger(login.ACCESS_LOGGER).addHandler(caplog.handler)
    try:
        at = submit(start("quality"), ADMIN_PW)
        at.switch_page("app_pages/quality.py").run()
        masked = _number_column(at)
        assert all(MASKED.match(n) for n in masked)  # masked until asked for
        at.toggle(key="reveal_numbers").set_value(True).run()
        full = _number_column(at)
    finally:
        logging.getLogger(login.ACCESS_LOGGER).removeHandler(caplog.handler)
    assert full and all(FULL.match(n) for n in full), full
    assert [mask(n) for n in full] == masked  # the same rows, now in full
    reveals = [r.getMessage() for r in caplog.records if "revealed" in r.getMessage()]
    assert reveals == ["full phone numbers revealed: user=admin role=admin page=quality"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert not any(n in logged or n.lstrip("+") in logged for n in full)
    assert ADMIN_PW not in logged
