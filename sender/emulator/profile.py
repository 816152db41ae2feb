"""Behaviour profiles: how the emulated users, network and Meta behave, as seeded data.

A profile is a TOML file (built-ins live in ``sender/profiles``: ``default``, ``demo``, ``fast``,
``bench``). Every value has a default, so a profile only names what it changes, and
``extends = "NAME"`` starts from another profile. Probabilities are per message; delays are
``[low, high]`` seconds drawn log-uniformly (most events are quick, a few take long), all
multiplied by ``time_scale`` so a demo can compress hours into seconds.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import ConfigError

PROFILES_DIR = Path(__file__).resolve().parent.parent / "profiles"
ACCOUNT_STATES = ("ok", "restricted", "locked", "token_expired", "payment")


@dataclass(frozen=True, slots=True)
class Delay:
    """A delay range in seconds; draws are log-uniform between ``low`` and ``high``."""

    low: float
    high: float

    def draw(self, u: float) -> float:
        """The delay for a uniform draw ``u`` in [0, 1)."""
        if self.high <= self.low:
            return self.low
        if self.low <= 0:
            return self.high * u
        return math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))


@dataclass(frozen=True, slots=True)
class Webhooks:
    """How webhooks travel: batching, concurrency and Meta's retries."""

    enabled: bool = True
    batch_max: int = 1  # statuses per body (Meta may batch; 1 is what most bodies look like)
    batch_window_seconds: float = 0.0  # with batch_max > 1: statuses due this much later join a body now
    concurrency: int = 8
    timeout_seconds: float = 10.0
    max_attempts: int = 6
    retry_base_seconds: float = 1.0
    retry_cap_seconds: float = 60.0


@dataclass(frozen=True, slots=True)
class Timing:
    """Delays from acceptance (``sent``), then from the previous step."""

    sent: Delay = Delay(0.3, 3.0)
    delivered: Delay = Delay(1.0, 120.0)
    read: Delay = Delay(20.0, 14_400.0)
    in_chat_read: Delay = Delay(0.2, 2.0)  # read right after delivery when the chat is open
    reply: Delay = Delay(10.0, 3_600.0)
    duplicate: Delay = Delay(0.5, 30.0)  # a duplicate arrives this long after the original
    failed: Delay = Delay(0.5, 10.0)


@dataclass(frozen=True, slots=True)
class Delivery:
    """What happens to a message that does not fail."""

    delivered: float = 0.93  # else it stays at sent (phone off, blocked)
    read: float = 0.62  # of delivered
    in_chat: float = 0.08  # of read: the user had the chat open, Meta skips the delivered webhook
    duplicate: float = 0.02  # one status is delivered twice
    reorder: float = 0.05  # delivered arrives after read


@dataclass(frozen=True, slots=True)
class Failures:
    """Per-message failure probabilities (drawn before delivery)."""

    unreachable: float = 0.02  # 131026
    marketing_limit: float = 0.03  # 131049, marketing only (always for US numbers)
    holdout: float = 0.004  # 130472, marketing only
    transient: float = 0.002  # 131000
    spam_limit: float = 0.0  # 131048


@dataclass(frozen=True, slots=True)
class Engagement:
    """What a reader does next (exclusive choices, drawn once per read message)."""

    reply: float = 0.05
    stop_text: float = 0.01
    complaint: float = 0.004
    button: float = 0.05  # taps a quick reply (when the template has one)
    stop_button: float = 0.01  # taps the opt-out quick reply (when the template has one)
    preference_stop: float = 0.003  # "Offers and announcements: Stop" (user_preferences)
    block: float = 0.004  # silent: no webhook, only the template's quality sees it
    reply_context: float = 0.6  # typed replies that quote the message (context.id)


@dataclass(frozen=True, slots=True)
class Quality:
    """When negative feedback (blocks, complaints, stops) turns a template YELLOW, RED, PAUSED."""

    enabled: bool = True
    min_delivered: int = 50
    yellow: float = 0.03  # negative signals / delivered
    red: float = 0.06
    pause: bool = True
    pause_hours: tuple[float, ...] = (3.0, 6.0)  # 1st, 2nd pause; one more is DISABLED


@dataclass(frozen=True, slots=True)
class Pacing:
    """Template pacing: sends of new marketing templates beyond a threshold are held."""

    enabled: bool = False
    release_after: int = 1000
    hold_seconds: float = 900.0


@dataclass(frozen=True, slots=True)
class Account:
    """The account's state, and an optional change after so many accepted messages."""

    state: str = "ok"
    after_accepted: int = 0  # 0: never changes by itself
    then: str = "restricted"


@dataclass(frozen=True, slots=True)
class Profile:
    """A whole behaviour profile."""

    name: str = "default"
    description: str = ""
    time_scale: float = 1.0
    webhooks: Webhooks = field(default_factory=Webhooks)
    timing: Timing = field(default_factory=Timing)
    delivery: Delivery = field(default_factory=Delivery)
    failures: Failures = field(default_factory=Failures)
    engagement: Engagement = field(default_factory=Engagement)
    quality: Quality = field(default_factory=Quality)
    pacing: Pacing = field(default_factory=Pacing)
    account: Account = field(default_factory=Account)


_SECTIONS: dict[str, type[Any]] = {
    "webhooks": Webhooks,
    "timing": Timing,
    "delivery": Delivery,
    "failures": Failures,
    "engagement": Engagement,
    "quality": Quality,
    "pacing": Pacing,
    "account": Account,
}
_PROBABILITY_SECTIONS = ("delivery", "failures", "engagement")


def builtin_profiles() -> list[str]:
    """Names of the profiles shipped in ``sender/profiles``."""
    return sorted(p.stem for p in PROFILES_DIR.glob("*.toml"))


def load_profile(name_or_path: str) -> Profile:
    """A built-in profile by name, or a TOML file by path; a bad profile raises ConfigError (one line)."""
    table = _read_chain(name_or_path, seen=())
    return profile_from(table, where=name_or_path)


def profile_from(table: dict[str, Any], *, where: str = "profile") -> Profile:
    """Build and check a profile from its (already merged) TOML table."""
    unknown = sorted(set(table) - {"name", "description", "time_scale", "extends", *_SECTIONS})
    if unknown:
        raise ConfigError(
            f"{where}: unknown profile key {unknown[0]!r}",
            hint=f"known: name, description, time_scale, extends, {', '.join(_SECTIONS)}",
        )
    sections = {key: _section(cls, table.get(key, {}), f"{where}: [{key}]") for key, cls in _SECTIONS.items()}
    profile = Profile(
        name=_text(table.get("name", Path(where).stem), f"{where}: name"),
        description=_text(table.get("description", ""), f"{where}: description"),
        time_scale=_number(table.get("time_scale", 1.0), f"{where}: time_scale"),
        **sections,
    )
    _check(profile, where)
    return profile


def _read_chain(name_or_path: str, seen: tuple[str, ...]) -> dict[str, Any]:
    path = _locate(name_or_path)
    key = str(path)
    if key in seen:
        raise ConfigError(f"{name_or_path}: profiles extend each other in a loop")
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the profile: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the profile is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    base_name = table.get("extends")
    if base_name is None:
        return table
    if not isinstance(base_name, str):
        raise ConfigError(f"{path}: extends must be a profile name or path")
    base = _read_chain(base_name, (*seen, key))
    base.pop("name", None)
    base.pop("description", None)
    return _merge(base, table)


def _locate(name_or_path: str) -> Path:
    if name_or_path.endswith(".toml") or "/" in name_or_path or "\\" in name_or_path:
        path = Path(name_or_path)
        if not path.is_file():
            raise ConfigError(f"{name_or_path}: no such profile file")
        return path
    path = PROFILES_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        raise ConfigError(
            f"unknown profile {name_or_path!r}",
            hint=f"built-in: {', '.join(builtin_profiles())}, or give a path to a .toml file",
        )
    return path


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _section(cls: type[Any], raw: Any, where: str) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a table")
    defaults = cls()
    names = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(raw) - set(names))
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}", hint=f"known: {', '.join(names)}")
    values = {name: _coerce(getattr(defaults, name), raw[name], f"{where} {name}") for name in raw}
    return dataclasses.replace(defaults, **values)


def _coerce(default: Any, value: Any, where: str) -> Any:
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where} must be a whole number")
        return value
    if isinstance(default, float):
        return _number(value, where)
    if isinstance(default, str):
        return _text(value, where)
    if isinstance(default, Delay):
        if not isinstance(value, list) or len(value) != 2:
            raise ConfigError(f"{where} must be [low, high] in seconds")
        return Delay(_number(value[0], where), _number(value[1], where))
    if isinstance(default, tuple):
        if not isinstance(value, list):
            raise ConfigError(f"{where} must be a list of numbers")
        return tuple(_number(v, where) for v in value)
    raise ConfigError(f"{where}: unsupported value")  # pragma: no cover - every field type is above


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{where} must be a number")
    if value < 0:
        raise ConfigError(f"{where} must not be negative, got {value}")
    return float(value)


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be text")
    return value


def _check(profile: Profile, where: str) -> None:
    for section in _PROBABILITY_SECTIONS:
        values = dataclasses.asdict(getattr(profile, section))
        for key, value in values.items():
            if not 0.0 <= value <= 1.0:
                raise ConfigError(f"{where}: [{section}] {key} is a probability, got {value}")
    outcomes = dataclasses.asdict(profile.failures)
    if sum(outcomes.values()) > 1.0:
        raise ConfigError(f"{where}: [failures] probabilities add up to more than 1")
    choices = dataclasses.asdict(profile.engagement)
    choices.pop("reply_context")
    if sum(choices.values()) > 1.0:
        raise ConfigError(f"{where}: [engagement] probabilities add up to more than 1")
    for name in dataclasses.asdict(profile.timing):
        delay: Delay = getattr(profile.timing, name)
        if delay.low > delay.high:
            raise ConfigError(f"{where}: [timing] {name} low {delay.low} is above high {delay.high}")
    _check_limits(profile, where)


def _check_limits(profile: Profile, where: str) -> None:
    hooks = profile.webhooks
    if hooks.batch_max < 1 or hooks.concurrency < 1 or hooks.max_attempts < 1:
        raise ConfigError(f"{where}: [webhooks] batch_max, concurrency and max_attempts must be at least 1")
    if hooks.timeout_seconds <= 0:
        raise ConfigError(f"{where}: [webhooks] timeout_seconds must be positive")
    if profile.quality.yellow > profile.quality.red:
        raise ConfigError(f"{where}: [quality] yellow must not be above red")
    for state in (profile.account.state, profile.account.then):
        if state not in ACCOUNT_STATES:
            raise ConfigError(f"{where}: [account] unknown state {state!r}", hint=", ".join(ACCOUNT_STATES))
