"""Fixtures of the linter tests."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

CASES = Path(__file__).parent / "cases"
GOLDEN = Path(__file__).parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--update-golden`` rewrites the golden files instead of comparing with them."""
    parser.addoption("--update-golden", action="store_true", default=False, help="rewrite tests/lint/golden")


@pytest.fixture(scope="session")
def shared_drafts() -> dict[str, Any]:
    """The drafts of tests/lint/cases/_drafts.toml."""
    return tomllib.loads((CASES / "_drafts.toml").read_text(encoding="utf-8"))


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """Whether golden files should be rewritten."""
    return bool(request.config.getoption("--update-golden"))
