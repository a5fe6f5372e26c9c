"""Members following titles: the rules (who may be mentioned where, how many) in one place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from bot.config import LimitsConfig
from bot.engine.deliveries import Destination
from bot.engine.routing import Subscribed, Subscription, SubscriptionLimits, Via
from bot.engine.titles import Candidate, TitleName
from bot.languages import Language
from bot.service.settings import seed_languages
from bot.store.store import Store


class Refused(Enum):
    """Why a subscription was not made, before the store was asked."""

    MEMBER_CANNOT_POST = "member cannot post"  # no Send Messages for the member there
    BOT_CANNOT_POST = "bot cannot post"


@dataclass(frozen=True, slots=True)
class SubscribeRequest:
    user_id: int
    guild_id: int
    title: Candidate | TitleName  # a stored title, or a name followed before it charts
    via: Via
    country: str | None = None
    channel_id: int | None = None  # "here": the channel the member asked in
    member_can_post: bool = True  # may the member send messages in that channel
    bot_can_post: bool = True
    language: Language | None = None  # the member's Discord language, if chartbot speaks it
    server_locale: str | None = None  # the server's preferred locale (Discord's tag)


class NotATitle(ValueError):
    """A name that cannot be followed before it charts (empty, or longer than
    TitleName.MAX_LENGTH)."""


def title_before_it_charts(typed: str) -> TitleName:
    """The title a member follows before any chart has it, by the name they typed
    ("Title" or "Title — Artist"); it is matched by its key when it first charts, and
    stored only with the subscription that follows it."""
    title = TitleName.typed(typed)
    if title is None:
        raise NotATitle(typed)
    return title


def limits_of(config: LimitsConfig) -> SubscriptionLimits:
    return SubscriptionLimits(
        per_member=config.subscriptions_per_member,
        per_server=config.subscriptions_per_server,
        per_channel=config.mentions_per_channel,
    )


def subscribe(
    store: Store, request: SubscribeRequest, limits: SubscriptionLimits, *, now: datetime
) -> Subscribed | Refused:
    """Follow a title: a mention only where the member and the bot may both post, and the
    limits checked with the insert, in one transaction."""
    if request.via is Via.HERE:
        if not request.member_can_post:
            return Refused.MEMBER_CANNOT_POST
        if not request.bot_can_post:
            return Refused.BOT_CANNOT_POST
    title = request.title
    result = store.guilds.add_subscription(
        user_id=request.user_id,
        title=title.id if isinstance(title, Candidate) else title,
        guild_id=request.guild_id,
        via=request.via,
        channel_id=request.channel_id if request.via is Via.HERE else None,
        country=request.country,
        limits=limits,
        now=now,
    )
    taken = result in (Subscribed.ADDED, Subscribed.CHANGED)
    if taken and request.via is Via.HERE and request.server_locale is not None:
        # Mentions are said in the server's language: its preferred locale's, until set.
        seed_languages(store, {request.guild_id: request.server_locale}, now=now, create=True)
    if taken and request.language is not None:
        # Their DMs are in the language of their latest /subscribe.
        store.guilds.set_member_language(request.user_id, request.language, now=now)
    if result in (Subscribed.ADDED, Subscribed.CHANGED):
        # The member has just shown their DMs work, or may be mentioned in this channel
        # (the caller checked): deliver there again, after a kick and re-invite too.
        if request.via is Via.DM:
            store.outbox.revive(Destination.dm(request.user_id))
        elif request.channel_id is not None:
            store.outbox.revive(Destination.mention(request.channel_id, request.user_id))
    return result


def unsubscribe(
    store: Store, *, user_id: int, guild_id: int, subscription_id: int
) -> Subscription | None:
    """A member stops following one of their subscriptions (by its id, as offered)."""
    return store.guilds.remove_subscription_by_id(
        subscription_id, guild_id=guild_id, user_id=user_id
    )


def remove_any(store: Store, *, guild_id: int, subscription_id: int) -> Subscription | None:
    """A server's admin removes any member's subscription in their server."""
    return store.guilds.remove_subscription_by_id(subscription_id, guild_id=guild_id)


def followed(store: Store, user_id: int, guild_id: int | None) -> list[Subscription]:
    """A member's subscriptions in a server, by title."""
    return store.guilds.user_subscriptions(user_id, guild_id)


def server_subscriptions(store: Store, guild_id: int) -> list[Subscription]:
    """Every member's subscriptions in a server, for its admins."""
    return store.guilds.guild_subscriptions(guild_id)
