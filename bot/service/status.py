"""Each source's health, for `chartbot status` (everything, for the operator) and `/status`
(what a server may see: short reasons, no URLs, paths or file contents)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.config import Config
from bot.engine.source_types import Failure, SourceHealth
from bot.engine.stored import SkippedFile, SourceState
from bot.store.forecasts import CallRecord
from bot.store.store import Store


@dataclass(frozen=True, slots=True)
class SourceReport:
    name: str
    enabled: bool
    state: SourceState | None
    latest: str | None  # the newest stored period
    next_poll: datetime | None

    @property
    def health(self) -> SourceHealth:
        return self.state.status if self.state else SourceHealth.NEW

    @property
    def error(self) -> str | None:
        """The last error, in full (the operator's), while the source is not ok."""
        failure = self.failure
        return failure.reason if failure else None

    @property
    def failure(self) -> Failure | None:
        """The last failure (its kind and text) while the source is not ok."""
        if self.state and self.state.status is not SourceHealth.OK:
            return self.state.failure
        return None

    @property
    def skipped(self) -> list[SkippedFile]:
        return list(self.state.skipped.values()) if self.state else []


@dataclass(frozen=True, slots=True)
class StatusReport:
    sources: list[SourceReport]
    waiting: int  # alerts not delivered yet
    calls: CallRecord  # on-course alerts and how many came true


def status_report(store: Store, config: Config) -> StatusReport:
    states = {s.name: s for s in store.sources.states()}
    reports = []
    for source in config.sources:
        state = states.get(source.name)
        latest = store.charts.latest_periods(source.name)
        reports.append(
            SourceReport(
                name=source.name,
                enabled=source.enabled,
                state=state,
                latest=max(latest.values()) if latest else None,
                next_poll=state.next_poll_at if state else None,
            )
        )
    return StatusReport(reports, store.outbox.waiting(), store.forecasts.record())
