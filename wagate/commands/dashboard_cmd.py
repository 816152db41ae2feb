"""`wagate dashboard`: serve the Streamlit dashboard (beyond localhost only behind a login).

The process becomes ``streamlit run dashboard/app.py`` (exec, so signals and the exit code are
Streamlit's own); the workspace reaches the app as ``WAGATE_WORKSPACE``, where the dashboard's
entry point builds its settings. The dashboard reads only the published snapshot, so it can run
next to `wagate ingest`.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
from pathlib import Path

import click

from core.access import LoginConfig, check_exposure, login_config, secrets_file
from core.errors import InputError
from wagate.context import Context


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8501, show_default=True, help="Port to listen on."
)
@click.pass_obj
def dashboard(obj: Context, host: str, port: int) -> None:
    """Open the manager dashboard (delivery, engagement, compliance, quality) in a browser."""
    settings = obj.settings
    app = app_path()
    # before binding anything: a dashboard beyond localhost without a login must never be up
    login = login_config(settings)
    check_exposure(host, login)
    _check_oidc_installed(login)
    _check_free(host, port)
    env = dict(os.environ)
    env["WAGATE_WORKSPACE"] = str(settings.workspace.resolve())
    # the app imports `dashboard` and `core` from the folder that holds them, however wagate is installed
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(app.parent.parent), env.get("PYTHONPATH", "")) if p)
    click.echo(
        f"wagate dashboard: http://{host}:{port}  (workspace {settings.workspace.resolve()})", err=True
    )
    sys.stdout.flush()
    sys.stderr.flush()
    command = [*streamlit_command(app, host, port), "--secrets.files", str(secrets_file(settings).resolve())]
    os.execve(sys.executable, command, env)


def app_path() -> Path:
    """The dashboard's entry point, found without importing it (wagate and dashboard are siblings).

    Both are top-level packages of one distribution, side by side in the source tree and in
    site-packages alike.
    """
    app = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
    if not app.is_file():
        raise InputError(f"the dashboard is not installed (no {app})", hint="reinstall wagate")
    return app


def streamlit_command(app: Path, host: str, port: int) -> list[str]:
    """The `streamlit run` command line: headless, no telemetry, no file watcher, own static files."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--server.enableStaticServing",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",
        "--theme.base",
        "light",
    ]


def _check_oidc_installed(login: LoginConfig) -> None:
    if login.mode != "oidc":
        return
    # Streamlit's st.login needs Authlib, and would fail only at the first login
    if importlib.util.find_spec("authlib") is None:
        raise InputError(
            "the OIDC login needs Authlib", hint="pip install 'streamlit[auth]' (Authlib>=1.3.2)"
        )


def _check_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        # as the server will: a port left in TIME_WAIT by a previous run is free to use
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise InputError(
                f"cannot listen on {host}:{port}: {exc.strerror}", hint="pick another --port or --host"
            ) from None
