"""One module per command (or command group); REGISTERED lists them for the CLI."""

from __future__ import annotations

import click

from wagate.commands.docs_cmd import docs

REGISTERED: tuple[click.Command, ...] = (docs,)
