"""Every server in its own language, end to end: the real bot against the fake Discord."""

from __future__ import annotations

from bot.alerts.notices import notice_text
from bot.alerts.render import markdown
from bot.clock import utcnow
from bot.engine.events import Moved, NumberOneCount
from bot.engine.notices import SourceRecovered
from bot.i18n import Language, texts
from bot.i18n.commands import CommandText
from bot.store.store import Store
from tests.helpers.discord_helpers import (
    admin_command,
    all_delivered,
    answer,
    publish_week_2,
    set_alert_channel,
    text_of,
)
from tests.helpers.fake_discord import CHANNEL_ID, MEMBER_ID, Fault
from tests.helpers.waiting import wait_until

KO, ES, DE = texts(Language.KO), texts(Language.ES), texts(Language.DE)
WEEK_2 = {"source": "netflix", "chart": "TV", "period": "2022-01-16", "title_key": ""}


def named(t, context: CommandText, english: str) -> str:
    return t.pgettext(context.value, english)


def test_commands_are_registered_with_their_names_in_each_language(bot, fake):
    wait_until(lambda: "global" in fake.commands, 10, "command registration")
    commands = {c["name"]: c for c in fake.commands["global"]}
    for language in (Language.ES, Language.ES_419, Language.PT_BR, Language.KO, Language.JA):
        t = texts(language)
        rank = commands["rank"]
        assert rank["name_localizations"][language.value] == named(t, CommandText.NAME, "rank")
        assert rank["name_localizations"][language.value] != "rank"
        described = named(t, CommandText.DESCRIPTION, "Where a title stands on the charts")
        assert rank["description_localizations"][language.value] == described
        title = next(o for o in rank["options"] if o["name"] == "title")
        assert title["name_localizations"][language.value] == named(t, CommandText.OPTION, "title")
        alerts = commands["alerts"]
        settings = next(o for o in alerts["options"] if o["name"] == "settings")
        assert settings["name_localizations"][language.value] == named(
            t, CommandText.NAME, "settings"
        )
    assert "en-US" not in commands["rank"]["name_localizations"]  # English is the name itself


def test_a_korean_server_gets_korean_alerts_and_a_spanish_member_spanish_dms(bot, fake, config):
    set_alert_channel(fake)
    chosen = admin_command(
        fake, "settings", {"name": "language", "type": 3, "value": Language.KO.value}
    )
    # The admin's own answer is private: in the admin's language (English here).
    assert "Language: 한국어" in answer(fake, chosen)[0]["data"]["content"]
    follow = fake.interact(
        "subscribe",
        [
            {"name": "title", "type": 3, "value": "Stay Close"},
            {"name": "country", "type": 3, "value": "US"},
        ],
        locale="es-ES",
    )
    told = answer(fake, follow)[0]["data"]["content"]
    assert "**Stay Close**" in told and "Estados Unidos" in told  # private: the member's
    publish_week_2(config)
    wait_until(lambda: fake.alert_dms(MEMBER_ID) and all_delivered(config), 20, "the alerts")
    channel = "\n".join(
        e["description"] for m in fake.messages_to(CHANNEL_ID)[1:] for e in m["embeds"]
    )
    brazen = NumberOneCount(**WEEK_2, title="Brazen", artist=None, count=6, previous=0)
    assert markdown(brazen, KO) in channel  # "**Brazen**, 6개국에서 1위 (+6)"
    assert "is now #1" not in channel
    [dm] = fake.alert_dms(MEMBER_ID)
    stay = Moved(**WEEK_2, title="Stay Close", artist=None, country="US", rank=3, previous_rank=2)
    assert markdown(stay, ES) in dm["embeds"][0]["description"]
    assert "Estados Unidos" in dm["embeds"][0]["description"]
    # A public answer is in the server's language, whatever the asker's own.
    ranked = fake.interact("rank", [{"name": "title", "type": 3, "value": "stay close"}])
    public = text_of(answer(fake, ranked)[0])
    assert KO.gettext("#1 in") in public and KO.gettext("best rank") in public
    assert "best rank" not in public


def test_a_notice_queued_in_english_is_said_in_the_language_set_afterwards(bot, fake, config):
    set_alert_channel(fake)
    lost = Fault("POST", f"/channels/{CHANNEL_ID}/messages", 503)
    fake.faults.append(lost)
    with Store.open(config.parent / "chartbot.db") as store, store.write():
        store.outbox.add_notice(SourceRecovered("netflix"), now=utcnow())
    # Discord is down when it is first sent (the server's language is English then) ...
    wait_until(lambda: lost.count == 0, 20, "the first try")
    chosen = admin_command(
        fake, "settings", {"name": "language", "type": 3, "value": Language.DE.value}
    )
    answer(fake, chosen)
    # ... and the try after, 5 s on, says it in German.
    wait_until(lambda: all_delivered(config), 30, "the retry")
    said = [e["description"] for m in fake.messages_to(CHANNEL_ID)[1:] for e in m["embeds"]]
    assert said == [notice_text(SourceRecovered("netflix"), DE)]
    assert "works again" not in said[0]
