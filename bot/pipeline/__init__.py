"""Polling: one poll of one source, from the fetch to the outbox (poll.py), its bookkeeping
(records.py) and how it went (outcome.py)."""

from bot.pipeline.outcome import PollOutcome, PollStatus, Stale
from bot.pipeline.poll import SourceTerms, commit_snapshot, poll_source, write_periods

__all__ = [
    "PollOutcome",
    "PollStatus",
    "SourceTerms",
    "Stale",
    "commit_snapshot",
    "poll_source",
    "write_periods",
]
