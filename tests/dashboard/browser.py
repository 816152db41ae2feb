"""Drive the real dashboard in headless Chromium (Debian's package, through Playwright).

Used by test_browser.py, and to refresh the README screenshots:

    .venv/bin/python -m tests.dashboard.browser --workspace data --out docs/screenshots
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from playwright.sync_api import Browser, Page, sync_playwright

from tests.dashboard.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# page key -> URL path (the overview is the root)
PATHS = {
    "overview": "",
    "campaigns": "campaigns",
    "countries": "countries",
    "compliance": "compliance",
    "quality": "quality",
    "errors": "errors",
    "definitions": "definitions",
}


def free_port() -> int:
    """A TCP port nothing listens on right now (on 127.0.0.1)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def dashboard(
    workspace: Path, port: int, *, env: dict[str, str] | None = None, log: Path | None = None
) -> Iterator[str]:
    """`wagate dashboard` serving ``workspace`` on 127.0.0.1:``port``; yields its base URL.

    ``env`` adds variables to a clean environment (no inherited WAGATE_*); its output goes to
    ``log`` when given (a test may read it afterwards), else to a temporary file.
    """
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WAGATE_")} | (env or {})
    command = [
        sys.executable,
        "-m",
        "wagate",
        "--workspace",
        str(workspace),
        "dashboard",
        "--port",
        str(port),
    ]
    with log.open("w+b") if log is not None else tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(base, proc, out)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_healthy(base: str, proc: subprocess.Popen[bytes], log: IO[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            output = log.read().decode(errors="replace")
            raise RuntimeError(f"wagate dashboard exited with {proc.returncode}: {output[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"wagate dashboard did not answer on {base} within {timeout:.0f} s")


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Debian Chromium."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


_SETTLE = """(quiet) => new Promise((resolve, reject) => {
    // settled: the script has finished and no element came or went for `quiet` ms
    const started = performance.now();
    let count = -1, since = performance.now();
    const tick = () => {
        const app = document.querySelector("[data-testid='stApp']");
        const running = !app || app.getAttribute("data-test-script-state") !== "notRunning";
        const now = document.querySelectorAll("[data-testid]").length;
        if (running || now !== count) { count = now; since = performance.now(); }
        const titled = document.querySelector("[data-testid='stMainBlockContainer'] h1");
        if (!running && titled && performance.now() - since > quiet) { resolve(true); return; }
        if (performance.now() - started > 30000) { reject(new Error("the page did not settle")); return; }
        setTimeout(tick, 50);
    };
    tick();
})"""


def settle(page: Page, quiet_ms: int = 300) -> None:
    """Wait until the app's script has finished and the page stopped changing."""
    page.evaluate(_SETTLE, quiet_ms)


def open_page(page: Page, url: str) -> None:
    """Load a dashboard URL (a new session) and wait until it has settled."""
    page.goto(url)
    settle(page)


def click_nav(page: Page, index: int) -> None:
    """Go to the ``index``-th page through the sidebar (same session, like a user) and settle."""
    link = page.locator("[data-testid='stSidebarNav'] a").nth(index)
    if link.get_attribute("aria-current") == "page":
        return  # already there
    before = page.url
    link.click()
    page.wait_for_url(lambda url: url != before)
    settle(page)


def screenshot(page: Page, path: Path) -> None:
    """The whole app (its main area scrolls inside the window, so grow the window to fit)."""
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight"
    )
    page.set_viewport_size({"width": 1440, "height": max(900, int(height) + 80)})
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": 1440, "height": 900})


def main() -> None:
    """Save a screenshot of every page in both languages (for the README)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workspace", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--query", default="range=all", help="URL parameters for every page")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with dashboard(args.workspace, free_port()) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        for lang in ("en", "zh"):
            open_page(page, f"{base}/?{args.query}&lang={lang}")
            for index, key in enumerate(PATHS):
                click_nav(page, index)
                screenshot(page, args.out / f"{key}-{lang}.png")
                print(f"saved {args.out / f'{key}-{lang}.png'}")


if __name__ == "__main__":
    main()
