"""The real dashboard behind the password login, driven in headless Chromium.

Served on 127.0.0.1 with ``require_login`` so the login is exercised without binding beyond
this machine: a wrong password is refused, the right one shows the overview, numbers stay masked
for a viewer, and an admin reveals them (logged, without the numbers).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.dashboard.browser import CHROMIUM, chromium, click_nav, dashboard, free_port, settle
from tests.dashboard.conftest import Workspaces

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian chromium is not installed (apt-get install chromium fonts-noto-cjk)"
)

VIEWER_PW = "viewer-browser-pw-1"
ADMIN_PW = "admin-browser-pw-2"
QUALITY = 4  # position of the Quality page in the sidebar


def served_with_login(workspace: Path, admin_file: Path, log: Path) -> AbstractContextManager[str]:
    """`wagate dashboard` on 127.0.0.1 with require_login and both passwords; its output in ``log``."""
    env = {
        "WAGATE_DASHBOARD__REQUIRE_LOGIN": "true",
        "WAGATE_DASHBOARD_PASSWORD": VIEWER_PW,
        "WAGATE_DASHBOARD_ADMIN_PASSWORD_FILE": str(admin_file),
    }
    return dashboard(workspace, free_port(), env=env, log=log)


@pytest.fixture(scope="module")
def setup(workspaces: Workspaces, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("login")
    admin_file = folder / "admin-password"
    admin_file.write_text(ADMIN_PW + "\n")
    admin_file.chmod(0o600)
    log = folder / "dashboard.log"
    with served_with_login(workspaces.seeded, admin_file, log) as base:
        yield base, log


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as opened:
        yield opened


def log_in(page: Page, base: str, password: str) -> None:
    page.goto(f"{base}/?lang=en&range=all")
    settle(page)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


def number_labels(page: Page) -> list[str]:
    """The business numbers on the y axis of the Quality page's first chart."""
    chart = page.locator("[data-testid='stPlotlyChart']").first
    chart.locator(".ytick text").first.wait_for()
    return [text for text in chart.locator(".ytick text").all_text_contents() if text.strip()]


def test_wrong_password_is_refused_and_the_right_one_opens_the_overview(
    setup: tuple[str, Path], browser: Browser
) -> None:
    base, _ = setup
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    page.goto(f"{base}/?lang=en&range=all")
    settle(page)
    main = page.locator("[data-testid='stMainBlockContainer']")
    expect(main.locator("h1")).to_have_text("Log in to wagate")
    assert page.locator("[data-testid='stSidebarNav']").count() == 0  # no pages before login
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Wrong password.")).to_be_visible()
    expect(main.locator("h1")).to_have_text("Log in to wagate")
    page.get_by_label("Password", exact=True).fill(VIEWER_PW)
    page.get_by_role("button", name="Log in").click()
    expect(main.locator("h1")).to_have_text("Overview", timeout=30_000)
    settle(page)


def test_a_viewer_sees_masked_numbers_and_no_reveal(setup: tuple[str, Path], browser: Browser) -> None:
    base, _ = setup
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    log_in(page, base, VIEWER_PW)
    expect(page.locator("[data-testid='stMainBlockContainer'] h1")).to_have_text("Overview", timeout=30_000)
    settle(page)
    click_nav(page, QUALITY)
    labels = number_labels(page)
    assert labels and all("•••" in label for label in labels), labels
    assert page.get_by_text("Show full numbers").count() == 0


def test_an_admin_reveals_full_numbers_and_the_log_names_no_number(
    setup: tuple[str, Path], browser: Browser
) -> None:
    base, log = setup
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    log_in(page, base, ADMIN_PW)
    expect(page.locator("[data-testid='stMainBlockContainer'] h1")).to_have_text("Overview", timeout=30_000)
    settle(page)
    click_nav(page, QUALITY)
    masked = number_labels(page)
    assert masked and all("•••" in label for label in masked)  # masked until asked for
    page.get_by_text("Show full numbers").click()
    expect(
        page.locator("[data-testid='stPlotlyChart']").first.locator(".ytick text").first
    ).not_to_contain_text("•••", timeout=30_000)
    settle(page)
    full = number_labels(page)
    assert full and all(re.fullmatch(r"\+\d{8,15}", label) for label in full), full
    assert {label[-2:] for label in full} == {label[-2:] for label in masked}  # the same numbers
    text = log.read_text(errors="replace")
    assert "full phone numbers revealed: user=admin role=admin page=quality" in text
    assert not any(label.lstrip("+") in text for label in full)
    assert ADMIN_PW not in text and VIEWER_PW not in text
