#!/usr/bin/env python3
"""Developer tasks that need nothing but python3 on a fresh machine.

    python3 dev.py demo     # build a sample workspace, ingest it, print metrics
    python3 dev.py test     # ruff (lint and format), mypy, import-linter, generated-docs check, pytest
    python3 dev.py bench ingest [args]
    python3 dev.py docs     # regenerate docs/ from code

The first call creates .venv and installs the project with its dev extras; later calls reuse it
and reinstall only when pyproject.toml changed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
STAMP = VENV / ".wagate-installed"


def ensure_env() -> None:
    """Create the virtual environment and install the project when needed."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("installing wagate and its dependencies into .venv ...", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    run([*pip, "-e", f"{ROOT}[dev]"])
    STAMP.write_text(wanted)


def run(cmd: list[str], env: dict[str, str] | None = None) -> None:
    """Run a command from the project root; stop with its exit code on failure."""
    result = subprocess.run(cmd, cwd=ROOT, env=env, check=False)
    if result.returncode != 0:
        sys.exit(result.returncode)


def tool(name: str) -> str:
    """Path of an executable in the virtual environment."""
    return str(BIN / name)


def task_demo(args: list[str]) -> None:
    run([tool("wagate"), "demo", *args])


def task_test(args: list[str]) -> None:
    run([tool("ruff"), "check", "."])
    run([tool("ruff"), "format", "--check", "."])
    run([tool("mypy")])
    run([tool("lint-imports")])
    run([tool("wagate"), "docs", "--check"])
    workers = os.environ.get("WAGATE_TEST_WORKERS", "2")
    run([tool("pytest"), "-n", workers, *args])


def task_bench(args: list[str]) -> None:
    if not args:
        sys.exit("usage: python3 dev.py bench NAME [args]  (NAME: a folder under bench/)")
    name, *rest = args
    run([tool("python"), str(ROOT / "bench" / name / "run.py"), *rest])


def task_docs(args: list[str]) -> None:
    run([tool("wagate"), "docs", *args])


TASKS = {"demo": task_demo, "test": task_test, "bench": task_bench, "docs": task_docs}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        sys.exit(f"usage: python3 dev.py {{{'|'.join(TASKS)}}} [args]")
    ensure_env()
    TASKS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
