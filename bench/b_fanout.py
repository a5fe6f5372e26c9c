"""Fan-out: 5,000 alerts to 1,000 channels and DMs, the fake Discord enforcing 50 requests
a second globally and 5 messages per 5 seconds per channel (429s past them). The bound is
the rate limit itself: the requests the delivery needs, at 50 a second.

The channels get the latest week's alerts, as after a poll: each "#1 in N countries" alert
carries its world map, drawn from the stored ranks once and uploaded with every message."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bench.common import Result
from bot.clock import utcnow
from bot.engine.deliveries import Destination
from bot.engine.events import Event, NewNumberOne, NumberOneCount
from bot.engine.model import ChartRow, PeriodSummary
from bot.engine.source_types import SourceIdentity
from bot.i18n import Language
from bot.store.store import Store
from tests.helpers.bot_process import BotProcess, write_bot_config
from tests.helpers.fake_discord import CHANNEL_ID, FakeDiscord, Recorded
from tests.helpers.waiting import wait_until

CHANNELS = 500
MEMBERS = 500
PER_DESTINATION = 5
TITLES = ["Squid Game", "Stay Close", "Cobra Kai", "Ozark", "The Witcher"]
FIRST_GUILD = 830_000_000_000_000_000  # the servers, each with its alert channel

MAP_COUNTRIES = (
    "US GB CA AU DE FR ES IT BR MX AR KR JP IN ID PH TH VN TR PL NL BE SE NO DK FI PT GR CZ HU "
    "RO ZA NG EG SA AE IL CL CO PE"
).split()


def _fill(store: Store, spoken: list[Language]) -> int:
    """Guilds with alert channels, members with DMs, and 5 alerts for each of them: a title's
    "#1 in N countries" and its new #1 in four markets, the same week."""
    now = utcnow()
    store.sources.ensure(SourceIdentity("bench", "table", None, "bench"))
    # Servers and members in these languages, in turn.
    for n in range(CHANNELS):
        store.guilds.set_alerts(
            FIRST_GUILD + n,
            by=None,
            now=now,
            channel_id=CHANNEL_ID + 1000 + n,
            language=spoken[n % len(spoken)].value,
        )
    for n in range(MEMBERS):
        store.guilds.set_member_language(10_000 + n, spoken[n % len(spoken)], now=now)
    with store.write():
        chart_ids = store.charts.ids("bench", ["TV"])
        snapshot = store.sources.add_snapshot("bench", now=now, content_hash=None, outcome="new")
        groups: list[list[Event]] = []
        weeks = 100
        for week in range(weeks):
            period = (date(2024, 1, 7) + timedelta(weeks=week)).isoformat()
            for title in TITLES:
                base = ("bench", "TV", period, title.lower(), title, None)
                groups.append(
                    [
                        NumberOneCount(*base, count=week + 10, previous=week + 8),
                        *(
                            NewNumberOne(*base, country=c, rank=1, previous_rank=2)
                            for c in ("US", "KR", "JP", "FR")
                        ),
                    ]
                )
        _store_latest_week(store, chart_ids["TV"], groups[-len(TITLES) :], snapshot)
        events = [event for group in groups for event in group]
        added = dict(
            (event.key, event_id)
            for event_id, event in store.outbox.add_events(
                events, chart_ids=chart_ids, snapshot_id=snapshot, now=now
            )
        )
        rows = []
        latest = groups[-len(TITLES) :]  # the week a poll has just stored
        for n in range(CHANNELS):
            rows += [
                (added[e.key], Destination.channel(CHANNEL_ID + 1000 + n), FIRST_GUILD + n)
                for e in latest[n % len(latest)]
            ]
        for n in range(MEMBERS):
            group = groups[(n * 7) % len(groups)]
            guild = FIRST_GUILD + n % CHANNELS  # where the member subscribed
            rows += [(added[e.key], Destination.dm(10_000 + n), guild) for e in group]
        return store.outbox.add_deliveries(rows, now=now)


def _store_latest_week(
    store: Store, chart_id: int, groups: list[list[Event]], snapshot: int
) -> None:
    """The ranks behind the latest week's alerts, so their maps are drawn from the store as
    after a poll: in each country the five titles take ranks 1-5 in turn."""
    period = groups[0][0].period
    titles = [group[0].title for group in groups]
    rows = [
        ChartRow("TV", period, code, (t + c) % len(titles) + 1, title)
        for c, code in enumerate(MAP_COUNTRIES)
        for t, title in enumerate(titles)
    ]
    ids = store.titles.ids(rows)
    store.charts.put_period(chart_id, PeriodSummary.of("TV", period, rows), rows, ids, snapshot)


def run() -> list[Result]:
    """The fan-out with every server and member in English, then in the eight languages in
    turn (a map per alert and language), side by side."""
    return [fan_out([Language.EN]), fan_out(list(Language))]


def fan_out(spoken: list[Language]) -> Result:
    fake = FakeDiscord().start()
    fake.limits = (50, 5)
    for n in range(CHANNELS):
        fake.add_guild(FIRST_GUILD + n, CHANNEL_ID + 1000 + n)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            (folder / "none.tsv").write_text("")
            config = write_bot_config(folder, fake, "none.tsv")
            config.write_text(
                config.read_text().replace('every = "1h"', 'every = "1h"\nenabled = false')
            )
            store = Store.open(folder / "chartbot.db")
            try:
                queued = _fill(store, spoken)
            finally:
                store.close()
            bot = BotProcess(config).start().wait_ready()
            try:
                wait_until(lambda: _pending(folder) == 0, 300, "the fan-out")
            finally:
                bot.stop()
    finally:
        fake.stop()
    sent = delivery_of(fake)
    maps = sum(1 for message in fake.messages if message["files"])
    drawn = len({bytes(message["files"][0][1]) for message in fake.messages if message["files"]})
    languages = "in English" if len(spoken) == 1 else f"in {len(spoken)} languages"
    return sent.result(
        f"fan-out of {queued:,} alerts to {CHANNELS + MEMBERS:,} channels and DMs {languages}",
        queued,
        fake,
        about=(
            f" (alerts batched per destination), {maps} with their world map ({drawn} maps drawn)"
        ),
    )


def _pending(folder: Path) -> int:
    with Store.open(folder / "chartbot.db") as store:
        return store.outbox.waiting()


@dataclass(frozen=True)
class Delivered:
    """What the fake Discord saw of a delivery: its sending requests (messages and DM
    openings), their span, the bound (those requests at 50 a second), the alert lines
    delivered (each embed line a destination got) and how many of them came twice."""

    requests: list[Recorded]
    elapsed: float
    bound: float
    lines: int
    duplicated: int

    def result(
        self,
        name: str,
        queued: int,
        fake: FakeDiscord,
        *,
        about: str = "",
        after: str = "",
        least: float = 0.95,
    ) -> Result:
        """The delivery of `queued` alerts against its bound, as a benchmark's figure
        (`about` the messages, `after` the 429s, in its notes); `least`: the ratio it aims
        at."""
        ratio = self.bound / self.elapsed
        return Result(
            name=name,
            figure=self.elapsed,
            unit="s",
            bound=self.bound,
            bound_what=f"{len(self.requests):,} requests at 50/s",
            ratio=ratio,
            target=f"≥ {least}× the bound, 0 lost, 0 duplicated",
            met=ratio >= least and self.lines == queued and self.duplicated == 0,
            notes=(
                f"{len(fake.messages):,} messages{about}, {self.lines:,} alerts delivered, "
                f"{queued - self.lines} lost, {self.duplicated} duplicated, "
                f"{fake.limited} 429s{after}"
            ),
        )


def delivery_of(fake: FakeDiscord, since: int = 0) -> Delivered:
    sends = [
        r
        for r in fake.requests[since:]
        if r.method == "POST" and (r.path.endswith("/messages") or r.path == "/users/@me/channels")
    ]
    seen: dict[tuple[str, str], int] = {}
    for message in fake.messages:
        for embed in message["embeds"]:
            for line in embed["description"].split("\n"):
                seen[(message["channel_id"], line)] = seen.get((message["channel_id"], line), 0) + 1
    return Delivered(
        requests=sends,
        elapsed=max(r.at for r in sends) - min(r.at for r in sends),
        bound=len(sends) / 50,
        lines=sum(seen.values()),
        duplicated=sum(count - 1 for count in seen.values() if count > 1),
    )
