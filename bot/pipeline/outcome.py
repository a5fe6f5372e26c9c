"""How a poll went: its status, and a one-line summary for people."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.engine.model import ChartPeriodKey
from bot.engine.source_types import SourceHealth


class PollStatus(StrEnum):
    BASELINE = "baseline"  # a fresh store's first poll: stored, no alerts
    NEW = "new"  # new periods stored, alerts made
    REWRITTEN = "rewritten"  # only past periods changed: stored, no alerts
    UNCHANGED = "unchanged"
    FAILED = "failed"
    IMPORTED = "imported"  # an import's periods: stored as they are, no alerts


class Stale(Exception):
    """The store changed between reading what it holds and committing (another process
    polled the same source): the poll starts again from a fresh read."""


@dataclass(slots=True)
class PollOutcome:
    """How one poll of one source went, with a one-line summary for people."""

    source: str
    status: PollStatus
    summary: str
    error: str | None = None
    new_periods: list[ChartPeriodKey] = field(default_factory=list)
    rows: int = 0
    events: int = 0
    deliveries: int = 0
    warnings: list[str] = field(default_factory=list)
    health: SourceHealth = SourceHealth.OK  # the source's health after this poll
    failures: int = 0  # consecutive failures so far

    @property
    def failed(self) -> bool:
        return self.status is PollStatus.FAILED
