"""`wagate quarantine`: what the loads set aside, with file, line and reason."""

from __future__ import annotations

import click

from core.queries import quarantine as quarantine_rows
from core.warehouse import Warehouse
from wagate.commands.output import FORMATS, emit
from wagate.context import Context


@click.command()
@click.option("--limit", type=click.IntRange(1), default=100, show_default=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.pass_obj
def quarantine(obj: Context, limit: int, fmt: str) -> None:
    """List quarantined records, newest first."""
    settings = obj.settings
    with Warehouse.open_snapshot(
        settings.warehouse_path, retry_seconds=settings.warehouse.read_retry_seconds
    ) as wh:
        emit(quarantine_rows(wh, limit), fmt)
