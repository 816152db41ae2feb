"""The demo's campaign inputs: approved templates, a contact list with consent records, a plan.

The list is what an exporter's CRM export really looks like: most contacts opted in properly,
and a few do not pass (no opt-in on record, an earlier opt-out, a mistyped number, a UAE number
never checked against the DNCR), so the demo shows the gate excluding them with their codes.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path

import phonenumbers

CAMPAIGN_NAME = "demo-winter-sale"
# region, language of the contact, weight, first names
_MARKETS: tuple[tuple[str, str, int, tuple[str, ...]], ...] = (
    ("DE", "en", 10, ("Anna", "Lukas", "Mia", "Jonas")),
    ("GB", "en", 8, ("Oliver", "Amelia", "Harry", "Isla")),
    ("FR", "en", 6, ("Chloé", "Louis", "Léa", "Hugo")),
    ("ES", "es", 6, ("Lucía", "Mateo", "Sofía", "Hugo")),
    ("MX", "es", 8, ("Valentina", "Santiago", "Regina", "Diego")),
    ("BR", "pt", 12, ("João", "Maria", "Pedro", "Ana")),
    ("IN", "en", 12, ("Priya", "Arjun", "Ananya", "Rohan")),
    ("ID", "en", 10, ("Budi", "Siti", "Agus", "Dewi")),
    ("SA", "en", 4, ("Fahad", "Noura", "Abdullah", "Sara")),
    ("NG", "en", 6, ("Chinedu", "Aisha", "Emeka", "Ngozi")),
    ("ZA", "en", 4, ("Thabo", "Lerato", "Sipho", "Naledi")),
    ("AE", "en", 2, ("Omar", "Fatima", "Khalid", "Mariam")),
)
_METHODS = ("web_form", "whatsapp_button", "keyword_reply", "checkbox")
_HEADER = (
    "phone,first_name,country,language,consent_timestamp,consent_method,consent_source,"
    "consent_text_version,business_name_shown,purposes,ip,opted_out_at,dncr_checked_at"
)


def _draft(name: str, language: str, header: str, body: str, footer: str, stop: str) -> dict[str, object]:
    return {
        "name": name,
        "language": language,
        "category": "MARKETING",
        "parameter_format": "positional",
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": header},
            {"type": "BODY", "text": body, "example": {"body_text": [["Ana"]]}},
            {"type": "FOOTER", "text": footer},
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": stop}]},
        ],
        "x-wagate": {"brand": "Acme", "sender_display_name": "Acme"},
    }


DRAFTS: dict[str, dict[str, object]] = {
    "winter_sale_en.json": _draft(
        "winter_sale",
        "en_US",
        "Acme winter sale",
        "Hi {{1}}, the Acme winter collection is 20% off until Sunday: https://acme.com/winter",
        "Reply STOP to opt out",
        "Stop promotions",
    ),
    "winter_sale_es.json": _draft(
        "winter_sale",
        "es",
        "Rebajas de invierno de Acme",
        "Hola {{1}}, la colección de invierno de Acme tiene un 20% de descuento hasta el domingo: https://acme.com/winter",
        "Responde STOP para darte de baja",
        "Parar promociones",
    ),
    "winter_sale_pt.json": _draft(
        "winter_sale",
        "pt_BR",
        "Liquidação de inverno Acme",
        "Olá {{1}}, a coleção de inverno da Acme está com 20% de desconto até domingo: https://acme.com/winter",
        "Responda PARAR para sair",
        "Parar promoções",
    ),
}

PLAN = f"""# The demo campaign: one approved marketing template in three languages.
name = "{CAMPAIGN_NAME}"
drafts = ["winter_sale_en.json", "winter_sale_es.json", "winter_sale_pt.json"]
contacts = "contacts.csv"

[parameters]
body = ["{{{{ first_name }}}}"]
"""


@dataclass(frozen=True, slots=True)
class DemoCampaign:
    """Where the demo campaign's files are."""

    folder: Path
    plan: Path
    drafts: tuple[Path, ...]
    contacts: Path
    rows: int


def _mobile_prefix(region: str) -> str:
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    assert example is not None, region  # every market above has an example mobile number
    e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    return e164[: len(e164) - 6]


def _row(rng: random.Random, prefixes: dict[str, str]) -> list[str]:
    region, language, _, names = rng.choices(_MARKETS, [m[2] for m in _MARKETS])[0]
    number = prefixes[region] + f"{rng.randrange(10**6):06d}"
    day = f"2026-{rng.randrange(1, 10):02d}-{rng.randrange(1, 28):02d}"
    consent = [day, rng.choice(_METHODS), "wa-JOIN", "v3", "Acme", "marketing", "203.0.113.7"]
    opted_out = dncr = ""
    roll = rng.random()
    if roll < 0.04:  # imported from an old list: no opt-in on record
        consent = ["", "", "", "", "", "", ""]
    elif roll < 0.06:  # opted out earlier, still on the list
        opted_out = "2026-10-01"
    elif roll < 0.08:  # a digit lost when the list was typed
        number = number[:-2]
    if region == "AE" and rng.random() < 0.5:
        dncr = "2026-11-01"
    return [number, rng.choice(names), region, language, *consent, opted_out, dncr]


def write_demo_campaign(folder: Path, *, contacts: int, seed: int) -> DemoCampaign:
    """Write the templates, the contact list and ``campaign.toml`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    drafts = []
    for name, body in DRAFTS.items():
        path = folder / name
        path.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        drafts.append(path)
    rng = random.Random(seed)
    prefixes = {region: _mobile_prefix(region) for region, *_ in _MARKETS}
    path = folder / "contacts.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(_HEADER.split(","))
        for _ in range(contacts):
            writer.writerow(_row(rng, prefixes))
    plan = folder / "campaign.toml"
    plan.write_text(PLAN, encoding="utf-8")
    return DemoCampaign(folder, plan, tuple(drafts), path, contacts)
