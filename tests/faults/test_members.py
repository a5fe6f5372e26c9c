"""Members cannot misuse the bot, each way tried for real against the fake Discord: channel
permissions, atomic limits, every interaction answered, nothing private shown, clean exits
from servers, subscriptions known by their identity, titles from other processes, and a
start-up during a Discord outage. Fair delivery is in test_fair_delivery.py, the terminal
in test_terminal.py, the database on disk and escaping in test_disk_and_escaping.py."""

from __future__ import annotations

import random
import string
import subprocess
import sys
import time
from pathlib import Path

from bot.clock import utcnow
from bot.engine.deliveries import Destination
from bot.engine.model import ChartRow
from bot.engine.routing import Via
from bot.store.store import Store
from tests.helpers.bot_process import BotProcess, write_bot_config
from tests.helpers.cli import run_cli
from tests.helpers.discord_helpers import (
    EPHEMERAL,
    all_delivered,
    answer,
    ask_alert_channel,
    publish_week_2,
    set_alert_channel,
    text_of,
)
from tests.helpers.fake_discord import (
    ADMIN_ID,
    ALL_PERMISSIONS,
    CHANNEL_ID,
    GUILD_ID,
    INTERACTION_WINDOW,
    MEMBER_ID,
    VIEW_CHANNEL,
    FakeDiscord,
    Fault,
)
from tests.helpers.netflix import WEEK_1, WEEK_2
from tests.helpers.shared_data import needs_shared_data
from tests.helpers.waiting import wait_until


def command(fake: FakeDiscord, name: str, *options: tuple[str, object], **kw) -> str:
    return fake.interact(
        name,
        [{"name": n, "type": 3 if isinstance(v, str) else 4, "value": v} for n, v in options],
        **kw,
    )


def admin(fake: FakeDiscord, sub: str, *options: tuple[str, object]) -> str:
    values = [{"name": n, "type": 3, "value": v} for n, v in options]
    return fake.interact(
        "alerts",
        [{"name": sub, "type": 1, "options": values}],
        user_id=ADMIN_ID,
        permissions=ALL_PERMISSIONS,
    )


def said(fake: FakeDiscord, interaction: str, count: int = 1) -> str:
    """The text of the interaction's `count`-th answer that says something (a deferral,
    "thinking…", says nothing: the answer follows it)."""

    def answers() -> list[dict]:
        return [c for c in fake.callbacks_of(interaction) if c.get("type") != 5]

    wait_until(lambda: len(answers()) >= count, 15, "the bot's answer")
    return text_of(answers()[count - 1])


def store_of(config: Path) -> Store:
    return Store.open(config.parent / "chartbot.db")


def follow(config: Path, user_id: int, titles: list[str], via: Via = Via.DM) -> None:
    with store_of(config) as store:
        for name in titles:
            title = store.titles.by_key(name)
            assert title is not None, name
            store.guilds.add_subscription(
                user_id=user_id,
                title=title.id,
                guild_id=GUILD_ID,
                via=via,
                channel_id=CHANNEL_ID if via is Via.HERE else None,
                now=utcnow(),
            )


def titles_in(config: Path, count: int, skip: int = 0) -> list[str]:
    with store_of(config) as store:
        return [c.name for c in store.titles.candidates()[skip : skip + count]]


# -- a mention needs the member's own permission; mentions per channel are capped -------


def test_a_mention_needs_the_member_to_be_able_to_post_there(bot, fake):
    refused = command(
        fake, "subscribe", ("title", "Stay Close"), ("where", "here"), permissions=VIEW_CHANNEL
    )
    assert "You can't send messages in this channel" in said(fake, refused)
    assert all(c["data"]["flags"] & EPHEMERAL for c in fake.callbacks_of(refused))
    allowed = command(fake, "subscribe", ("title", "Stay Close"), ("where", "here"))
    assert "with a mention here" in said(fake, allowed)


@needs_shared_data
def test_mentions_in_one_channel_are_capped(tmp_path, fake):
    (tmp_path / "top10.tsv").write_text(WEEK_1, encoding="utf-8")
    config = write_bot_config(tmp_path, fake, "top10.tsv")
    config.write_text(config.read_text() + "\n[limits]\nmentions_per_channel = 2\n")
    assert run_cli("poll", "-c", config).exit_code == 0
    process = BotProcess(config).start().wait_ready()
    try:
        for user_id in (11, 12):
            ok = command(
                fake, "subscribe", ("title", "Stay Close"), ("where", "here"), user_id=user_id
            )
            assert "with a mention here" in said(fake, ok)
        third = command(fake, "subscribe", ("title", "Stay Close"), ("where", "here"), user_id=13)
        assert "as many mention subscriptions as it may (2)" in said(fake, third)
        by_dm = command(fake, "subscribe", ("title", "Stay Close"), user_id=13)
        assert "by direct message" in said(fake, by_dm)
    finally:
        process.stop()


def test_admins_see_and_remove_any_members_subscription(bot, fake, config):
    follow(config, MEMBER_ID, ["Stay Close", "Cobra Kai"])
    listed = said(fake, admin(fake, "subscriptions"))
    assert f"<@{MEMBER_ID}>" in listed and "Stay Close" in listed and "Cobra Kai" in listed
    with store_of(config) as store:
        [cobra] = [s for s in store.guilds.guild_subscriptions(GUILD_ID) if s.title == "Cobra Kai"]
    removed = said(fake, admin(fake, "subscriptions", ("remove", str(cobra.id))))
    assert "Removed" in removed and "Cobra Kai" in removed
    with store_of(config) as store:
        assert [s.title for s in store.guilds.user_subscriptions(MEMBER_ID, GUILD_ID)] == [
            "Stay Close"
        ]
    member = fake.interact("alerts", [{"name": "subscriptions", "type": 1, "options": []}])
    assert "Manage Server" in said(fake, member)  # a member without it sees nobody's


# -- limits hold under a burst ---------------------------------------------------------------


def test_a_burst_of_subscribes_cannot_pass_the_limit(bot, fake, config):
    follow(config, MEMBER_ID, titles_in(config, 24))
    burst = [command(fake, "subscribe", ("title", name)) for name in titles_in(config, 16, skip=24)]
    replies = [said(fake, interaction) for interaction in burst]
    assert sum("You'll hear about" in r for r in replies) == 1
    # The rest refused: by the limit, or first by the command's per-member cooldown.
    refused = ("You follow 25 titles already", "Slow down a little")
    assert sum(any(text in r for text in refused) for r in replies) == 15
    with store_of(config) as store:
        assert len(store.guilds.user_subscriptions(MEMBER_ID, GUILD_ID)) == 25


# -- every interaction answered in time, whatever the store is doing ------------------------

LOCK_HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], timeout=60)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.rollback()
"""


def hold_the_write_lock(config: Path, *, seconds: float) -> subprocess.Popen:
    """Another process holding the database's write lock for `seconds` (it holds it when
    this returns)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(config.parent / "chartbot.db"), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def test_every_command_answers_in_time_while_another_process_holds_the_write_lock(
    bot, fake, config
):
    set_alert_channel(fake)
    follow(config, MEMBER_ID, ["Cobra Kai"])
    holder = hold_the_write_lock(config, seconds=10)
    try:
        started = time.monotonic()
        asked = {
            "rank": command(fake, "rank", ("title", "Stay Close")),
            "top": command(fake, "top", ("country", "US")),
            "subscribe": command(fake, "subscribe", ("title", "Stay Close"), ("where", "here")),
            "unsubscribe": command(fake, "unsubscribe", ("title", "Cobra Kai")),
            "subscriptions": command(fake, "subscriptions"),
            "status": command(fake, "status"),
            "alerts settings": admin(fake, "settings"),
            "alerts subscriptions": admin(fake, "subscriptions"),
            "alerts off": admin(fake, "off"),
        }
        for name, interaction in asked.items():
            wait_until(lambda i=interaction: fake.callbacks_of(i), 5, f"a first answer to {name}")
            assert fake.answered_in(interaction) < INTERACTION_WINDOW, name
        firsts = {name: round(fake.answered_in(i), 2) for name, i in asked.items()}
        print(f"first answers under a held write lock (s): {firsts}")  # for the figures (-s)
        assert time.monotonic() - started < 8  # all of them while the lock was held
    finally:
        holder.wait(30)
    # Once the lock is gone, the writes are done and their answers follow.
    assert "with a mention here" in said(fake, asked["subscribe"])
    assert "no longer follow" in said(fake, asked["unsubscribe"])
    assert "off for this server" in said(fake, asked["alerts off"])
    assert "Alert channel" in said(fake, asked["alerts settings"])


def many_titles(config: Path, count: int) -> None:
    """`count` more titles on a chart (names of three made-up words), as a big store has."""
    rng = random.Random(7)
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(5000)]
    names = {" ".join(rng.choices(words, k=rng.randint(1, 4))).title() for _ in range(count)}
    with store_of(config) as store, store.write():
        store.titles.ids_of((name, None) for name in names)


def test_every_command_answers_in_time_with_the_store_locked_and_fuzzy_searches_running(
    config, fake
):
    many_titles(config, 100_000)
    bot = BotProcess(config).start().wait_ready()
    fake.slow["/users/@me/channels"] = 1.3  # opening a DM is slow today
    holder = hold_the_write_lock(config, seconds=8)
    try:
        typos = [
            "Stya Closse",
            "Cobar Kia teh series",
            "Brazne movie",
            "Sqiud Gaem Chalenge",
            "Teh Witcer",
            "Bridgertn season",
        ]
        asked = {f"rank {typo}": command(fake, "rank", ("title", typo)) for typo in typos}
        asked |= {
            "subscribe (a DM test, then a write)": command(
                fake, "subscribe", ("title", "Stay Close")
            ),
            "subscribe before it charts": fake.interact(
                "subscribe",
                [
                    {"name": "title", "type": 3, "value": "Not Out Yet"},
                    {"name": "before_it_charts", "type": 5, "value": True},
                ],
            ),
            "top": command(fake, "top", ("country", "US")),
            "status": command(fake, "status"),
        }
        # Six admins set the channel at once: each says hello there, and the sixth hello
        # waits for the channel's window (5 messages in 5 s) before it can be sent.
        asked |= {f"alerts channel {n}": ask_alert_channel(fake) for n in range(1, 7)}
        for name, interaction in asked.items():
            wait_until(lambda i=interaction: fake.callbacks_of(i), 6, f"a first answer to {name}")
        firsts = {name: round(fake.answered_in(i) or -1, 2) for name, i in asked.items()}
        print(f"first answers, store locked, 100,000 titles (s): {firsts}")  # the figures (-s)
        assert fake.expired == []  # every first answer came within Discord's 3 seconds
    finally:
        holder.wait(30)
        bot.stop()


@needs_shared_data
def test_a_refused_first_answer_falls_back_to_a_private_error(shared):
    fake = shared.fake
    fake.faults.append(Fault("POST", "/callback", 400, count=1))
    interaction = command(fake, "rank", ("title", "Stay Close"))
    callbacks = answer(fake, interaction)
    assert "I couldn't show that answer" in text_of(callbacks[-1])
    assert callbacks[-1]["data"]["flags"] & EPHEMERAL


# -- private details stay with the operator -------------------------------------------------


@needs_shared_data
def test_discord_sees_a_short_reason_and_the_operator_everything(tmp_path, fake, chart_server):
    secret = "api_key=SECRET123"
    url = chart_server.serve("top10.tsv", WEEK_1) + "?" + secret
    config = write_bot_config(tmp_path, fake, url)
    config.write_text(config.read_text() + '\n[health]\nnotify_after = "0s"\n')
    assert run_cli("poll", "-c", config).exit_code == 0
    process = BotProcess(config).start().wait_ready()
    try:
        set_alert_channel(fake)
        chart_server.serve("top10.tsv", "", status=500)
        assert run_cli("poll", "-c", config).exit_code == 1
        wait_until(lambda: len(fake.messages_to(CHANNEL_ID)) >= 2 and all_delivered(config), 20)
        notice = fake.messages_to(CHANNEL_ID)[1]["embeds"][0]["description"]
        assert "Last error: HTTP 500" in notice
        status = said(fake, command(fake, "status"))
        assert "last error: HTTP 500" in status
        for shown in (notice, status):
            assert "SECRET" not in shown and "127.0.0.1" not in shown
        in_dm = command(fake, "status", in_dm=True)
        assert "only works in a server" in said(fake, in_dm)
    finally:
        process.stop()
    operator = run_cli("status", "-c", config).stdout
    assert "last error: HTTP 500" in operator


# -- leaving a server, and members' DMs --------------------------------------------------------


def test_a_server_left_is_forgotten_and_a_reinvite_starts_clean(bot, fake, config):
    set_alert_channel(fake)
    follow(config, MEMBER_ID, ["Stay Close"])
    fake.remove_bot_from_guild()
    bot.wait_for_log("left guild")
    with store_of(config) as store:
        assert store.guilds.alerts_for(GUILD_ID) is None
        assert store.guilds.guild_subscriptions(GUILD_ID) == []
    fake.add_bot_to_guild()
    wait_until(
        lambda: any(
            "Thanks for adding chartbot" in m["content"] for m in fake.messages_to(CHANNEL_ID)
        ),
        10,
        "the welcome",
    )
    assert "Alert channel: off" in said(fake, admin(fake, "settings"))


def test_dms_closed_once_work_again_after_a_new_subscribe(bot, fake, config):
    set_alert_channel(fake)
    fake.closed_dms.add(MEMBER_ID)
    refused = command(fake, "subscribe", ("title", "Stay Close"), ("country", "US"))
    assert "can't send you direct messages" in said(fake, refused)
    follow(config, MEMBER_ID, ["Stay Close"])  # subscribed before the DMs were closed
    with store_of(config) as store:
        store.outbox.mark_dead(Destination.dm(MEMBER_ID), "HTTP 403 closed", now=utcnow())
    fake.closed_dms.clear()
    again = command(fake, "subscribe", ("title", "Stay Close"), ("country", "US"))
    assert "by direct message" in said(fake, again)
    with store_of(config) as store:
        assert Destination.dm(MEMBER_ID) not in store.outbox.dead_destinations()
    publish_week_2(config)
    wait_until(lambda: fake.alert_dms(MEMBER_ID) and all_delivered(config), 20, "the DM")


# -- /unsubscribe knows a subscription by its identity ----------------------------------------


def test_unsubscribe_picks_the_song_and_long_titles(bot, fake, config):
    long_title = "A " + "very " * 30 + "long title"
    with store_of(config) as store, store.write():
        store.titles.ids(
            [
                ChartRow("songs", "2022-01-09", "US", 1, "Stay", artist="Rihanna"),
                ChartRow("songs", "2022-01-09", "US", 2, "Stay", artist="The Kid LAROI"),
                ChartRow("songs", "2022-01-09", "US", 3, long_title),
            ]
        )
    with store_of(config) as store:
        for name, artist in (("Stay", "Rihanna"), ("Stay", "The Kid LAROI"), (long_title, None)):
            title = store.titles.by_key(name, artist)
            assert title is not None
            store.guilds.add_subscription(
                user_id=MEMBER_ID, title=title.id, guild_id=GUILD_ID, via=Via.DM, now=utcnow()
            )
    typing = fake.interact(
        "unsubscribe", [{"name": "title", "type": 3, "value": "stay", "focused": True}], kind=4
    )
    choices = answer(fake, typing)[0]["data"]["choices"]
    by_name = {c["name"]: c["value"] for c in choices}
    assert set(by_name) == {"Stay — Rihanna", "Stay — The Kid LAROI"}
    gone = said(fake, command(fake, "unsubscribe", ("title", by_name["Stay — Rihanna"])))
    assert "no longer follow **Stay — Rihanna**" in gone
    typing = fake.interact(
        "unsubscribe", [{"name": "title", "type": 3, "value": "very", "focused": True}], kind=4
    )
    [long_choice] = answer(fake, typing)[0]["data"]["choices"]
    assert len(long_choice["name"]) <= 100
    assert "no longer follow" in said(
        fake, command(fake, "unsubscribe", ("title", long_choice["value"]))
    )
    with store_of(config) as store:
        left = store.guilds.user_subscriptions(MEMBER_ID, GUILD_ID)
    assert [(s.title, s.artist) for s in left] == [("Stay", "The Kid LAROI")]


# -- titles are drawn as plain text ------------------------------------------------------------


@needs_shared_data
def test_a_title_with_dollars_gets_its_picture(tmp_path, fake):
    maths = r"$\frac{a}$ Paris — $uicideboy$"
    (tmp_path / "top10.tsv").write_text(WEEK_1.replace("\tStay Close\t", f"\t{maths}\t"))
    config = write_bot_config(tmp_path, fake, "top10.tsv")
    assert run_cli("poll", "-c", config).exit_code == 0
    (tmp_path / "top10.tsv").write_text(WEEK_2.replace("\tStay Close\t", f"\t{maths}\t"))
    assert run_cli("poll", "-c", config).exit_code == 0
    process = BotProcess(config).start().wait_ready()
    try:
        first, edit = answer(fake, command(fake, "rank", ("title", "paris uicideboy")), 2)
        assert "Paris" in text_of(first)
        assert edit["files"][0][1].startswith(b"\x89PNG")
        assert "failed" not in process.output()
    finally:
        process.stop()


# -- titles stored by another process are known within seconds -------------------------------


def test_a_title_stored_by_another_process_is_found_within_seconds(bot, fake, config):
    unknown = said(fake, command(fake, "rank", ("title", "Brazen")))
    assert "I don't know" in unknown  # a title of week 2 only
    publish_week_2(config)  # `chartbot poll`, another process
    started = time.monotonic()

    def found() -> bool:
        return "I don't know" not in said(fake, command(fake, "rank", ("title", "Brazen")))

    wait_until(found, 15, "Brazen known to the bot")
    assert time.monotonic() - started < 10


# -- a Discord outage at start-up is waited out ---------------------------------------------


def test_a_start_during_a_discord_outage_waits_and_connects(config, fake):
    fake.outage = True
    process = BotProcess(config).start()
    try:
        process.wait_for_log("Discord is not reachable")
        assert process.process is not None and process.process.poll() is None
        fake.outage = False
        process.wait_ready()
    finally:
        assert process.stop() == 0
