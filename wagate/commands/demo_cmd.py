"""`wagate demo`: everything built so far, on seeded synthetic data."""

from __future__ import annotations

import time
from collections import Counter

import click

from core.config import Settings
from sender.progress import status_line
from sender.summary import summary_text
from sender.tally import Tally
from wagate.commands.dashboard_cmd import dashboard
from wagate.commands.output import emit
from wagate.context import Context
from wagate.demo import run_demo
from wagate.demo_loop import LiveCampaign, run_live_campaign

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
@click.option(
    "--contacts",
    type=click.IntRange(0),
    default=400,
    show_default=True,
    help="Contacts in the live campaign sent through the emulator (0 skips it).",
)
@click.option(
    "--rate", type=click.FloatRange(1, 1000), default=80, show_default=True, help="Live campaign messages/s."
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
def demo(
    ctx: click.Context,
    messages: int,
    contacts: int,
    rate: float,
    seed: int,
    reset: bool,
    serve: bool,
    port: int,
) -> None:
    """Build a sample workspace, send a live campaign through the emulator, print the metrics, open the dashboard.

    First weeks of synthetic history (send logs and webhooks) are generated and ingested; then a
    campaign is linted, sent by the gated sender to the local Cloud API emulator, whose signed
    webhooks reach the receiver, and everything is ingested again.
    """
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
    if contacts:
        _live(settings, contacts=contacts, seed=seed, rate=rate)
    click.echo("\nnext: wagate metrics --by day | --by country | --by template  (see wagate --help)")
    if serve:
        click.echo(f"\nstarting the dashboard on http://127.0.0.1:{port} (Ctrl-C to stop) ...")
        ctx.invoke(dashboard, host="127.0.0.1", port=port)


def _live(settings: Settings, *, contacts: int, seed: int, rate: float) -> None:
    click.echo(
        f"\nlive campaign: {contacts} contacts -> lint -> gated sender -> Cloud API emulator "
        "-> signed webhooks -> receiver -> ingest"
    )
    last = [0.0]

    def tick(tally: Tally) -> None:
        now = time.monotonic()
        if now - last[0] >= 1.0:
            last[0] = now
            click.echo(f"  sending: {status_line(tally)}")

    live = run_live_campaign(settings, contacts=contacts, seed=seed, rate=rate, on_tick=tick)
    _report_live(live)


def _report_live(live: LiveCampaign) -> None:
    gate = live.gate
    codes = Counter(code for exclusion in gate.exclusions for code in exclusion.codes)
    click.echo(
        f"  lint: {len(gate.exclusions)} contacts excluded by the gate "
        f"({', '.join(f'{code} x{n}' for code, n in codes.most_common(6)) or 'none'}); "
        f"{len(gate.warnings)} warnings accepted for the demo (--accept-warnings)"
    )
    click.echo("  " + summary_text(live.summary).rstrip().replace("\n", "\n  "))
    click.echo(f"  webhooks delivered to the receiver: {live.webhooks_delivered:,}")
    for line in live.load.summary_lines():
        click.echo("  " + line.strip())
    if live.metrics is not None:
        click.echo("\n  metrics of the live campaign:")
        emit([live.metrics], "table", columns=("campaign", *_COLUMNS))
