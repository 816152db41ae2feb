"""The login page, the logout button, and who the current user is (:class:`Viewer`).

The decisions (which login, which role, lockouts) live in ``core.access``; this module draws
them. :func:`gate` runs before any data is read: a session that must log in sees only the
login page (in the language the switch selects) until it has.
"""

from __future__ import annotations

import logging
import math
import os
import sys
from dataclasses import dataclass

import streamlit as st
from streamlit import config

from core.access import (
    Lockout,
    LoginConfig,
    Role,
    login_config,
    password_role,
    session_token,
    token_valid,
)
from core.config import Settings
from core.errors import WagateError
from core.redact import Redactor, install, secret_values
from dashboard.i18n import Text

_LOGIN_KEY = "_wagate_login"
ACCESS_LOGGER = "wagate.dashboard.access"


@dataclass(frozen=True, slots=True)
class Viewer:
    """The person looking at the dashboard."""

    name: str = ""  # e-mail (OIDC) or role (password); empty when no login is needed
    role: str = "local"
    can_reveal: bool = False  # may reveal full phone numbers


def gate(t: Text, settings: Settings) -> Viewer:
    """The logged-in viewer; shows the login page and stops the run while there is none."""
    _log_setup()
    try:
        config = login_config(settings)
    except WagateError as exc:
        st.error(t("frame.bad_settings", error=exc.one_line()))
        st.stop()
        raise
    host = _bound_address()
    if not config.needed(host):
        return Viewer()
    if config.mode is None:
        st.title(t("login.title"))
        st.error(t("login.not_configured"))
        st.stop()
    if config.mode == "oidc":
        return _oidc(t, config)
    return _password(t, settings)


def _bound_address() -> str:
    # AppTest runs the script in-process (no server, nothing listens); it sets this hidden option
    # through streamlit.config.get_option, which st.get_option does not see
    if config.get_option("global.appTest"):
        return "localhost"
    # unset, Streamlit listens on every interface (`streamlit run` by hand): not local
    return str(st.get_option("server.address") or "0.0.0.0")


def _password(t: Text, settings: Settings) -> Viewer:
    held = st.session_state.get(_LOGIN_KEY)
    if held is not None and token_valid(held[1], held[0], settings):
        role: Role = held[0]
        st.sidebar.button(t("login.logout"), on_click=_forget, icon=":material/logout:")
        return Viewer(name=role, role=role, can_reveal=role == "admin")
    st.title(t("login.title"))
    lockout = _lockout(settings.dashboard.max_login_failures, settings.dashboard.lockout_seconds)
    client = _client()
    if (left := lockout.remaining(client)) > 0:
        st.error(t("login.locked", minutes=math.ceil(left / 60)))
        st.stop()
    with st.form("wagate_login", clear_on_submit=True):
        given = st.text_input(t("login.password"), type="password")
        submitted = st.form_submit_button(t("login.submit"))
    if submitted:
        found = password_role(given, settings) if given else None
        if found is None:
            lockout.failed(client)
            _log().warning("dashboard login refused: wrong password from %s", client)
            left = lockout.remaining(client)
            st.error(t("login.locked", minutes=math.ceil(left / 60)) if left else t("login.wrong"))
        else:
            lockout.succeeded(client)
            st.session_state[_LOGIN_KEY] = (found, session_token(found, settings))
            _log().info("dashboard login: role=%s from %s", found, client)
            st.rerun()
    st.caption(t("login.password_help"))
    st.stop()
    raise AssertionError("st.stop() returns only in bare mode")


def _client() -> str:
    # the address the lockout counts failures for; not a string where no server stands behind it
    address = st.context.ip_address
    return address if isinstance(address, str) and address else "unknown"


def _oidc(t: Text, config: LoginConfig) -> Viewer:
    if not st.user.is_logged_in:
        st.title(t("login.title"))
        args = (config.oidc_provider,) if config.oidc_provider else ()
        st.button(t("login.oidc"), on_click=st.login, args=args, type="primary")
        st.stop()
    email = str(st.user.get("email") or "")
    st.sidebar.button(t("login.logout"), on_click=st.logout, icon=":material/logout:")
    return Viewer(name=email, role="oidc", can_reveal=email.lower() in config.reveal_emails)


def _forget() -> None:
    st.session_state.pop(_LOGIN_KEY, None)


def log_reveal(viewer: Viewer, page: str) -> None:
    """Record that ``viewer`` revealed full numbers on ``page`` (who and where, never the numbers)."""
    _log().info("full phone numbers revealed: user=%s role=%s page=%s", viewer.name, viewer.role, page)


@st.cache_resource
def _lockout(limit: int, seconds: float) -> Lockout:
    # one per process, shared by every session: a new tab must not reset the count
    return Lockout(limit=limit, seconds=seconds)


def _log() -> logging.Logger:
    return logging.getLogger(ACCESS_LOGGER)


@st.cache_resource
def _log_setup() -> bool:
    """Access events as log lines on stderr, secrets redacted (once per process)."""
    logger = _log()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    # error messages the pages show go through the same redactor (WagateError.one_line)
    install(Redactor.of(secret_values(os.environ)), logger)
    return True
