"""Shared fixtures: every test builds its own workspace under tmp_path and never reads data/."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class CliResult:
    """What a real `wagate` process printed and returned."""

    code: int
    stdout: str
    stderr: str


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """An empty workspace folder."""
    path = tmp_path / "ws"
    path.mkdir()
    return path


@pytest.fixture
def wagate_cli(workspace: Path):  # type: ignore[no-untyped-def]
    """Run `python -m wagate --workspace <workspace> ARGS...` as a real subprocess."""

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> CliResult:
        proc = subprocess.run(
            [sys.executable, "-m", "wagate", "--workspace", str(workspace), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=False,
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    return run
