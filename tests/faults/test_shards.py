"""Two `chartbot run --shards` processes on one store, against a fake Discord that asks for
two shards: each server's alerts come from the process of its shard, each member's DMs
from the process of the member's, the polls from the lead (shard 0) only, and a process
killed mid-delivery and restarted loses and repeats nothing."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from bot.clock import utcnow
from bot.faults import ENV
from bot.store.store import Store
from tests.helpers.bot_process import BotProcess, write_bot_config
from tests.helpers.cli import run_cli
from tests.helpers.discord_helpers import all_delivered, publish_week_2
from tests.helpers.fake_discord import CHANNEL_ID, GUILD_ID, MEMBER_ID, FakeDiscord
from tests.helpers.netflix import WEEK_1
from tests.helpers.shared_data import needs_shared_data
from tests.helpers.waiting import wait_until

OTHER_GUILD = GUILD_ID + (1 << 22)  # shard 0 of 2 (GUILD_ID and MEMBER_ID are on shard 1)
OTHER_CHANNEL = CHANNEL_ID + 10


@pytest.fixture
def fake2():
    server = FakeDiscord(shards=2).start()
    server.add_guild(OTHER_GUILD, OTHER_CHANNEL)
    try:
        yield server
    finally:
        server.stop()


def prepared(folder: Path, fake: FakeDiscord) -> Path:
    """Week 1 as the baseline; both servers' alert channels set; a member following Stay
    Close by DM."""
    (folder / "top10.tsv").write_text(WEEK_1, encoding="utf-8")
    config = write_bot_config(folder, fake, "top10.tsv")
    assert run_cli("poll", "-c", config).exit_code == 0
    with Store.open(folder / "chartbot.db") as store, store.write():
        now = utcnow().isoformat()
        store.db.conn.executemany(
            "INSERT INTO guild_settings (guild_id, channel_id, updated_at) VALUES (?, ?, ?)",
            [(GUILD_ID, CHANNEL_ID, now), (OTHER_GUILD, OTHER_CHANNEL, now)],
        )
        title = store.titles.by_key("Stay Close")
        assert title is not None
        store.db.execute(
            "INSERT INTO subscriptions (guild_id, user_id, title_id, via, created_at)"
            " VALUES (?, ?, ?, 'dm', ?)",
            [GUILD_ID, MEMBER_ID, title.id, now],
        )
    return config


@needs_shared_data
def test_each_process_delivers_its_servers_and_members(tmp_path, fake2):
    config = prepared(tmp_path, fake2)
    lead = BotProcess(config, args=("--shards", "0/2")).start().wait_ready()
    # The process of the first server's (and the member's) shard dies as it sends its
    # first alert.
    other = BotProcess(config, env={ENV: "before_send"}, args=("--shards", "1/2")).start()
    try:
        other.wait_ready()
        publish_week_2(config)
        assert other.wait_exit() == -signal.SIGKILL
        wait_until(lambda: fake2.messages_to(OTHER_CHANNEL), 20, "the lead's delivery")
        # Its process is down: its alerts wait, however many rounds the lead makes. A
        # round claims everything it will send, oldest first, before sending any: once
        # the lead has sent a notice queued after them, it has passed them over.
        queue_marker(config)
        wait_until(lambda: _with_marker(fake2.messages_to(OTHER_CHANNEL)), 20, "the marker")
        assert claims_of_the_dead_ones(config) == {1}  # the dead process's claim only
        assert fake2.messages_to(CHANNEL_ID) == [] and fake2.alert_dms(MEMBER_ID) == []
        again = BotProcess(config, args=("--shards", "1/2")).start().wait_ready()
        try:
            wait_until(lambda: all_delivered(config), 20, "delivery after the restart")
        finally:
            again.stop()
    finally:
        lead.stop()
    # Each alert once, from the process holding it.
    here = fake2.messages_to(CHANNEL_ID)
    there = [m for m in fake2.messages_to(OTHER_CHANNEL) if not _with_marker([m])]
    assert len(here) == len(there) == 1 and len(fake2.alert_dms(MEMBER_ID)) == 1
    assert here[0]["embeds"][0]["description"] == there[0]["embeds"][0]["description"]
    assert "**Brazen** is now #1 in 6 countries (+6)" in here[0]["embeds"][0]["description"]
    assert sorted(set(fake2.identified_shards)) == [(0, 2), (1, 2)]
    # Polling is the lead's alone: the other processes never schedule it.
    assert "polling 1 sources" in lead.output()
    assert "polling" not in other.output() + again.output()


MARKER = "a notice queued after the alerts"


def queue_marker(config: Path) -> None:
    with Store.open(config.parent / "chartbot.db") as store, store.write():
        store.db.execute(
            "INSERT INTO deliveries (notice, destination, guild_id, created_at)"
            " VALUES (?, ?, ?, ?)",
            [MARKER, f"channel:{OTHER_CHANNEL}", OTHER_GUILD, utcnow().isoformat()],
        )


def _with_marker(messages: list[dict]) -> bool:
    return any(MARKER in json.dumps([m["content"], m["embeds"]]) for m in messages)


def claims_of_the_dead_ones(config: Path) -> set[int]:
    """How many times the deliveries of the dead process's server and member were claimed."""
    with Store.open(config.parent / "chartbot.db") as store:
        rows = store.db.execute(
            "SELECT attempts FROM deliveries WHERE destination IN (?, ?)",
            [f"channel:{CHANNEL_ID}", f"dm:{MEMBER_ID}"],
        ).fetchall()
    return {attempts for (attempts,) in rows}
