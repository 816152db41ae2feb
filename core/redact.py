"""Keep secrets out of everything a person or a log file sees.

:class:`Redactor` replaces every configured secret value, bearer tokens and ``access_token=``
query values with ``[redacted]``. The CLI builds one from the environment at start
(:func:`secret_values` reads the same variables and files as ``core.config.Secrets``, but never
fails: a secret that cannot be loaded as a setting must still be hidden) and installs
:class:`RedactingFilter` on the log handlers; error messages pass through the same redactor
before they are printed.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

REDACTED = "[redacted]"

# variables whose value (or whose file's content, for the *_FILE twin) is a secret
SECRET_VARIABLES = (
    "WAGATE_ACCESS_TOKEN",
    "WAGATE_APP_SECRET",
    "WAGATE_VERIFY_TOKEN",
    "WAGATE_DASHBOARD_PASSWORD",
    "WAGATE_DASHBOARD_ADMIN_PASSWORD",
)
# a value this short would redact ordinary words and digits, and guards nothing worth hiding
MIN_SECRET_LENGTH = 4

_PATTERNS = (
    # Authorization headers and their echoes: "Bearer EAAG..."
    re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}"),
    # tokens in URLs or form bodies: ?access_token=..., &client_secret=...
    re.compile(r"(?i)(\b(?:access_token|client_secret|app_secret|hub\.verify_token)=)[^&\s\"'<>]+"),
)


@dataclass(frozen=True, slots=True)
class Redactor:
    """Replaces known secret values and token-shaped substrings with ``[redacted]``."""

    secrets: tuple[str, ...] = field(default=(), repr=False)

    @classmethod
    def of(cls, values: Iterable[str]) -> Redactor:
        """A redactor for ``values`` (blank and very short values are ignored)."""
        kept = {v.strip() for v in values if len(v.strip()) >= MIN_SECRET_LENGTH}
        # longest first, so a secret that contains another is hidden whole
        return cls(tuple(sorted(kept, key=len, reverse=True)))

    def __call__(self, text: str) -> str:
        """``text`` with every secret replaced."""
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        for pattern in _PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
        return text


_active = Redactor()


def activate(redactor: Redactor) -> None:
    """Make ``redactor`` the one :func:`redact` (and so every ``WagateError`` message) uses."""
    global _active
    _active = redactor


def active() -> Redactor:
    """The redactor :func:`redact` uses."""
    return _active


def redact(text: str) -> str:
    """``text`` through the process's active redactor (token patterns only until one is activated)."""
    return _active(text)


def secret_values(env: Mapping[str, str]) -> list[str]:
    """Every secret the environment names: values of the variables and contents of their files.

    App secrets are comma-separated during a rotation, so each part counts on its own as well.
    Unreadable files are skipped: loading the settings reports them.
    """
    values: list[str] = []
    for name in SECRET_VARIABLES:
        raw = [env.get(name) or ""]
        file = env.get(f"{name}_FILE")
        if file:
            with contextlib.suppress(OSError, UnicodeDecodeError):
                raw.append(Path(file).read_text(encoding="utf-8"))
        for value in raw:
            values.append(value.strip())
            values += [part.strip() for part in re.split(r"[,\n]", value)]
    return [v for v in values if v]


class RedactingFilter(logging.Filter):
    """A handler filter that redacts the message, its arguments and any traceback of a record."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        # format once here so secrets inside %-arguments are caught too
        record.msg = self.redactor(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redactor(record.stack_info)
        return True


def install(redactor: Redactor, logger: logging.Logger | None = None) -> None:
    """Activate ``redactor`` and add a :class:`RedactingFilter` to every handler of ``logger``.

    ``logger`` is the root logger by default.
    """
    activate(redactor)
    target = logger or logging.getLogger()
    for handler in target.handlers:
        # replace rather than stack: the newest redactor knows every current secret
        for old in [f for f in handler.filters if isinstance(f, RedactingFilter)]:
            handler.removeFilter(old)
        handler.addFilter(RedactingFilter(redactor))


class RedactingWriter:
    """A text stream that redacts what passes through it, a line at a time.

    The CLI puts its stdout and stderr behind one, so a command's own output (a summary quoting
    a URL, a progress line) is covered as well as its log lines. Whole lines are redacted, so a
    secret written in two pieces is still found; :meth:`flush` writes out a pending partial line
    (prompts, progress bars). Everything else (``buffer``, ``isatty``, ``encoding``) is the
    wrapped stream's.
    """

    def __init__(self, stream: TextIO, redactor: Redactor) -> None:
        self._stream = stream
        self._redactor = redactor
        self._pending = ""

    def write(self, text: str) -> int:
        """Redact and pass on every complete line; keep the rest until a newline or a flush."""
        self._pending += text
        cut = max(self._pending.rfind("\n"), self._pending.rfind("\r")) + 1
        if cut:
            self._stream.write(self._redactor(self._pending[:cut]))
            self._pending = self._pending[cut:]
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        """Write each of ``lines``."""
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        """Write the pending partial line (redacted) and flush the wrapped stream."""
        if self._pending:
            self._stream.write(self._redactor(self._pending))
            self._pending = ""
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
