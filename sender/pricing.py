"""The rate card behind the dry run's cost estimate (``sender/pricing.toml``).

Meta charges per delivered template by category and the recipient's country; the card holds
approximate USD prices per market, Meta's "rest of" regions and "other". Every figure it yields
is an estimate: see the file's header for the source, its date and what it leaves out.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from core.errors import InternalError

CATEGORIES = ("marketing", "utility", "authentication")


@dataclass(frozen=True, slots=True)
class RateCard:
    """Prices per region and category, with where they come from."""

    currency: str
    effective: str
    source: str
    markets: Mapping[str, Mapping[str, float]]  # region (or group member) -> category -> price
    other: Mapping[str, float]

    def price(self, region: str | None, category: str) -> float:
        """The price of one delivered message (0 for service messages, which are free)."""
        category = category.lower()
        if category == "service":
            return 0.0
        country = (region or "").split("-", 1)[0].upper()
        prices = self.markets.get(country, self.other)
        return float(prices.get(category, self.other.get(category, 0.0)))


def _prices(table: Mapping[str, Any], where: str) -> dict[str, float]:
    try:
        return {category: float(table[category]) for category in CATEGORIES}
    except (KeyError, TypeError, ValueError) as exc:
        raise InternalError(f"sender/pricing.toml: {where} needs a number for each of {CATEGORIES}") from exc


@cache
def load_rate_card() -> RateCard:
    """The bundled rate card (read once per process)."""
    try:
        text = resources.files("sender").joinpath("pricing.toml").read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError) as exc:  # a broken card is a packaging bug
        raise InternalError(f"sender/pricing.toml cannot be read: {exc}") from exc
    markets: dict[str, dict[str, float]] = {}
    for name, group in data.get("groups", {}).items():
        prices = _prices(group, f"[groups.{name}]")
        markets.update({str(member).upper(): prices for member in group.get("members", [])})
    # a market of its own wins over its region's group
    markets.update(
        {code.upper(): _prices(table, f"[markets.{code}]") for code, table in data["markets"].items()}
    )
    meta = data["meta"]
    return RateCard(
        currency=str(meta["currency"]),
        effective=str(meta["effective"]),
        source=str(meta["source"]),
        markets=markets,
        other=_prices(data["other"], "[other]"),
    )
