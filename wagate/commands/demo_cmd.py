"""`wagate demo`: everything built so far, on seeded synthetic data."""

from __future__ import annotations

import click

from wagate.commands.dashboard_cmd import dashboard
from wagate.commands.output import emit
from wagate.context import Context
from wagate.demo import run_demo

_COLUMNS = (
    "attempted",
    "accepted",
    "delivery_rate",
    "read_rate",
    "response_rate",
    "opt_out_rate",
    "complaint_rate",
    "block_rate_est",
    "sends_after_opt_out",
)


@click.command()
@click.option(
    "--messages", type=click.IntRange(100), default=20_000, show_default=True, help="Size of the sample."
)
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--reset/--keep", default=True, show_default=True, help="Start from an empty warehouse.")
@click.option(
    "--dashboard/--no-dashboard",
    "serve",
    default=True,
    show_default=True,
    help="Serve the dashboard on the sample data when done (Ctrl-C stops it).",
)
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8501, show_default=True, help="Dashboard port."
)
@click.pass_context
def demo(ctx: click.Context, messages: int, seed: int, reset: bool, serve: bool, port: int) -> None:
    """Build a sample workspace from realistic synthetic traffic, ingest it, print the metrics, open the dashboard."""
    obj: Context = ctx.obj
    settings = obj.settings
    click.echo(f"workspace: {settings.workspace.resolve()}")
    click.echo(f"generating ~{messages:,} messages of synthetic WhatsApp traffic (seed {seed}) ...")
    result = run_demo(settings, messages=messages, seed=seed, reset=reset)
    syn = result.synthetic
    click.echo(
        f"  {syn.send_log_rows:,} send-log rows, {syn.bodies:,} webhook bodies "
        f"(+{syn.duplicate_bodies:,} retried duplicates), {syn.status_events:,} statuses, "
        f"{syn.inbound_messages:,} replies"
    )
    click.echo("\ningest:")
    for line in result.load.summary_lines():
        click.echo(line)
    click.echo("\nmetrics by campaign (rates are fractions; block rate is an estimate):")
    emit(result.by_campaign, "table", columns=("campaign", *_COLUMNS))
    click.echo("\ntop countries:")
    emit(result.by_country[:10], "table", columns=("country", *_COLUMNS))
    active = result.suppression.get("active", 0)
    review = result.suppression.get("review", 0)
    breaches = sum(int(row["sends_after_opt_out"]) for row in result.by_campaign)
    click.echo(f"\nsuppression list: {active:,} opted out, {review:,} flagged for review")
    click.echo(f"sends after opt-out (target 0): {breaches:,}  -> wagate metrics --breaches")
    click.echo(f"quarantined records: {result.load.quarantined:,}  -> wagate quarantine")
    click.echo("\nnext: wagate metrics --by day | --by country | --by template  (see wagate --help)")
    if serve:
        click.echo(f"\nstarting the dashboard on http://127.0.0.1:{port} (Ctrl-C to stop) ...")
        ctx.invoke(dashboard, host="127.0.0.1", port=port)
