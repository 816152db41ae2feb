"""Every page renders with AppTest, in both languages, on a seeded, an empty and a missing warehouse."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.i18n import Text
from tests.dashboard.conftest import APP, PAGES


def run_page(page: str, params: dict[str, str | list[str]] | None = None) -> AppTest:
    """Run the app as a user landing on ``page`` with the given URL parameters."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.switch_page(f"app_pages/{page}.py")
    return at.run()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_seeded_warehouse(use_workspace: Callable[[str], Path], page: str, lang: str) -> None:
    use_workspace("seeded")
    at = run_page(page, {"lang": lang, "range": "all"})
    t = Text(lang)  # type: ignore[arg-type]
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == t(f"{page}.title")
    # real content, not an empty state: every page but Definitions draws a table or a chart
    assert not [info for info in at.info if t("empty.no_messages") in info.value]
    assert at.get("arrow_data_frame") or at.get("plotly_chart") or at.get("table")


@pytest.mark.parametrize("kind", ["empty", "missing"])
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", PAGES)
def test_page_shows_empty_state_without_data(
    use_workspace: Callable[[str], Path], page: str, lang: str, kind: str
) -> None:
    workspace = use_workspace(kind)
    at = run_page(page, {"lang": lang})
    t = Text(lang)  # type: ignore[arg-type]
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error
    if page == "definitions":  # static: explains the numbers even before there are any
        assert at.get("table")
        return
    # empty: says there are no messages yet; missing: names where the warehouse should be
    expected = t("empty.no_messages") if kind == "empty" else str(workspace / "warehouse.duckdb")
    assert any(expected in info.value for info in at.info), [i.value for i in at.info]
    assert any("wagate demo" in code.value for code in at.code)  # tells the user what to run


def test_unloaded_warehouse_file_is_an_empty_state_too(
    use_workspace: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a warehouse file without tables (created by hand, or a load that never finished)
    from core.warehouse import Warehouse

    with Warehouse.open_writer(tmp_path / "warehouse.duckdb"):
        pass
    monkeypatch.setenv("WAGATE_WORKSPACE", str(tmp_path))
    at = run_page("overview")
    assert not at.exception
    assert any(Text("en")("empty.unready") in info.value for info in at.info)
