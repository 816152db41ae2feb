"""`wagate metrics`: the rates of docs/metrics.md from the warehouse."""

from __future__ import annotations

from datetime import datetime

import click

from core.queries import GROUP_KEYS, breaches, opt_out_latency
from core.queries import metrics as metric_rows
from core.warehouse import Warehouse
from wagate.commands.output import FORMATS, emit
from wagate.context import Context


@click.command()
@click.option("--by", "by", type=click.Choice(list(GROUP_KEYS)), default="campaign", show_default=True)
@click.option(
    "--from", "start", type=click.DateTime(["%Y-%m-%d"]), default=None, help="First day (YYYY-MM-DD)."
)
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Last day, inclusive.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--breaches", "show_breaches", is_flag=True, help="List sends after an opt-out instead.")
@click.option(
    "--opt-out-latency", "show_latency", is_flag=True, help="Opt-out to suppression time per day instead."
)
@click.pass_obj
def metrics(
    obj: Context,
    by: str,
    start: datetime | None,
    end: datetime | None,
    fmt: str,
    show_breaches: bool,
    show_latency: bool,
) -> None:
    """Delivery, read, response, opt-out, complaint and estimated block rates per group."""
    settings = obj.settings
    first = start.date() if start is not None else None
    last = end.date() if end is not None else None
    if first and last and first > last:
        raise click.UsageError("--from is after --to")
    with Warehouse.open_snapshot(
        settings.warehouse_path, retry_seconds=settings.warehouse.read_retry_seconds
    ) as wh:
        if show_breaches:
            emit(breaches(wh, first, last), fmt)
        elif show_latency:
            emit(opt_out_latency(wh), fmt)
        else:
            emit(metric_rows(wh, by, first, last), fmt)
