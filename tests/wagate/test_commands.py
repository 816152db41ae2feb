"""Commands are imported only when used, and every listed one really exists under its name."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from wagate.commands import COMMANDS, load_command

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_listed_command_loads_under_its_name(name: str) -> None:
    assert load_command(name).name == name


def test_running_the_linter_does_not_import_the_sender_dashboard_or_pipelines() -> None:
    probe = (
        "import sys\n"
        "from wagate.cli import cli\n"
        "try:\n"
        "    cli.main(['rules'], standalone_mode=False)\n"
        "finally:\n"
        "    loaded = [m for m in ('sender', 'dashboard', 'pipelines', 'streamlit', 'alerts') if m in sys.modules]\n"
        "    print('LOADED', loaded, file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=False, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert "LOADED []" in proc.stderr, proc.stderr
