"""Who may open the dashboard and who may reveal full phone numbers.

Two ways to log in (docs/dashboard.md, "Access and secrets"):

- **OIDC**, Streamlit's ``st.login``: an ``[auth]`` table in the workspace's
  ``.streamlit/secrets.toml`` (owner-only permissions); users whose e-mail is listed in
  ``[dashboard] reveal_numbers`` may reveal full numbers.
- **Password**, for small setups: ``WAGATE_DASHBOARD_PASSWORD`` (viewers) and
  ``WAGATE_DASHBOARD_ADMIN_PASSWORD`` (admins, who may reveal full numbers), from the
  environment or owner-only files (``*_FILE``).

A configured login is always used; beyond localhost one is required. This module holds the
decisions (no UI): the CLI checks them before binding, the dashboard enforces them per session.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import SecretStr

from core.config import Settings
from core.errors import ConfigError, InputError

Mode = Literal["password", "oidc"]
Role = Literal["viewer", "admin"]
SECRETS_FILE = Path(".streamlit") / "secrets.toml"
_OIDC_KEYS = ("client_id", "client_secret", "server_metadata_url")


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host.lower() in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve to anything


def secrets_file(settings: Settings) -> Path:
    """The Streamlit secrets file the dashboard reads its OIDC ``[auth]`` table from."""
    return settings.workspace / SECRETS_FILE


def oidc_section(path: Path) -> dict[str, Any] | None:
    """The ``[auth]`` table of a Streamlit secrets file, checked; None when there is none.

    The file holds the OIDC client secret and the cookie-signing secret, so like every secret
    file it must be readable by its owner only.
    """
    if not path.is_file():
        return None
    if path.stat().st_mode & 0o077:
        raise ConfigError(f"{path} is readable by group or others", hint=f"run chmod 600 {path}")
    try:
        auth = tomllib.loads(path.read_text(encoding="utf-8")).get("auth")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if not isinstance(auth, dict):
        return None
    missing = [key for key in ("redirect_uri", "cookie_secret") if not auth.get(key)]
    providers = [auth, *(v for v in auth.values() if isinstance(v, dict))]
    if not any(all(p.get(key) for key in _OIDC_KEYS) for p in providers):
        missing.append("client_id/client_secret/server_metadata_url (in [auth] or [auth.NAME])")
    if missing:
        raise ConfigError(f"{path}: [auth] lacks {', '.join(missing)}", hint="see docs/dashboard.md")
    return auth


@dataclass(frozen=True, slots=True)
class LoginConfig:
    """How the dashboard logs people in (``mode`` None: no login configured)."""

    mode: Mode | None
    required: bool  # require_login set (beyond localhost a login is required anyway)
    oidc_provider: str | None = None
    reveal_emails: frozenset[str] = frozenset()
    has_admin_password: bool = False

    def needed(self, host: str) -> bool:
        """Whether a session served on ``host`` must log in first."""
        return self.mode is not None or self.required or not is_loopback(host)


def login_config(settings: Settings) -> LoginConfig:
    """The login of a workspace: the password mode when a password is set, else OIDC if configured."""
    dash = settings.dashboard
    secrets_ = settings.secrets
    has_password = secrets_.dashboard_password is not None or secrets_.dashboard_admin_password is not None
    mode: Mode | None = "password" if has_password else None
    if mode is None and oidc_section(secrets_file(settings)) is not None:
        mode = "oidc"
    return LoginConfig(
        mode=mode,
        required=dash.require_login,
        oidc_provider=dash.oidc_provider,
        reveal_emails=frozenset(e.strip().lower() for e in dash.reveal_numbers),
        has_admin_password=secrets_.dashboard_admin_password is not None,
    )


def check_exposure(host: str, config: LoginConfig) -> None:
    """Refuse to serve the dashboard beyond localhost (or with require_login) without a login."""
    if config.mode is not None:
        return
    if not is_loopback(host):
        raise InputError(
            f"refusing to serve the dashboard on {host} without a login: anyone could read it",
            hint="set WAGATE_DASHBOARD_PASSWORD or configure OIDC in .streamlit/secrets.toml (docs/dashboard.md)",
        )
    if config.required:
        raise InputError(
            "[dashboard] require_login is set but no login is configured",
            hint="set WAGATE_DASHBOARD_PASSWORD or configure OIDC in .streamlit/secrets.toml (docs/dashboard.md)",
        )


def password_role(given: str, settings: Settings) -> Role | None:
    """The role ``given`` opens (admin before viewer), compared in constant time; None if none."""
    # digests first: compare_digest is constant-time only for inputs of equal length
    probe = hashlib.sha256(given.encode("utf-8")).digest()
    found: Role | None = None
    candidates: tuple[tuple[Role, SecretStr | None], ...] = (
        ("admin", settings.secrets.dashboard_admin_password),
        ("viewer", settings.secrets.dashboard_password),
    )
    for role, secret in candidates:
        if secret is None:
            continue
        expected = hashlib.sha256(secret.get_secret_value().encode("utf-8")).digest()
        # no early exit: both comparisons always run
        if hmac.compare_digest(probe, expected) and found is None:
            found = role
    return found


_SESSION_KEY = secrets.token_bytes(32)


def session_token(role: Role, settings: Settings) -> str:
    """What a session keeps after a password login: a keyed hash, never the password.

    It names the password that opened the session, so changing the password (and restarting)
    ends every session opened with the old one.
    """
    secret = (
        settings.secrets.dashboard_admin_password if role == "admin" else settings.secrets.dashboard_password
    )
    value = secret.get_secret_value() if secret else ""
    return hmac.new(_SESSION_KEY, f"{role}\0{value}".encode(), hashlib.sha256).hexdigest()


def token_valid(token: str, role: Role, settings: Settings) -> bool:
    """Whether a session's token still matches the configured password of its role."""
    return hmac.compare_digest(token, session_token(role, settings))


@dataclass
class Lockout:
    """Wrong passwords per client: after ``limit`` in a row, that client waits ``seconds``.

    Shared by every session of the process (a new browser tab must not reset the count).
    """

    limit: int
    seconds: float
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, int] = field(default_factory=dict)
    _until: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def remaining(self, client: str) -> float:
        """Seconds until ``client`` may try again (0 when it may now)."""
        with self._lock:
            left = self._until.get(client, 0.0) - self.clock()
            if left <= 0 and client in self._until:
                del self._until[client]
                self._failures.pop(client, None)
            return max(0.0, left)

    def failed(self, client: str) -> None:
        """Count a wrong password; the ``limit``-th in a row locks the client."""
        with self._lock:
            count = self._failures.get(client, 0) + 1
            self._failures[client] = count
            if count >= self.limit:
                self._until[client] = self.clock() + self.seconds

    def succeeded(self, client: str) -> None:
        """A right password clears the count."""
        with self._lock:
            self._failures.pop(client, None)
            self._until.pop(client, None)
