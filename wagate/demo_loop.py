"""The demo's live campaign: linter, gated sender, Cloud API emulator, receiver and pipelines, end to end.

Everything runs in this process on loopback: the receiver lands the emulator's signed webhooks in
the workspace's landing zone, the sender writes its ledger and send log, and one ingest loads
both, so the campaign's delivery, replies and opt-outs show up in the metrics and the dashboard
like any real campaign's. Secrets the environment does not give are made up for this run only.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from core.config import Secrets, Settings
from core.errors import InputError
from core.queries import metrics
from core.warehouse import Warehouse
from pipelines.receiver import ReceiverOptions
from pipelines.receiver.server import serve_in_thread
from pipelines.report import RunReport
from pipelines.run import ingest
from sender.emulator import EmulatorConfig, load_profile, running_emulator
from sender.gate import GateOutcome
from sender.run import SendRequest, SendSummary, open_campaign, send, with_overrides, workspace_history
from sender.tally import Tally
from wagate.demo_campaign import CAMPAIGN_NAME, DemoCampaign, write_demo_campaign

PHONE_NUMBER_ID = "106540352242922"


@dataclass(frozen=True, slots=True)
class LiveCampaign:
    """What the live part of the demo did."""

    inputs: DemoCampaign
    gate: GateOutcome
    summary: SendSummary
    webhooks_delivered: int
    load: RunReport
    metrics: dict[str, Any] | None


def _demo_secrets(settings: Settings) -> tuple[str, bytes]:
    """The environment's token and app secret, or throwaway ones (the emulator and receiver share them)."""
    token = settings.secrets.access_token
    app = settings.secrets.app_secrets
    return (
        token.get_secret_value() if token is not None else secrets.token_urlsafe(24),
        app[0].get_secret_value().encode() if app else secrets.token_bytes(32),
    )


def _settings_for(settings: Settings, token: str, secret: bytes, api_url: str, rate: float) -> Settings:
    # the demo's business is verified (tier 2,000); a workspace that set its own tier keeps it
    tier = settings.send.reach_tier if "reach_tier" in settings.send.model_fields_set else 2000
    send = settings.send.model_copy(
        update={"phone_number_id": settings.send.phone_number_id or PHONE_NUMBER_ID, "reach_tier": tier}
    )
    keep = settings.secrets
    ours = Secrets(
        access_token=SecretStr(token),
        app_secrets=(SecretStr(secret.decode("latin-1")), *keep.app_secrets[1:]),
        verify_token=keep.verify_token,
    )
    updated = settings.model_copy(update={"send": send, "secrets": ours})
    return with_overrides(updated, SendRequest(plan=Path(), rate=rate, api_url=api_url, wait=False))


def run_live_campaign(
    settings: Settings,
    *,
    contacts: int,
    seed: int,
    rate: float,
    on_tick: Callable[[Tally], None] | None = None,
) -> LiveCampaign:
    """Lint, send and receive a demo campaign, then ingest what came back."""
    inputs = write_demo_campaign(settings.workspace / "demo" / "campaign", contacts=contacts, seed=seed)
    token, secret = _demo_secrets(settings)
    receiver = ReceiverOptions(landing_dir=settings.landing_path, app_secrets=(secret,), access_log=False)
    with serve_in_thread(receiver) as receiver_url:
        config = EmulatorConfig(
            templates=inputs.drafts,
            access_token=token,
            app_secret=secret,
            webhook_url=f"{receiver_url}/webhook",
            phone_number_id=settings.send.phone_number_id or PHONE_NUMBER_ID,
            profile=load_profile("demo"),
            seed=seed,
        )
        with running_emulator(config) as emulator:
            live = _settings_for(settings, token, secret, emulator.base_url, rate)
            request = SendRequest(plan=inputs.plan, accept_warnings=True, wait=False)
            history = workspace_history(live)
            gate, campaign = open_campaign(request, live, history=history)
            if campaign is None:
                raise InputError(f"the demo campaign was refused: {gate.refusal}")
            summary = asyncio.run(send(request, live, gate, campaign, history=history, on_tick=on_tick))
            # the emulator's clock is compressed: a day of reads and replies arrives in seconds
            emulator.drain(timeout=90)
            delivered = emulator.webhook_stats().sent
    load = ingest(settings, [settings.landing_path])
    with Warehouse.open_snapshot(settings.warehouse_path) as wh:
        rows = [row for row in metrics(wh, "campaign") if row["campaign"] == CAMPAIGN_NAME]
    return LiveCampaign(inputs, gate, summary, delivered, load, rows[0] if rows else None)
