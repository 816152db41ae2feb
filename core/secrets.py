"""Credentials: from the environment or owner-only files only, never printed.

Kept apart from the settings: settings may be written to files and shown in reports; these
never are. ``core.config`` re-exports :class:`Secrets` for the code that builds settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, SecretStr

from core.errors import ConfigError


class Secrets(BaseModel):
    """Credentials, from the environment or owner-only files only. Never printed."""

    model_config = ConfigDict(frozen=True)

    access_token: SecretStr | None = None
    app_secrets: tuple[SecretStr, ...] = ()
    verify_token: SecretStr | None = None
    dashboard_password: SecretStr | None = None
    dashboard_admin_password: SecretStr | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Secrets:
        """Read ``WAGATE_ACCESS_TOKEN``, ``WAGATE_APP_SECRET`` (comma-separated),
        ``WAGATE_VERIFY_TOKEN`` and the dashboard passwords.

        Each may instead name a file in ``<VARIABLE>_FILE`` (e.g. ``WAGATE_ACCESS_TOKEN_FILE``);
        a file others can read is refused (:class:`ConfigError`).
        """
        app = _secret(env, "WAGATE_APP_SECRET") or ""
        return cls(
            access_token=_secret_str(env, "WAGATE_ACCESS_TOKEN"),
            app_secrets=tuple(SecretStr(p.strip()) for p in app.replace("\n", ",").split(",") if p.strip()),
            verify_token=_secret_str(env, "WAGATE_VERIFY_TOKEN"),
            dashboard_password=_secret_str(env, "WAGATE_DASHBOARD_PASSWORD"),
            dashboard_admin_password=_secret_str(env, "WAGATE_DASHBOARD_ADMIN_PASSWORD"),
        )


def _secret_str(env: Mapping[str, str], name: str) -> SecretStr | None:
    value = _secret(env, name)
    return SecretStr(value) if value else None


def _secret(env: Mapping[str, str], name: str) -> str | None:
    """The value of ``name``, or the content of the owner-only file ``name_FILE`` names."""
    value = env.get(name) or None
    file = env.get(f"{name}_FILE") or None
    if value and file:
        raise ConfigError(f"both {name} and {name}_FILE are set", hint="keep one of them")
    if not file:
        return value
    path = Path(file)
    try:
        mode = path.stat().st_mode
        if mode & 0o077:
            raise ConfigError(
                f"{name}_FILE: {path} is readable by group or others", hint=f"run chmod 600 {path}"
            )
        text = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"{name}_FILE: cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{name}_FILE: {path} is not UTF-8 text") from None
    return text or None
