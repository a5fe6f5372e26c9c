"""Sending outbox messages with discord.py, and sorting its errors into what to do next."""

from __future__ import annotations

import collections
import io
import logging

import aiohttp
import discord

from bot.delivery.dispatcher import DestinationGone, MessageRefused, Receipt, Transient
from bot.delivery.messages import OutgoingMessage
from bot.delivery.pacing import Pacer
from bot.engine.deliveries import DestinationKind

log = logging.getLogger(__name__)

DMS_KEPT = 10_000  # members' DM channels kept open (a fan-out to more opens some again)
MISSING_PERMISSIONS = 50013  # Discord's error code for a 403 that lacks a permission


class DiscordSender:
    def __init__(self, client: discord.Client, pacer: Pacer | None = None) -> None:
        self.client = client
        self.pacer = pacer or Pacer()
        # user id -> their DM channel, the most recent few (each one is a request to open)
        self._dms: collections.OrderedDict[int, discord.DMChannel] = collections.OrderedDict()

    async def send(self, message: OutgoingMessage, *, picture: bytes | None = None) -> Receipt:
        if picture is not None and message.picture is not None:
            try:
                return Receipt(await self._send(message, picture))
            except discord.Forbidden as exc:
                if exc.code != MISSING_PERMISSIONS:
                    raise DestinationGone(_describe(exc)) from None
                # Perhaps only Attach Files is missing: the alert goes without its map (a
                # channel the bot may not post in at all refuses this one too).
                return Receipt(await self._send(message, None), picture_refused=True)
        return Receipt(await self._send(message, None))

    async def _send(self, message: OutgoingMessage, picture: bytes | None) -> int:
        """One message; its id, or a SendError (a 403 with a picture left to the caller)."""
        embeds = [
            discord.Embed(title=e.title, description=e.description, color=e.color).set_footer(
                text=e.footer
            )
            for e in message.embeds
        ]
        files = []
        if picture is not None and message.picture is not None:
            # The map goes on the embed of the chart its alert is about.
            embed = next((e for e in embeds if e.title == message.picture_embed), embeds[0])
            embed.set_image(url="attachment://map.png")
            files.append(discord.File(io.BytesIO(picture), filename="map.png"))
        if message.mention_user is not None:
            # A subscriber asked to be mentioned: them, and nobody else.
            allowed = discord.AllowedMentions(
                everyone=False, roles=False, users=[discord.Object(message.mention_user)]
            )
        else:
            allowed = discord.AllowedMentions.none()
        try:
            channel: discord.abc.Messageable
            to = message.destination
            if to.kind is DestinationKind.DM:
                assert to.user_id is not None
                channel = self._dm(to.user_id) or await self._create_dm(to.user_id)
            else:
                assert to.channel_id is not None
                channel = self.client.get_partial_messageable(to.channel_id)
            slot = await self.pacer.wait(to.channel_key)
            try:
                sent = await channel.send(
                    content=message.content,
                    embeds=embeds,
                    allowed_mentions=allowed,
                    nonce=message.nonce,
                    files=files,
                )
            finally:
                self.pacer.sent(slot)
        except discord.Forbidden as exc:
            if files:
                raise  # the caller tries once more without the picture
            raise DestinationGone(_describe(exc)) from None
        except discord.NotFound as exc:
            raise DestinationGone(_describe(exc)) from None
        except discord.DiscordServerError as exc:
            raise Transient(_describe(exc)) from None
        except discord.RateLimited as exc:
            raise Transient("rate limited", retry_after=exc.retry_after) from None
        except discord.HTTPException as exc:
            if exc.status == 429:  # a 429 discord.py did not wait out itself
                raise Transient(_describe(exc), retry_after=_retry_after(exc)) from None
            raise MessageRefused(_describe(exc)) from None
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise Transient(f"cannot reach Discord: {type(exc).__name__}: {exc}") from None
        return sent.id

    def _dm(self, user_id: int) -> discord.DMChannel | None:
        channel = self._dms.get(user_id)
        if channel is not None:
            self._dms.move_to_end(user_id)
        return channel

    async def _create_dm(self, user_id: int) -> discord.DMChannel:
        await self.pacer.request()  # opening the DM channel is a request of its own
        channel = self._dms[user_id] = await self.client.create_dm(discord.Object(user_id))
        while len(self._dms) > DMS_KEPT:
            self._dms.popitem(last=False)
        return channel


def _describe(exc: discord.HTTPException) -> str:
    text = exc.text or exc.response.reason or ""
    code = f", code {exc.code}" if exc.code else ""
    return f"HTTP {exc.status} {text}{code}".strip()


def _retry_after(exc: discord.HTTPException) -> float | None:
    try:
        return float(exc.response.headers.get("Retry-After", ""))
    except ValueError:
        return None
