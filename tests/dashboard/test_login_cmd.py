"""`wagate dashboard` refuses, before binding anything, to serve without a login where one is needed."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.dashboard.browser import free_port
from tests.dashboard.conftest import ROOT

CONFIGURED_OIDC = """[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "cookie-secret-for-the-test-0123456789"
client_id = "wagate"
client_secret = "oidc-client-secret-abc"
server_metadata_url = "https://login.example.com/.well-known/openid-configuration"
"""


def run_dashboard(
    workspace: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("WAGATE_")}
    return subprocess.run(
        [sys.executable, "-m", "wagate", "--workspace", str(workspace), "dashboard", *args],
        cwd=ROOT, env={**base, **(env or {})}, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def nothing_listens(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.parametrize("host", ["0.0.0.0", "::"])
def test_a_public_bind_without_login_exits_2_before_binding(tmp_path: Path, host: str) -> None:
    port = free_port()
    result = run_dashboard(tmp_path, "--host", host, "--port", str(port))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"error: refusing to serve the dashboard on {host} without a login: anyone could read it "
        "(set WAGATE_DASHBOARD_PASSWORD or configure OIDC in .streamlit/secrets.toml (docs/dashboard.md))"
    ]
    assert "wagate dashboard: http://" not in result.stderr  # Streamlit was never started
    assert nothing_listens(port)


def test_the_refusal_comes_before_the_port_is_even_tried(tmp_path: Path) -> None:
    # the port is taken: a bind attempt would report that instead of the missing login
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_dashboard(tmp_path, "--host", "0.0.0.0", "--port", str(port))
    assert result.returncode == 2
    assert "without a login" in result.stderr and "cannot listen" not in result.stderr


def test_require_login_without_a_login_is_refused_on_localhost(tmp_path: Path) -> None:
    result = run_dashboard(
        tmp_path, "--port", str(free_port()), env={"WAGATE_DASHBOARD__REQUIRE_LOGIN": "true"}
    )
    assert result.returncode == 2
    assert "require_login is set but no login is configured" in result.stderr


def test_a_readable_password_file_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "dashboard-password"
    secret.write_text("the-password-123")
    secret.chmod(0o644)
    result = run_dashboard(
        tmp_path, "--port", str(free_port()), env={"WAGATE_DASHBOARD_PASSWORD_FILE": str(secret)}
    )
    assert result.returncode == 2
    assert f"chmod 600 {secret}" in result.stderr
    assert "the-password-123" not in result.stderr + result.stdout


@pytest.mark.skipif(importlib.util.find_spec("authlib") is not None, reason="Authlib is installed here")
def test_an_oidc_login_without_authlib_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / ".streamlit" / "secrets.toml"
    path.parent.mkdir()
    path.write_text(CONFIGURED_OIDC)
    path.chmod(0o600)
    result = run_dashboard(tmp_path, "--host", "0.0.0.0", "--port", str(free_port()))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: the OIDC login needs Authlib (pip install 'streamlit[auth]' (Authlib>=1.3.2))"
    ]
