"""`wagate dashboard`: serve the Streamlit dashboard on a local address.

The process becomes ``streamlit run dashboard/app.py`` (exec, so signals and the exit code are
Streamlit's own); the workspace reaches the app as ``WAGATE_WORKSPACE``, where the dashboard's
entry point builds its settings. The dashboard reads only the published snapshot, so it can run
next to `wagate ingest`.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import click

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
    os.execve(sys.executable, streamlit_command(app, host, port), env)


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
