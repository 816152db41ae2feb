"""bench/dashboard: every query the dashboard's pages run, on 10 M messages and 30 M status events.

    python3 dev.py bench dashboard [--messages 10000000] [--events 30000000] [--rebuild] [--no-browser]

Steps, all in one run:
1. build the warehouse straight into its tables with DuckDB SQL (bench/dashboard/build.py; about
   3 minutes, reused while the spec is unchanged);
2. baselines (best of 5): ``SELECT count(*) FROM raw.status_events``, which DuckDB answers
   from block metadata in well under a millisecond, and a scan that reads one column of all
   30 M rows (``WHERE status = 'read'``), the more telling yardstick;
3. every page rendered with Streamlit's AppTest, cache cleared first, with the default filters
   (last 30 days) and over all time; every statement a page runs is timed where it runs
   (core.warehouse) and named after its core.queries / core.dashboard_queries function; all of it
   ``--repeat`` times (default 3), reporting the median, since this machine is shared and noisy;
4. the Overview's first render: AppTest with an empty cache, and in headless Chromium (when
   Debian's chromium is installed) from navigation to a settled page.
Targets: every query < 500 ms, the Overview's first render < 3 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from build import BenchSpec, build  # noqa: E402

from core.warehouse import Warehouse  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
BUILD_VERSION = 2  # bump when build.py changes what it writes
QUERY_TARGET_MS = 500.0
RENDER_TARGET_S = 3.0
PAGES = ("overview", "campaigns", "countries", "compliance", "quality", "errors", "definitions")


@dataclass
class Timing:
    """One statement a page ran."""

    page: str
    filters: str
    query: str
    ms: float


def ensure_warehouse(spec: BenchSpec, rebuild: bool) -> Path:
    """The benchmark warehouse, built unless one with the same spec exists."""
    workspace = OUT / "workspace"
    path = workspace / "warehouse.duckdb"
    marker = workspace / "spec.json"
    wanted = {"build": BUILD_VERSION, **{k: str(v) for k, v in asdict(spec).items()}}
    if not rebuild and path.exists() and marker.exists() and json.loads(marker.read_text()) == wanted:
        print(f"reusing {path} ({path.stat().st_size / 1e9:.1f} GB)")
        return workspace
    workspace.mkdir(parents=True, exist_ok=True)
    print(f"building {spec.messages:,} messages and {spec.status_events:,} status events into {path} ...")
    started = time.perf_counter()
    build(path, spec)
    marker.write_text(json.dumps(wanted))
    print(f"built in {time.perf_counter() - started:.0f} s")
    return workspace


def baselines(path: Path) -> dict[str, float]:
    """count(*) of raw.status_events and a one-column full scan, best of 5, in ms."""
    found = {}
    with Warehouse.open_reader(path) as wh:
        for name, sql in (
            ("count(*) raw.status_events", "SELECT count(*) FROM raw.status_events"),
            # DuckDB answers a bare count(*) from block metadata; this one has to read a column
            (
                "scan of raw.status_events.status",
                "SELECT count(*) FROM raw.status_events WHERE status = 'read'",
            ),
        ):
            best = float("inf")
            for _ in range(5):
                started = time.perf_counter()
                wh.scalar(sql)
                best = min(best, time.perf_counter() - started)
            found[name] = best * 1000
    return found


@contextmanager
def recording(into: list[Timing], where: dict[str, str]) -> Iterator[None]:
    """Time every statement run through Warehouse.dicts/scalar, named by its query-module caller."""
    originals: dict[str, Callable[..., Any]] = {
        name: getattr(Warehouse, name) for name in ("dicts", "scalar")
    }

    def wrap(name: str) -> Callable[..., Any]:
        def timed(self: Warehouse, *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return originals[name](self, *args, **kwargs)
            finally:
                elapsed = (time.perf_counter() - started) * 1000
                into.append(Timing(where["page"], where["filters"], _caller(), elapsed))

        return timed

    for name in originals:
        setattr(Warehouse, name, wrap(name))
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(Warehouse, name, original)


_QUERY_MODULES = ("core.queries", "core.dashboard_queries")


def _caller() -> str:
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_globals.get("__name__") in _QUERY_MODULES and frame.f_code.co_name != "<genexpr>":
            by = frame.f_locals.get("by")
            return f"{frame.f_code.co_name}({by})" if isinstance(by, str) else frame.f_code.co_name
        frame = frame.f_back  # type: ignore[assignment]
    return "?"


def run_pages(workspace: Path, timings: list[Timing]) -> dict[str, float]:
    """Render every page (cold cache) with the default filters and over all time; seconds per page.

    Each query is tagged with its position in the page so repeated runs can be lined up.
    """
    from streamlit.testing.v1 import AppTest

    from dashboard import data

    os.environ["WAGATE_WORKSPACE"] = str(workspace)
    where = {"page": "", "filters": ""}
    renders = {}
    with recording(timings, where):
        for filters, params in (("last 30 days", {}), ("all time", {"range": "all"})):
            for page in PAGES:
                data.clear()
                where.update(page=page, filters=filters)
                at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120)
                for key, value in params.items():
                    at.query_params[key] = value
                at.switch_page(f"app_pages/{page}.py")
                started = time.perf_counter()
                at.run()
                renders[f"{page} ({filters})"] = time.perf_counter() - started
                if at.exception:
                    sys.exit(f"{page} raised: {at.exception[0].message}")
    return renders


def median_of(runs: list[tuple[list[Timing], dict[str, float]]]) -> tuple[list[Timing], dict[str, float]]:
    """Per query (lined up by position) and per page render, the median over the repeated runs."""
    first, renders = runs[0]
    timings = [
        Timing(t.page, t.filters, t.query, statistics.median(run[i].ms for run, _ in runs))
        for i, t in enumerate(first)
    ]
    return timings, {name: statistics.median(r[name] for _, r in runs) for name in renders}


def browser_first_render(workspace: Path) -> float | None:
    """Seconds from opening the Overview in Chromium to a settled page (None without chromium)."""
    from tests.dashboard.browser import CHROMIUM, chromium, dashboard, free_port, open_page

    if not CHROMIUM.exists():
        return None
    with dashboard(workspace, free_port()) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        started = time.perf_counter()
        open_page(page, f"{base}/")
        return time.perf_counter() - started


def report(
    timings: list[Timing], base: dict[str, float], renders: dict[str, float], browser: float | None
) -> bool:
    """Print every query with its ratio to the count(*) baseline; True when every target is met."""
    count_ms = base["count(*) raw.status_events"]
    scan_ms = base["scan of raw.status_events.status"]
    for name, ms in base.items():
        print(f"baseline {name:42} {ms:8.2f} ms")
    header = f"{'page':12} {'filters':13} {'query':34} {'ms':>8} {'x count(*)':>11} {'x scan':>7}"
    print(f"\n{header}  target < {QUERY_TARGET_MS:.0f} ms")
    ok = True
    for t in timings:
        flag = "ok" if t.ms < QUERY_TARGET_MS else "SLOW"
        ok &= t.ms < QUERY_TARGET_MS
        print(
            f"{t.page:12} {t.filters:13} {t.query:34} {t.ms:8.1f} {t.ms / count_ms:10.0f}x "
            f"{t.ms / scan_ms:6.1f}x  {flag}"
        )
    print()
    for name, seconds in renders.items():
        print(f"render {name:34} {seconds:6.2f} s")
    first = renders["overview (last 30 days)"]
    ok &= first < RENDER_TARGET_S
    print(
        f"\nOverview first render (AppTest, cold cache, median): {first:.2f} s  target < {RENDER_TARGET_S} s"
    )
    if browser is not None:
        # informational: includes the frontend's own start-up and chart drawing without a GPU
        print(f"Overview in Chromium, navigation to settled page (first visit): {browser:.2f} s")
    slowest = max(timings, key=lambda t: t.ms)
    print(f"slowest query: {slowest.query} on {slowest.page} ({slowest.filters}): {slowest.ms:.0f} ms")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=10_000_000)
    parser.add_argument("--events", type=int, default=30_000_000)
    parser.add_argument("--rebuild", action="store_true", help="Build the warehouse even if one exists.")
    parser.add_argument("--no-browser", action="store_true", help="Skip the Chromium first-render timing.")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="Render every page this many times; report the median (shared machine).",
    )
    args = parser.parse_args()
    spec = BenchSpec(
        messages=args.messages, status_events=args.events, contacts=max(1000, args.messages * 7 // 20)
    )
    workspace = ensure_warehouse(spec, args.rebuild)
    base = baselines(workspace / "warehouse.duckdb")
    runs = []
    for _ in range(args.repeat):
        once: list[Timing] = []
        runs.append((once, run_pages(workspace, once)))
    timings, renders = median_of(runs)
    browser = None if args.no_browser else browser_first_render(workspace)
    ok = report(timings, base, renders, browser)
    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "spec": {k: str(v) for k, v in asdict(spec).items()},
        "baselines_ms": base,
        "queries": [asdict(t) for t in timings],
        "renders_s": renders,
        "browser_first_render_s": browser,
        "all_targets_met": ok,
    }
    (OUT / "results.json").write_text(json.dumps(results, indent=1))
    print(f"results: {OUT / 'results.json'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
