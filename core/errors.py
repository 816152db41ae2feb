"""One exception tree for wagate.

Everything the project raises on purpose derives from :class:`WagateError`, so the CLI can
turn any of them into a one-line message and an exit code without a traceback::

    WagateError
    ├── UsageError            bad command-line use, unknown option values      (exit 2)
    ├── InputError            a file or record the user gave us is unusable    (exit 2)
    │   └── ConfigError       wagate.toml / WAGATE_* settings are invalid      (exit 2)
    ├── WarehouseError        DuckDB could not be opened or a query failed     (exit 1)
    │   └── WarehouseBusyError  another process holds the write lock           (exit 1)
    └── InternalError         a bug: an invariant did not hold                  (exit 1)

Third-party exceptions (duckdb, polars, OS errors) are converted where they are raised
(``core.warehouse`` for DuckDB), never deeper in the call stack.
"""

from __future__ import annotations

from core.redact import redact


class WagateError(Exception):
    """Root of every error wagate raises on purpose."""

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.one_line()

    def one_line(self) -> str:
        """The message and the hint on one line, for the CLI; secrets are redacted."""
        text = self.message.replace("\n", " ").strip()
        if self.hint:
            text = f"{text} ({self.hint})"
        # a message may quote a URL or a header that carries a token
        return redact(text)


class UsageError(WagateError):
    """The command line asks for something that cannot be done."""

    exit_code = 2


class InputError(WagateError):
    """A file, folder or value supplied by the user cannot be used."""

    exit_code = 2


class ConfigError(InputError):
    """The workspace configuration or a ``WAGATE_*`` variable is invalid."""


class WarehouseError(WagateError):
    """DuckDB could not be opened or a statement failed."""


class WarehouseBusyError(WarehouseError):
    """Another process holds the warehouse's write lock."""


class InternalError(WagateError):
    """An invariant of wagate itself did not hold: a bug to report."""
