"""A source's health: ok -> failing (retried with capped exponential backoff) -> disabled.

Pure: the source's counters in, what to do out. Admins hear about a source
twice at most per outage: once when it has been failing for `notify_after`,
once when it recovers; never once per failed poll.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.engine.source_types import SourceHealth


@dataclass(frozen=True, slots=True)
class HealthPolicy:
    notify_after: timedelta = timedelta(hours=1)
    disable_after: int = 20  # consecutive failures; 0 never disables
    retry_first: timedelta = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class AfterFailure:
    status: SourceHealth  # failing or disabled
    notify: bool  # send the one "failing" notice now


def after_failure(
    policy: HealthPolicy,
    *,
    failures: int,
    failing_since: datetime,
    notified: bool,
    now: datetime,
    stop: bool = False,
) -> AfterFailure:
    """`failures` counts this one; `failing_since` is when the run of failures began.
    `stop`: trying again cannot help (a refused API key): paused at once."""
    disabled = stop or (policy.disable_after > 0 and failures >= policy.disable_after)
    long_enough = now - failing_since >= policy.notify_after
    return AfterFailure(
        status=SourceHealth.DISABLED if disabled else SourceHealth.FAILING,
        notify=not notified and (long_enough or disabled),
    )


def retry_in(policy: HealthPolicy, failures: int, every: timedelta) -> timedelta:
    """When to try a failing source again: 1, 2, 4 ... minutes, never later than its interval."""
    first = policy.retry_first.total_seconds()
    delay = min(every.total_seconds(), first * 2 ** max(0, failures - 1))
    return timedelta(seconds=delay * random.uniform(0.85, 1.15))
