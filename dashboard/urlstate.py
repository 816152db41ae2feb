"""Widget values mirrored in the address bar, so a copied link opens exactly the same view.

Streamlit's own ``bind="query-params"`` writes a widget's *display label* into the URL, which
would make links depend on the UI language ("Last 7 days" vs "最近 7 天"). Instead each widget's
state is seeded from the URL once per session (:func:`seed`, before the widget is drawn) and its
raw value written back after (:func:`publish`): ``?lang=zh&range=7d&country=BR&country=DE``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import streamlit as st


def seed(key: str, allowed: Sequence[Any], default: Any, *, many: bool = False) -> None:
    """Give widget ``key`` its value before it is drawn: kept state, else the URL, else ``default``.

    Values no longer among ``allowed`` (a campaign that left the data, a hand-edited URL) are
    dropped rather than raising.
    """
    names = {str(option): option for option in allowed}
    if key in st.session_state:
        current = st.session_state[key]
        if many:
            st.session_state[key] = [value for value in current if str(value) in names]
        elif str(current) not in names:
            st.session_state[key] = default
        return
    from_url = [names[value] for value in st.query_params.get_all(key) if value in names]
    if many:
        st.session_state[key] = from_url
    else:
        st.session_state[key] = from_url[0] if from_url else default


def publish(key: str, value: Any, default: Any = None) -> None:
    """Write a widget's value to the URL; the default (or nothing chosen) leaves the URL clean."""
    if value is None or value == default or (isinstance(value, (list, tuple)) and not value):
        if key in st.query_params:
            del st.query_params[key]
    elif isinstance(value, (list, tuple)):
        st.query_params[key] = [str(item) for item in value]
    else:
        st.query_params[key] = str(value)


def keep_only(keys: Collection[str]) -> None:
    """Drop URL parameters that belong to no widget of the current page (e.g. another page's)."""
    for key in list(st.query_params.keys()):
        if key not in keys:
            del st.query_params[key]
