"""Named SQL statements kept in pipelines/sql/*.sql.

A file holds statements separated by ``-- name: <name>`` lines; comments before the first name
document the file. Keeping the SQL in files (not f-strings) keeps it readable, reviewable and
free of interpolated user input: values are always bound as parameters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib import resources

from core.warehouse import Warehouse

_NAME = re.compile(r"^-- name: ([a-z_]+)\s*$", re.MULTILINE)


@cache
def statements(file: str) -> dict[str, str]:
    """All named statements of ``pipelines/sql/<file>.sql``, in file order."""
    text = resources.files("pipelines").joinpath("sql", f"{file}.sql").read_text(encoding="utf-8")
    parts = _NAME.split(text)
    named = {parts[i]: parts[i + 1].strip() for i in range(1, len(parts), 2)}
    if not named:
        raise ValueError(f"pipelines/sql/{file}.sql has no '-- name:' statements")
    return named


def script(file: str) -> str:
    """The whole of ``pipelines/sql/<file>.sql`` (DDL run as one script)."""
    return resources.files("pipelines").joinpath("sql", f"{file}.sql").read_text(encoding="utf-8")


_TERMINATOR = re.compile(r";\s*(?:\n|$)")


def split(block: str) -> list[str]:
    """The single statements of a named block (a block may hold e.g. a DELETE and an INSERT)."""
    return [part.strip() for part in _TERMINATOR.split(block) if part.strip() and not _only_comments(part)]


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in text.splitlines())


def run_block(wh: Warehouse, block: str, params: Mapping[str, object] | None = None) -> None:
    """Run every statement of a block, binding the parameters each statement mentions."""
    for statement in split(block):
        used = {key: value for key, value in (params or {}).items() if f"${key}" in statement}
        wh.execute(statement, used or None)
