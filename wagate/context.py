"""What every command receives: the workspace settings, built once at the edge."""

from __future__ import annotations

from pathlib import Path

from core.config import Settings, load_settings


class Context:
    """The selected workspace; settings are loaded on first use so that `--help` never fails."""

    def __init__(self, workspace: Path | None) -> None:
        self._workspace = workspace
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        """Settings of the selected workspace."""
        if self._settings is None:
            self._settings = load_settings(self._workspace)
        return self._settings
