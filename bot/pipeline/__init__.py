"""Polling: one poll of one source, from the fetch to the outbox (poll.py), storing a
snapshot, polled or imported (commit.py), its bookkeeping (records.py) and how it went
(outcome.py)."""

from bot.pipeline.commit import AsImported, AsPolled, Committed, SourceTerms, commit
from bot.pipeline.outcome import PollOutcome, PollStatus, Stale
from bot.pipeline.poll import commit_snapshot, poll_source

__all__ = [
    "AsImported",
    "AsPolled",
    "Committed",
    "PollOutcome",
    "PollStatus",
    "SourceTerms",
    "Stale",
    "commit",
    "commit_snapshot",
    "poll_source",
]
