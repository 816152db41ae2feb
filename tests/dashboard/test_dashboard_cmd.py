"""`wagate dashboard`: where it listens, what it runs, and a clear error when it cannot listen."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from tests.dashboard.conftest import ROOT
from wagate.commands.dashboard_cmd import app_path, streamlit_command


def test_runs_the_dashboard_app_headless_on_the_given_address() -> None:
    app = app_path()
    assert app == ROOT / "dashboard" / "app.py"
    command = streamlit_command(app, "127.0.0.1", 8600)
    assert command[1:5] == ["-m", "streamlit", "run", str(app)]
    pairs = dict(zip(command[5::2], command[6::2], strict=True))
    assert pairs["--server.address"] == "127.0.0.1"
    assert pairs["--server.port"] == "8600"
    assert pairs["--server.headless"] == "true"
    assert pairs["--browser.gatherUsageStats"] == "false"  # no telemetry leaves the machine
    assert pairs["--server.enableStaticServing"] == "true"  # the world map is served locally


def test_a_busy_port_is_a_one_line_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("WAGATE_")}
        result = subprocess.run(
            [sys.executable, "-m", "wagate", "--workspace", str(tmp_path), "dashboard", "--port", str(port)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
