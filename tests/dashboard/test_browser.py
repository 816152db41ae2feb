"""The real thing: `wagate dashboard` in a subprocess, every page in headless Chromium.

Needs Debian's chromium (`.ci/run` installs it with fonts-noto-cjk); skipped, with the reason,
only where /usr/bin/chromium is absent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from dashboard.i18n import Text
from tests.dashboard.browser import (
    CHROMIUM,
    PATHS,
    ROOT,
    chromium,
    click_nav,
    dashboard,
    free_port,
    open_page,
    screenshot,
)
from tests.dashboard.conftest import Workspaces

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian chromium is not installed (apt-get install chromium fonts-noto-cjk)"
)


@pytest.fixture(scope="module")
def served(workspaces: Workspaces) -> Iterator[str]:
    with dashboard(workspaces.seeded, free_port()) as base:
        yield base


def wagate_metrics(workspace: Path) -> list[dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAGATE_")}
    out = subprocess.run(
        [sys.executable, "-m", "wagate", "--workspace", str(workspace), "metrics", "--by", "campaign", "--format", "json"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    rows: list[dict[str, Any]] = json.loads(out.stdout)
    return rows


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as opened:
        yield opened


def test_every_page_renders_in_both_languages(served: str, browser: Browser, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    for lang in ("en", "zh"):
        t = Text(lang)  # type: ignore[arg-type]
        open_page(page, f"{served}/?range=all&lang={lang}")
        for index, key in enumerate(PATHS):
            click_nav(page, index)
            assert page.url.rstrip("/").split("?")[0].endswith(PATHS[key]), page.url
            assert page.locator("[data-testid='stException']").count() == 0, f"{key} ({lang}) raised"
            assert page.locator("[data-testid='stMainBlockContainer'] h1").first.inner_text() == t(
                f"{key}.title"
            )
            screenshot(page, tmp_path / f"{key}-{lang}.png")
    assert len(list(tmp_path.glob("*.png"))) == 2 * len(PATHS)


def test_overview_kpis_equal_wagate_metrics(served: str, browser: Browser, workspaces: Workspaces) -> None:
    rows = wagate_metrics(workspaces.seeded)
    total = {key: sum(int(row[key]) for row in rows) for key in rows[0] if isinstance(rows[0][key], int)}
    expected = {
        "Accepted": f"{total['accepted']:,}",
        "Delivery rate": f"{100 * total['delivered'] / total['accepted']:.1f}%",
        "Read rate": f"{100 * total['read'] / total['delivered']:.1f}%",
        "Response rate": f"{100 * total['responded'] / total['delivered']:.1f}%",
        "Opt-out rate": f"{100 * total['opted_out'] / total['delivered']:.2f}%",
        "Complaint rate": f"{100 * total['complained'] / total['delivered']:.2f}%",
        "Block rate (estimated)": f"{100 * total['blocked_est'] / total['accepted']:.2f}%",
        "Sends after opt-out": f"{total['sends_after_opt_out']:,}",
    }
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    open_page(page, f"{served}/?range=all&lang=en")
    page.wait_for_function(
        "n => document.querySelectorAll(\"[data-testid='stMetricValue']\").length >= n", arg=8
    )
    shown = {
        card.locator("[data-testid='stMetricLabel']").inner_text().strip(): card.locator(
            "[data-testid='stMetricValue']"
        )
        .inner_text()
        .strip()
        for card in page.locator("[data-testid='stMetric']").all()
    }
    assert {label: shown.get(label) for label in expected} == expected


def test_filters_stay_in_the_url_across_pages(served: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    open_page(page, f"{served}/?range=7d&country=BR&lang=zh")
    click_nav(page, list(PATHS).index("countries"))
    assert "/countries?" in page.url
    assert all(part in page.url for part in ("range=7d", "country=BR", "lang=zh"))
    assert "巴西" in page.locator("[data-testid='stSidebar']").inner_text()  # the chosen country, in Chinese
