"""The send plan: who gets which campaign when, before anything reacts to anything.

Marketing goes out in waves (a blast of a few hours) and reaches each person at most once per
campaign; order updates and one-time passwords flow continuously to a smaller set of
customers, so the same people are messaged several times. Walk-ins (people who open a chat
on their own, ``request_welcome``) are planned here too.
"""

from __future__ import annotations

import itertools
import random

from pipelines.synthetic.catalog import CAMPAIGNS, UTILITY, Campaign

HOUR = 3600
DAY = 86400
SEND = 0
WALK_IN = 1

PlannedSend = tuple[int, int, int, int]  # (unix time, kind, campaign index or sending number, person)

CUSTOMERS = 0.35  # share of people with orders (utility traffic)
LOGIN_USERS = 0.25  # share of people who log in (authentication traffic)
WALK_INS = 0.002  # per planned message
MIN_SENDS = 4  # even a tiny spec gets a few sends of every campaign
# order traffic follows the warehouse in China: mostly 01:00-11:00 UTC
_UTILITY_HOURS = list(
    itertools.accumulate([1, 3, 5, 6, 6, 6, 6, 6, 6, 6, 5, 4, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1])
)


def plan_sends(rng: random.Random, messages: int, people: int, start: int, days: int) -> list[PlannedSend]:
    """Every planned send and walk-in of the period, sorted by time."""
    period = days * DAY
    customers = rng.sample(range(people), max(1, int(people * CUSTOMERS)))
    logins = rng.sample(range(people), max(1, int(people * LOGIN_USERS)))
    planned: list[PlannedSend] = []
    for index, campaign in enumerate(CAMPAIGNS):
        count = max(MIN_SENDS, round(campaign.share * messages))
        if campaign.repeat:
            pool = customers if campaign.template.category == UTILITY else logins
            recipients = rng.choices(pool, k=count)
        else:
            recipients = rng.sample(range(people), min(count, people))
        times = _wave_times(rng, campaign, len(recipients), start, period)
        planned.extend((t, SEND, index, p) for t, p in zip(times, recipients, strict=True))
    for _ in range(max(1, int(messages * WALK_INS))):
        planned.append((start + rng.randrange(period), WALK_IN, rng.randrange(2), rng.randrange(people)))
    planned.sort()
    return planned


def _wave_times(rng: random.Random, campaign: Campaign, count: int, start: int, period: int) -> list[int]:
    if not campaign.waves:
        return [_continuous_time(rng, campaign, start, period) for _ in range(count)]
    times: list[int] = []
    remaining = count
    for number, wave in enumerate(campaign.waves):
        size = remaining if number == len(campaign.waves) - 1 else round(count * wave.share)
        size = min(size, remaining)
        remaining -= size
        begin = start + int(wave.start * period)
        length = max(1, min(int(wave.hours * HOUR), start + period - begin - 1))
        times.extend(begin + rng.randrange(length) for _ in range(size))
    return times


def _continuous_time(rng: random.Random, campaign: Campaign, start: int, period: int) -> int:
    if campaign.template.category != UTILITY or period < DAY:
        return start + rng.randrange(period)
    day = rng.randrange(period // DAY)
    hour = rng.choices(range(24), cum_weights=_UTILITY_HOURS)[0]
    return start + day * DAY + hour * HOUR + rng.randrange(HOUR)
