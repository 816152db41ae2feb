"""`wagate docs`: regenerate (or check) the reference docs that are generated from code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from core.config import config_reference
from core.errors import InputError
from lint.docs import render_rules_reference

GENERATED: dict[str, Callable[[], str]] = {
    "config.md": config_reference,
    "rules.md": render_rules_reference,
}


@click.command()
@click.option("--check", is_flag=True, help="Fail if a generated file is out of date instead of writing it.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("docs"),
    show_default=True,
    help="Folder of the generated files.",
)
def docs(check: bool, out: Path) -> None:
    """Write docs/config.md (and other references) from the code."""
    stale = []
    for name, render in GENERATED.items():
        path = out / name
        text = render()
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
            continue
        out.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        click.echo(f"wrote {path}")
    if stale:
        raise InputError(
            f"generated docs are out of date: {', '.join(stale)}", hint="run `python3 dev.py docs`"
        )
