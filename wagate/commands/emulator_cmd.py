"""`wagate emulator`: a local WhatsApp Cloud API (validation, limits, signed webhooks) on loopback."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import click

from core.config import Secrets
from core.errors import ConfigError, UsageError
from pipelines.receiver import is_loopback
from sender.emulator import EmulatorConfig, builtin_profiles, load_profile, serve
from sender.emulator.config import MAX_THROUGHPUT_MPS

DEFAULT_PORT = 8787


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="0 picks a free port.",
)
@click.option(
    "--templates",
    "templates",
    multiple=True,
    type=click.Path(exists=True, dir_okay=True, path_type=Path),
    help='Meta template JSON file, or a folder of them (repeatable). APPROVED unless the file\'s "status" says otherwise.',
)
@click.option(
    "--profile",
    default="default",
    show_default=True,
    help=f"Behaviour profile: a built-in name ({', '.join(builtin_profiles())}) or a TOML file.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of every message's story.")
@click.option(
    "--webhook-url",
    default=None,
    help="Where signed webhooks go (e.g. the receiver's /webhook); none: no webhooks.",
)
@click.option(
    "--throughput",
    type=click.IntRange(1, MAX_THROUGHPUT_MPS),
    default=80,
    show_default=True,
    help="Messages per second the phone number accepts (130429 beyond).",
)
@click.option(
    "--phone-number-id",
    default="106540352242922",
    show_default=True,
    help="The phone number id to send from.",
)
@click.option(
    "--display-phone-number", default="15550001234", show_default=True, help="The business number (digits)."
)
@click.option(
    "--waba-id", default="102290129340398", show_default=True, help="The WhatsApp Business Account id."
)
@click.option(
    "--arrival-log",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="JSON-lines log of every POST /messages.",
)
@click.option("--expose", is_flag=True, help="Allow a non-loopback --host (the emulator has no TLS).")
def emulator(
    host: str,
    port: int,
    templates: tuple[Path, ...],
    profile: str,
    seed: int,
    webhook_url: str | None,
    throughput: int,
    phone_number_id: str,
    display_phone_number: str,
    waba_id: str,
    arrival_log: Path | None,
    expose: bool,
) -> None:
    """Run a local WhatsApp Cloud API that answers, limits and sends webhooks like Meta's.

    The access token it accepts comes from WAGATE_ACCESS_TOKEN, the secret it signs webhooks
    with from WAGATE_APP_SECRET (the first of the list). Admin routes under /_emulator/ inject
    user messages, change the account state and drain webhooks (docs/emulator.md).
    """
    if not is_loopback(host) and not expose:
        raise UsageError(
            f"refusing to listen on {host}: the emulator is for this machine",
            hint="add --expose if you mean it",
        )
    secrets = Secrets.from_env(os.environ)
    if secrets.access_token is None:
        raise ConfigError(
            "WAGATE_ACCESS_TOKEN is not set", hint="the emulator accepts only that bearer token"
        )
    if not secrets.app_secrets:
        raise ConfigError("WAGATE_APP_SECRET is not set", hint="the emulator signs webhooks with it")
    config = EmulatorConfig(
        templates=_template_files(templates),
        access_token=secrets.access_token.get_secret_value(),
        app_secret=secrets.app_secrets[0].get_secret_value().encode("utf-8"),
        webhook_url=webhook_url,
        phone_number_id=phone_number_id,
        display_phone_number=display_phone_number,
        waba_id=waba_id,
        throughput_mps=throughput,
        profile=load_profile(profile),
        seed=seed,
        arrival_log=arrival_log,
    )
    logging.getLogger("sender.emulator").setLevel(logging.INFO)

    def listening(bound_host: str, bound_port: int) -> None:
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        click.echo(
            f"wagate emulator: listening on http://{shown}:{bound_port}/v25.0/{phone_number_id}/messages",
            err=True,
        )
        click.echo(
            f"  {len(config.templates)} template file(s)  profile {config.profile.name}  seed {seed}  "
            f"throughput {throughput}/s  webhooks {webhook_url or 'off'}",
            err=True,
        )

    serve(config, host, port, on_listening=listening)
    click.echo("wagate emulator: stopped", err=True)


def _template_files(given: tuple[Path, ...]) -> tuple[Path, ...]:
    files: list[Path] = []
    for path in given:
        files += sorted(path.glob("*.json")) if path.is_dir() else [path]
    return tuple(files)
