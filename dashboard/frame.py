"""What surrounds every page: settings, the language switch, the shared filters and the page list.

app.py calls :func:`sidebar` once per run, before the selected page runs; the page then reads
the resulting :class:`View` with :func:`current`. Settings are built here, at the edge, from the
workspace `wagate dashboard` passes in ``WAGATE_WORKSPACE``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import polars as pl
import streamlit as st

from core.config import Settings, load_settings
from core.dashboard_queries import Slice
from core.errors import WagateError
from dashboard import data, filters, urlstate
from dashboard.i18n import LANGS, LANGUAGE_NAMES, Text, as_lang
from dashboard.login import Viewer, gate

_VIEW_KEY = "_wagate_view"

# page key -> (file relative to app.py, Material icon, the page's own URL parameters);
# titles come from the locale files
PAGES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "overview": ("app_pages/overview.py", ":material/dashboard:", ()),
    "campaigns": ("app_pages/campaigns.py", ":material/campaign:", ("by", "drill")),
    "countries": ("app_pages/countries.py", ":material/public:", ("map",)),
    "compliance": ("app_pages/compliance.py", ":material/verified_user:", ()),
    "quality": ("app_pages/quality.py", ":material/health_and_safety:", ()),
    "errors": ("app_pages/errors.py", ":material/error:", ()),
    "definitions": ("app_pages/definitions.py", ":material/menu_book:", ()),
}
SHARED_PARAMS = ("lang", "range", "dates", *filters.PARAMS.values())


@dataclass(frozen=True)
class View:
    """Everything a page needs to know about the current run."""

    t: Text
    settings: Settings
    src: data.Source
    status: data.Status
    preset: str = filters.DEFAULT_PRESET
    slice: Slice = field(default_factory=Slice)
    options: pl.DataFrame = field(default_factory=pl.DataFrame)
    viewer: Viewer = field(default_factory=Viewer)

    @property
    def has_data(self) -> bool:
        """Whether the warehouse is ready and holds messages."""
        return self.status == "ready" and not self.options.is_empty()

    @property
    def last_day(self) -> date | None:
        """The newest day with messages."""
        return filters.day_bounds(self.options)[1]


def sidebar() -> View:
    """Draw the language switch and the filters, and remember the view for the page.

    A session that must log in sees the login page instead (nothing is read before that).
    """
    t = Text(as_lang(_language()))
    settings = _settings(t)
    viewer = gate(t, settings)
    src = data.source(settings)
    view = View(t=t, settings=settings, src=src, status="missing", viewer=viewer)
    with guard(t):
        status = data.status(src)
        view = View(t=t, settings=settings, src=src, status=status, viewer=viewer)
        if status == "ready":
            options = data.options(src)
            if not options.is_empty():
                preset, chosen = filters.render(t, options)
                view = View(t, settings, src, status, preset, chosen, options, viewer)
    st.session_state[_VIEW_KEY] = view
    return view


def _language() -> str:
    # a Chinese browser opens in Chinese; ?lang= (a shared link) or the switch overrides it
    default = "zh" if (st.context.locale or "").lower().startswith("zh") else "en"
    urlstate.seed("lang", LANGS, default)
    choice = st.sidebar.segmented_control(
        "Language / 语言", LANGS, format_func=lambda lang: LANGUAGE_NAMES[lang], key="lang"
    )
    urlstate.publish("lang", choice, default)
    return choice or default


def _settings(t: Text) -> Settings:
    try:
        return load_settings()
    except WagateError as exc:
        st.error(t("frame.bad_settings", error=exc.one_line()))
        st.stop()
        raise  # st.stop() raises; this keeps type checkers sure the function never falls through


def current() -> View:
    """The view :func:`sidebar` built in this run."""
    view: View = st.session_state[_VIEW_KEY]
    return view


def pages(t: Text) -> list[st.Page]:
    """The navigation entries, titled in the UI language."""
    return [
        st.Page(path, title=t(f"nav.{key}"), icon=icon, default=key == "overview")
        for key, (path, icon, _) in PAGES.items()
    ]


def tidy_url(page: st.Page) -> None:
    """Keep only the shared filters and the selected page's own parameters in the URL."""
    key = page.url_path or "overview"
    urlstate.keep_only((*SHARED_PARAMS, *(PAGES[key][2] if key in PAGES else ())))


@contextmanager
def guard(t: Text) -> Iterator[None]:
    """Show a wagate error (warehouse unreadable, settings invalid) as a message, not a traceback."""
    try:
        yield
    except WagateError as exc:
        st.error(t("frame.read_error", error=exc.one_line()))
