"""Entry point of `streamlit run dashboard/app.py` (started by `wagate dashboard`): the router.

It sets the page up, draws what every page shares (language switch and filters, kept here so
their state survives page switches) and runs the selected page. Pages live in app_pages/.
"""

from __future__ import annotations

import streamlit as st

from dashboard import frame

st.set_page_config(page_title="wagate", page_icon=":material/monitoring:", layout="wide")
view = frame.sidebar()
page = st.navigation(frame.pages(view.t))
frame.tidy_url(page)
with frame.guard(view.t):
    page.run()
