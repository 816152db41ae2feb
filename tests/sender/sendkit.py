"""Campaign inputs, workspaces and a running emulator for the sending-loop tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from core.config import Settings, load_settings
from sender.emulator import EmulatorConfig, EmulatorHandle, Profile, load_profile, running_emulator
from sender.run import SendRequest, SendSummary, open_campaign, send, with_overrides

TOKEN = "test-token-0123456789"
APP_SECRET = b"test-app-secret"
PHONE_NUMBER_ID = "106540352242922"
HEADER = (
    "phone,consent_timestamp,consent_method,consent_source,consent_text_version,"
    "business_name_shown,purposes,first_name,order_id"
)

UTILITY: dict[str, Any] = {
    "name": "order_shipped",
    "language": "en_US",
    "category": "UTILITY",
    "components": [
        {
            "type": "BODY",
            "text": "Hi {{1}}, your Acme order {{2}} has shipped and arrives in two days.",
            "example": {"body_text": [["Ana", "A-100"]]},
        },
    ],
    "x-wagate": {"brand": "Acme"},
}

MARKETING: dict[str, Any] = {
    "name": "spring_sale",
    "language": "en_US",
    "category": "MARKETING",
    "components": [
        {"type": "HEADER", "format": "TEXT", "text": "Acme spring collection"},
        {
            "type": "BODY",
            "text": "Hi {{1}}, the new Acme spring collection is in our stores now.",
            "example": {"body_text": [["Ana"]]},
        },
        {"type": "FOOTER", "text": "Reply STOP to opt out"},
    ],
    "x-wagate": {"brand": "Acme"},
}


def german_numbers(count: int, start: int = 0) -> list[str]:
    """Distinct valid German mobile numbers (+49 151 ...)."""
    return [f"+49151{20000000 + start + index:08d}" for index in range(count)]


def contact_row(phone: str, index: int, purpose: str = "marketing") -> str:
    """A contact with a consent record the linter accepts for ``purpose``."""
    return f"{phone},2025-01-10,keyword_reply,wa-keyword-JOIN,v2,Acme,{purpose},ana{index},A-{index}"


@dataclass(frozen=True, slots=True)
class CampaignFiles:
    """A written campaign: its plan, drafts and recipients."""

    plan: Path
    drafts: tuple[Path, ...]
    numbers: tuple[str, ...]


def write_campaign(
    folder: Path,
    numbers: Sequence[str],
    *,
    draft: dict[str, Any] | None = None,
    name: str = "autumn-notice",
    send_at: datetime | None = None,
) -> CampaignFiles:
    """campaign.toml, one draft and contacts.csv in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    chosen = draft or UTILITY
    draft_path = folder / "draft.json"
    draft_path.write_text(json.dumps(chosen, ensure_ascii=False, indent=1), encoding="utf-8")
    purpose = str(chosen["category"]).lower()
    rows = [contact_row(phone, index, purpose) for index, phone in enumerate(numbers)]
    (folder / "contacts.csv").write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    body = next(c for c in chosen["components"] if c["type"] == "BODY")
    body_params = len(body["example"]["body_text"][0])
    values = ['"{{ first_name }}"', '"{{ order_id }}"'][:body_params]
    plan = folder / "campaign.toml"
    when = "" if send_at is None else f"send_at = {send_at.isoformat()}\n"
    plan.write_text(
        f'name = "{name}"\ndrafts = ["draft.json"]\ncontacts = "contacts.csv"\n{when}\n'
        f"[parameters]\nbody = [{', '.join(values)}]\n",
        encoding="utf-8",
    )
    return CampaignFiles(plan, (draft_path,), tuple(numbers))


def workspace(
    root: Path, *, api_url: str = "http://127.0.0.1:9", send: str = "", env: dict[str, str] | None = None
) -> Settings:
    """A workspace sending to ``api_url`` with the given extra [send] lines; environment ignored."""
    folder = root / "ws"
    folder.mkdir(parents=True, exist_ok=True)
    reach = "" if "reach_tier" in send else 'reach_tier = "unlimited"\n'
    text = (
        '[lint]\ncontroller_country = "DE"\nevidence_retention_months = 60\n\n'
        f'[send]\nphone_number_id = "{PHONE_NUMBER_ID}"\napi_base_url = "{api_url}"\n{reach}{send}\n'
    )
    (folder / "wagate.toml").write_text(text, encoding="utf-8")
    return load_settings(folder, env={"WAGATE_ACCESS_TOKEN": TOKEN, **(env or {})})


@contextmanager
def emulator(
    templates: Sequence[Path],
    *,
    webhook_url: str | None = None,
    throughput: int = 1000,
    profile: str | Profile = "fast",
    arrival_log: Path | None = None,
) -> Iterator[EmulatorHandle]:
    """An in-process emulator on an ephemeral loopback port."""
    config = EmulatorConfig(
        templates=tuple(templates),
        access_token=TOKEN,
        app_secret=APP_SECRET,
        webhook_url=webhook_url,
        phone_number_id=PHONE_NUMBER_ID,
        throughput_mps=throughput,
        profile=load_profile(profile) if isinstance(profile, str) else profile,
        arrival_log=arrival_log,
    )
    with running_emulator(config) as handle:
        yield handle


def send_now(
    settings: Settings,
    plan: Path,
    *,
    history: Any = None,
    clock: Any = None,
    stop_event: Any = None,
    **request: Any,
) -> SendSummary:
    """Gate, build and send the campaign in this process (as `wagate send` does).

    Warnings are accepted unless the caller says otherwise: these tests are about sending, and
    new lint rules must not turn them into gate tests (tests/sender/test_gate.py covers the gate).
    """
    request.setdefault("accept_warnings", True)
    wanted = SendRequest(plan, **request)
    effective = with_overrides(settings, wanted)
    gate, campaign = open_campaign(wanted, effective, history=history)
    assert campaign is not None, gate.refusal
    return asyncio.run(
        send(wanted, effective, gate, campaign, history=history, clock=clock, stop_event=stop_event)
    )
