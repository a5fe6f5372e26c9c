"""Messages built from due deliveries (bot/delivery/messages.py): as few as fit a
channel, one per title for a mention, a claimed batch rebuilt under its nonce."""

from __future__ import annotations

from bot.delivery.messages import MAX_EMBEDS, MAX_TOTAL, build_messages
from bot.engine.deliveries import (
    DeliveryStatus,
    Destination,
)
from tests.helpers.events import count, moved, pending


def test_a_channel_gets_everything_due_in_as_few_messages_as_fit():
    many = [pending(i, Destination.channel(5)) for i in range(1, 40)]
    messages = build_messages(many)
    assert len(messages) == 1  # one chart and period: one embed of 39 lines
    assert messages[0].nonce == "cb1"
    charts = [
        pending(i, Destination.channel(5), count(f"T{i}", 12, 2, chart=f"Chart {i}"))
        for i in range(1, 25)
    ]
    messages = build_messages(charts)
    assert all(len(m.embeds) <= MAX_EMBEDS for m in messages) and len(messages) == 3
    assert all(sum(e.size for e in m.embeds) <= MAX_TOTAL for m in messages)


def test_a_subscriber_gets_one_message_per_title_and_only_they_are_mentioned():
    to = Destination.mention(5, 7)
    messages = build_messages(
        [pending(1, to, moved("A", "US", 2, 3)), pending(2, to, moved("B", "US", 4, 1))]
    )
    assert [m.mention_user for m in messages] == [7, 7]
    assert [m.content for m in messages] == ["<@7>", "<@7>"]
    assert [m.delivery_ids for m in messages] == [(1,), (2,)]


def test_a_claimed_batch_is_rebuilt_under_its_nonce():
    to = Destination.channel(5)
    again = build_messages(
        [
            pending(3, to, status=DeliveryStatus.SENDING, batch_key="cb2"),
            pending(2, to, status=DeliveryStatus.SENDING, batch_key="cb2"),
        ]
    )
    assert [(m.nonce, m.delivery_ids) for m in again] == [("cb2", (2, 3))]


def test_a_notice_is_said_in_its_destinations_language_under_chartbots_name():
    from dataclasses import replace

    from bot.engine.notices import SourceRecovered, TextNotice
    from bot.i18n import Language, texts

    recovered = replace(
        pending(1, Destination.channel(5)), event=None, notice=SourceRecovered("netflix")
    )
    unreadable = replace(pending(2, Destination.channel(5)), event=None, notice=TextNotice(""))
    korean = [replace(d, language=Language.KO) for d in (recovered, unreadable)]
    [message] = build_messages(korean)
    [embed] = message.embeds
    assert embed.title == "chartbot" and embed.footer is None
    said = texts(Language.KO).gettext("Chart source {source} works again.", source="**netflix**")
    assert embed.description == "✅ " + said  # the unreadable one says nothing ...
    assert message.delivery_ids == (1, 2)  # ... and is done with the other
