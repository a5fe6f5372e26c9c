"""Batching deliveries into messages that fit Discord's limits. Pure: no I/O, no discord.py.

A channel gets everything due for it in as few messages as fit (one embed per
chart and period, at most 10 embeds and 6000 characters a message). A
subscriber gets one message per title per poll. Each message carries a nonce
made from its first delivery id; a message resent after a crash is rebuilt
from the same deliveries and carries the same nonce.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import groupby

from bot import countries
from bot.alerts.notices import notice_text
from bot.alerts.render import markdown
from bot.engine.deliveries import DeliveryStatus, Destination, DestinationKind, PendingDelivery
from bot.engine.events import Event, NumberOneCount
from bot.engine.model import chart_heading
from bot.i18n import Language, Texts, texts

MAX_EMBEDS = 10
MAX_DESCRIPTION = 4096
MAX_TOTAL = 6000
MAX_TITLE = 256
COLOR = 0xE50914


@dataclass(frozen=True, slots=True)
class EmbedSpec:
    title: str
    description: str
    footer: str | None = None
    color: int = COLOR

    @property
    def size(self) -> int:
        return len(self.title) + len(self.description) + len(self.footer or "")


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    destination: Destination
    delivery_ids: tuple[int, ...]
    nonce: str
    embeds: tuple[EmbedSpec, ...]
    content: str | None = None
    guild_id: int | None = None
    language: Language = Language.EN  # what its words (and its map's) are in
    # The #1-count alert whose world map goes with the message (a channel's; the first),
    # and the title of the embed it goes on.
    picture: NumberOneCount | None = None
    picture_embed: str | None = None

    @property
    def mention_user(self) -> int | None:
        """The subscriber a mention message pings (nobody else is pinged)."""
        if self.destination.kind is DestinationKind.MENTION:
            return self.destination.user_id
        return None


def nonce_for(delivery_ids: Iterable[int]) -> str:
    return f"cb{min(delivery_ids)}"


def alert_line(event: Event, t: Texts) -> str:
    line = markdown(event, t)
    if isinstance(event, NumberOneCount) and 0 < len(event.gained) <= 8:
        flags = " ".join(countries.flag(c) or c for c in event.gained)
        line += " · " + t.gettext("new: {flags}", flags=flags)
    return line


def build_messages(
    deliveries: Sequence[PendingDelivery], default: Language = Language.EN
) -> list[OutgoingMessage]:
    """Messages for these deliveries: claimed batches as they were, the rest batched anew.

    Each destination's messages are in its language (a server's for its channel and
    mentions, a member's for their DMs), `default` where none is set."""
    messages: list[OutgoingMessage] = []
    claimed = sorted(
        (d for d in deliveries if d.status is DeliveryStatus.SENDING and d.batch_key),
        key=lambda d: (str(d.batch_key), d.id),
    )
    for key, claims in groupby(claimed, lambda d: str(d.batch_key)):
        batch = list(claims)
        rebuilt = _compose(batch[0].destination, batch, default)
        # Built to fit one message, it goes out as one under its nonce (more only if
        # the alert text grew since, e.g. after an upgrade).
        messages.append(replace(rebuilt[0], nonce=key))
        messages += rebuilt[1:]
    fresh = [d for d in deliveries if not (d.status is DeliveryStatus.SENDING and d.batch_key)]
    by_destination: dict[Destination, list[PendingDelivery]] = {}
    for delivery in sorted(fresh, key=lambda d: d.id):
        by_destination.setdefault(delivery.destination, []).append(delivery)
    for destination, group in by_destination.items():
        if destination.kind is DestinationKind.CHANNEL:
            messages += _compose(destination, group, default)
        else:  # a subscriber: one message per title per period, in the order they came
            per_title: dict[tuple[str, str, str], list[PendingDelivery]] = {}
            for delivery in group:
                per_title.setdefault(_title_period(delivery), []).append(delivery)
            for batch in per_title.values():
                messages += _compose(destination, batch, default)
    return messages


def _title_period(delivery: PendingDelivery) -> tuple[str, str, str]:
    event = delivery.event
    return (event.title_key, event.source, event.period) if event else ("", "", "")


def _section(delivery: PendingDelivery) -> tuple[str, str, str]:
    """What a line is grouped under: its source (as people read it), chart and period
    (notices on their own)."""
    event = delivery.event
    return (delivery.label, event.chart, event.period) if event else ("chartbot", "", "")


def _line(delivery: PendingDelivery, t: Texts) -> str:
    if delivery.event is None:
        return notice_text(delivery.notice, t) if delivery.notice else ""
    return alert_line(delivery.event, t)


def _compose(
    destination: Destination, deliveries: Sequence[PendingDelivery], default: Language
) -> list[OutgoingMessage]:
    """Lines -> embeds (one or more per chart and period) -> messages, each within limits."""
    language = next((d.language for d in deliveries if d.language), default)
    t = texts(language)
    embeds: list[tuple[EmbedSpec, list[int]]] = []
    ordered = sorted(deliveries, key=lambda d: (*_section(d), d.id))
    events = {d.id: d.event for d in deliveries}
    headings: dict[int, str] = {}  # delivery id -> the title of its embed
    for (label, chart, period), group in groupby(ordered, _section):
        title = (chart_heading(label, chart) if chart else label)[:MAX_TITLE]
        footer = t.gettext("chart of {date}", date=t.date(period)) if period else None
        lines: list[str] = []
        ids: list[int] = []
        for delivery in group:
            headings[delivery.id] = title
            line = _line(delivery, t)[: MAX_DESCRIPTION // 2]
            if lines and len("\n".join([*lines, line])) > MAX_DESCRIPTION:
                embeds.append((EmbedSpec(title, "\n".join(lines), footer), ids))
                lines, ids = [], []
            if line:  # a notice this chartbot cannot read says nothing (and is done)
                lines.append(line)
            ids.append(delivery.id)
        embeds.append((EmbedSpec(title, "\n".join(lines) or "…", footer), ids))

    mention = destination.user_id if destination.kind is DestinationKind.MENTION else None
    content = f"<@{mention}>" if mention else None
    guild = deliveries[0].guild_id if deliveries else None
    messages: list[OutgoingMessage] = []
    current: list[EmbedSpec] = []
    current_ids: list[int] = []
    for spec, ids in embeds:
        total = sum(e.size for e in current)
        if current and (len(current) == MAX_EMBEDS or total + spec.size > MAX_TOTAL):
            messages.append(_message(destination, current, current_ids, content, guild, language))
            current, current_ids = [], []
        current.append(spec)
        current_ids += ids
    if current:
        messages.append(_message(destination, current, current_ids, content, guild, language))
    if destination.kind is DestinationKind.CHANNEL:
        messages = [_with_picture(m, events, headings) for m in messages]
    return messages


def _with_picture(
    message: OutgoingMessage, events: dict[int, Event | None], headings: dict[int, str]
) -> OutgoingMessage:
    """The first #1-count alert of a message that grew somewhere: its map is the picture,
    on the embed of its chart."""
    for delivery_id in message.delivery_ids:
        event = events.get(delivery_id)
        if isinstance(event, NumberOneCount) and event.count > 0:
            return replace(message, picture=event, picture_embed=headings[delivery_id])
    return message


def _message(
    destination: Destination,
    embeds: list[EmbedSpec],
    ids: list[int],
    content: str | None,
    guild: int | None,
    language: Language,
) -> OutgoingMessage:
    return OutgoingMessage(
        destination, tuple(ids), nonce_for(ids), tuple(embeds), content, guild, language
    )
