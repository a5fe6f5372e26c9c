"""Fair delivery: one server's flood of mentions delays no other server,
a channel is paced as one channel whatever the destination kind, and no limit is passed."""

from __future__ import annotations

import time

from bot.clock import utcnow
from bot.engine.deliveries import Destination
from bot.engine.routing import Via
from bot.store.store import Store
from tests.helpers.bot_process import BotProcess, write_bot_config
from tests.helpers.cli import run_cli
from tests.helpers.discord_helpers import publish_week_2, set_alert_channel
from tests.helpers.fake_discord import CHANNEL_ID, GUILD_ID
from tests.helpers.netflix import WEEK_1
from tests.helpers.oracle import rows
from tests.helpers.shared_data import needs_shared_data
from tests.helpers.waiting import wait_until

OTHER_GUILD = 800_000_000_000_000_777
OTHER_CHANNEL = 810_000_000_000_000_777
THIRD_GUILD = 800_000_000_000_000_888
THIRD_CHANNEL = 810_000_000_000_000_888


@needs_shared_data
def test_a_flood_of_mentions_in_one_server_delays_no_other_server(tmp_path, fake):
    (tmp_path / "top10.tsv").write_text(WEEK_1, encoding="utf-8")
    config = write_bot_config(tmp_path, fake, "top10.tsv")
    assert run_cli("poll", "-c", config).exit_code == 0
    us_titles = sorted({r["show_title"] for r in rows(WEEK_1) if r["country_iso2"] == "US"})
    assert len(us_titles) >= 20
    fake.add_guild(OTHER_GUILD, OTHER_CHANNEL)  # two more servers with the bot in them
    fake.add_guild(THIRD_GUILD, THIRD_CHANNEL)
    with Store.open(tmp_path / "chartbot.db") as store:
        # 16 members x 20 titles, each mentioned in the alert channel: 320 mention
        # subscriptions (made before the per-channel cap existed).
        for user_id in range(1, 17):
            for name in us_titles[:20]:
                title = store.titles.by_key(name)
                assert title is not None
                store.guilds.add_subscription(
                    user_id=user_id,
                    title=title.id,
                    guild_id=GUILD_ID,
                    via=Via.HERE,
                    channel_id=CHANNEL_ID,
                    country="US",
                    now=utcnow(),
                )
        store.guilds.set_alerts(OTHER_GUILD, by=None, now=utcnow(), channel_id=OTHER_CHANNEL)
    fake.limits = (50, 5)  # Discord's limits, enforced with 429s
    process = BotProcess(config).start().wait_ready()
    try:
        set_alert_channel(fake)
        publish_week_2(config)
        queued = time.monotonic()
        wait_until(lambda: fake.messages_to(OTHER_CHANNEL), 20, "the other server's alert")
        other_after = time.monotonic() - queued
        # Meanwhile the flood goes on at its channel's pace: 5 messages per 5 seconds.
        wait_until(lambda: len(fake.messages_to(CHANNEL_ID)) >= 8, 30, "some of the flood")
        # An alert for a third server queued while the flood is under way (by another
        # process) waits for the round under way at most.
        with Store.open(tmp_path / "chartbot.db") as store, store.write():
            [event_id] = [
                row[0] for row in store.db.execute("SELECT id FROM events ORDER BY id LIMIT 1")
            ]
            store.outbox.add_deliveries(
                [(event_id, Destination.channel(THIRD_CHANNEL), THIRD_GUILD)], now=utcnow()
            )
        queued_later = time.monotonic()
        wait_until(lambda: fake.messages_to(THIRD_CHANNEL), 20, "the third server's alert")
        third_after = time.monotonic() - queued_later
        wait_until(lambda: len(fake.messages_to(CHANNEL_ID)) >= 12, 30, "more of the flood")
        flood = fake.messages_to(CHANNEL_ID)
        print(
            f"\nthe other server's alert came {other_after:.2f}s after the poll; one queued "
            f"during the flood {third_after:.2f}s after it was queued"
        )
        assert other_after < 3.0 and third_after < 3.0
        assert fake.limited == 0, fake.limited_by  # never past a limit, so never pushed back
        sent_at = sorted(
            r.at
            for r in fake.requests
            if r.method == "POST" and r.path == f"/channels/{CHANNEL_ID}/messages"
        )
        worst = max(sum(1 for t in sent_at if s <= t < s + 5.0) for s in sent_at)
        assert worst <= 5, f"{worst} messages in one 5-second window of one channel"
        assert len(flood) >= 12
    finally:
        process.stop()
