"""A fake Discord on 127.0.0.1: REST API and websocket gateway, for the real discord.py client.

It speaks enough of Discord's protocol for a bot to log in, connect (HELLO,
IDENTIFY, READY, GUILD_CREATE, heartbeats, RESUME), register commands, answer
interactions (callbacks, followups, edits), send channel messages and DMs. It
records everything the bot sends, and can inject interactions, rate limits
(429 with retry_after and X-RateLimit headers), server errors, outages,
gateway disconnects, deleted channels and closed DMs.

It runs its own event loop in a thread; the test drives it from outside.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.helpers.loopback import LoopbackServer

TOKEN = "fake-bot-token"
APPLICATION_ID = 900_000_000_000_000_001
BOT_ID = APPLICATION_ID
GUILD_ID = 800_000_000_000_000_001
CHANNEL_ID = 810_000_000_000_000_001  # #general: the bot may post
LOCKED_CHANNEL_ID = 810_000_000_000_000_002  # #announcements: the bot may not
ADMIN_ID = 700_000_000_000_000_001
MEMBER_ID = 700_000_000_000_000_002

ROUND_TRIP = 0.02  # seconds a heartbeat's answer takes, as over a network
INTERACTION_WINDOW = 3.0  # seconds Discord gives a bot to answer an interaction
ALL_PERMISSIONS = (1 << 41) - 1
MANAGE_GUILD = 1 << 5
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
MEMBER_PERMISSIONS = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | (1 << 31)


def user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "global_name": name,
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


BOT_USER = user(BOT_ID, "chartbot", bot=True)
USERS = {ADMIN_ID: user(ADMIN_ID, "admin"), MEMBER_ID: user(MEMBER_ID, "fan")}


@dataclass
class Fault:
    """Answer the next `count` matching requests with `status` (429: a rate limit)."""

    method: str
    path_contains: str
    status: int
    count: int = 1
    retry_after: float = 0.2
    global_: bool = False
    # The request is carried out (a message made) and then answered with the fault, as
    # when Discord's answer is lost on its way back.
    made: bool = False


@dataclass
class Recorded:
    method: str
    path: str
    json: Any
    files: list[tuple[str, bytes]] = field(default_factory=list)
    status: int = 200
    at: float = 0.0


DISCORD_EPOCH_MS = 1_420_070_400_000


def _snowflakes() -> Iterator[int]:
    """Ids as Discord makes them: the time they were made (ms since 2015) above 22 bits
    of counter, so discord.py reads a real `created_at` (cooldowns count from it)."""
    last = 0
    while True:
        last = max(last + 1, (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22)
        yield last


def _flatten(options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every option, subcommands' options included."""
    found = []
    for option in options:
        found.append(option)
        found += _flatten(option.get("options", []))
    return found


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly "application/json", as Discord sends it: discord.py compares the header as is.
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


class FakeDiscord(LoopbackServer):
    def __init__(self, shards: int = 1) -> None:
        super().__init__()
        # The shard count /gateway/bot asks for; each identify gets the servers of its shard.
        self.shard_count = shards
        self.guild_ids = [GUILD_ID]
        self.guild_channels: dict[int, list[int]] = {GUILD_ID: []}  # guild -> its channel ids
        self.identified_shards: list[tuple[int, int]] = []
        self.requests: list[Recorded] = []
        self.messages: list[dict[str, Any]] = []  # every message created, in order
        self.callbacks: dict[str, list[dict[str, Any]]] = {}  # interaction id -> callback bodies
        self.expired: list[str] = []  # interactions whose first answer came past the window
        self.commands: dict[str, list[dict[str, Any]]] = {}  # "global" or guild id -> commands
        self.preferred_locale = "en-US"  # the server's language, as its settings say
        self.identified = 0
        self.resumed = 0
        self.faults: list[Fault] = []
        self.outage = False
        # Seconds Discord takes to answer requests whose path contains the key (a slow API).
        self.slow: dict[str, float] = {}
        self.kicked = False  # the bot was removed from the guild
        # Enforce Discord's limits with 429s: (requests per second globally, messages per 5 s
        # per channel). None: no limits.
        self.limits: tuple[int, int] | None = None
        self.limited = 0  # 429s given for going over the limits
        self.limited_by: list[tuple[str, str]] = []  # which limit, on which path
        self._recent_global: list[float] = []
        self._recent_channel: dict[int, list[float]] = {}
        self.closed_dms: set[int] = set()
        self.deleted_channels: set[int] = set()
        self.channels: dict[int, dict[str, Any]] = {}
        self.dm_channels: dict[int, int] = {}  # user id -> dm channel id
        self._ids = _snowflakes()
        self._sockets: list[tuple[web.WebSocketResponse, Any]] = []
        self._sequence = itertools.count(1)
        self._acks: set[asyncio.Task[None]] = set()  # heartbeat answers on their way
        self._nonces: dict[tuple[int, str], dict[str, Any]] = {}
        self._sent_at: dict[str, float] = {}
        self._ready = threading.Event()
        self._add_guild()

    # -- life cycle -----------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/gateway", self._ws)
        app.router.add_route("*", "/api/v10/{path:.*}", self._rest)

    async def closing(self) -> None:
        for ws, _ in list(self._sockets):
            await ws.close()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # -- the guild ------------------------------------------------------------

    def _add_guild(self) -> None:
        for channel_id, name, overwrites in (
            (CHANNEL_ID, "general", []),
            (
                LOCKED_CHANNEL_ID,
                "announcements",
                [
                    {
                        "id": str(BOT_ID),
                        "type": 1,
                        "allow": "0",
                        "deny": str(SEND_MESSAGES),
                    }
                ],
            ),
        ):
            self.guild_channels[GUILD_ID].append(channel_id)
            self.channels[channel_id] = {
                "id": str(channel_id),
                "type": 0,
                "guild_id": str(GUILD_ID),
                "name": name,
                "position": len(self.channels),
                "permission_overwrites": overwrites,
                "nsfw": False,
                "parent_id": None,
                "topic": None,
                "last_message_id": None,
                "rate_limit_per_user": 0,
            }

    def add_guild(self, guild_id: int, channel_id: int) -> None:
        """Another server with the bot in it, with one channel it may post in."""
        self.guild_ids.append(guild_id)
        self.guild_channels[guild_id] = [channel_id]
        self.channels[channel_id] = {
            **self.channels[CHANNEL_ID],
            "id": str(channel_id),
            "guild_id": str(guild_id),
            "position": 0,
        }

    def guild_payload(self, guild_id: int = GUILD_ID) -> dict[str, Any]:
        channels = [
            self.channels[i]
            for i in self.guild_channels.get(guild_id, [])
            if i not in self.deleted_channels
        ]
        return {
            "id": str(guild_id),
            "name": "Chart Fans" if guild_id == GUILD_ID else f"Fans {guild_id}",
            "owner_id": str(ADMIN_ID),
            "system_channel_id": channels[0]["id"] if channels else None,
            "icon": None,
            "unavailable": False,
            "large": False,
            "member_count": 3,
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": [
                {
                    "id": str(guild_id),
                    "name": "@everyone",
                    "permissions": str(MEMBER_PERMISSIONS),
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
            ],
            "channels": channels,
            "threads": [],
            "members": [
                {
                    "user": BOT_USER,
                    "roles": [],
                    "joined_at": "2024-01-01T00:00:00+00:00",
                    "deaf": False,
                    "mute": False,
                    "flags": 0,
                }
            ],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "joined_at": "2024-01-01T00:00:00+00:00",
            "preferred_locale": self.preferred_locale,
            "premium_tier": 0,
            "system_channel_flags": 0,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
        }

    # -- gateway ----------------------------------------------------------------

    async def _ws(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        compress = request.query.get("compress") == "zlib-stream"
        compressor = zlib.compressobj() if compress else None
        entry = (ws, compressor)
        self._sockets.append(entry)
        await self._send(
            entry, {"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None}
        )
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                payload = json.loads(message.data)
                await self._on_gateway(entry, payload)
        finally:
            if entry in self._sockets:
                self._sockets.remove(entry)
        return ws

    async def _send(self, entry: tuple[web.WebSocketResponse, Any], payload: dict) -> None:
        ws, compressor = entry
        text = json.dumps(payload)
        if compressor is None:
            await ws.send_str(text)
        else:
            await ws.send_bytes(
                compressor.compress(text.encode()) + compressor.flush(zlib.Z_SYNC_FLUSH)
            )

    async def _dispatch(
        self, entry: tuple[web.WebSocketResponse, Any], event: str, data: dict
    ) -> None:
        await self._send(entry, {"op": 0, "t": event, "s": next(self._sequence), "d": data})

    async def _ack_heartbeat(self, entry: tuple[web.WebSocketResponse, Any]) -> None:
        await asyncio.sleep(ROUND_TRIP)
        if not entry[0].closed:
            with contextlib.suppress(ConnectionResetError):  # closed meanwhile
                await self._send(entry, {"op": 11, "d": None, "s": None, "t": None})

    async def _on_gateway(self, entry: tuple[web.WebSocketResponse, Any], payload: dict) -> None:
        op = payload.get("op")
        if op == 1:  # heartbeat
            # Answered after a round trip, as over a network. Answered at once, the ack
            # reached discord.py before its keep-alive thread noted the heartbeat as sent,
            # and it logged every heartbeat as "websocket is 41.3s behind".
            ack = asyncio.create_task(self._ack_heartbeat(entry))
            self._acks.add(ack)
            ack.add_done_callback(self._acks.discard)
        elif op == 2:  # identify
            self.identified += 1
            assert payload["d"]["token"] == TOKEN
            shard, count = payload["d"].get("shard", [0, 1])
            self.identified_shards.append((shard, count))
            guilds = [g for g in self.guild_ids if (g >> 22) % count == shard]
            await self._dispatch(
                entry,
                "READY",
                {
                    "v": 10,
                    "user": BOT_USER,
                    "guilds": [{"id": str(g), "unavailable": True} for g in guilds],
                    "session_id": f"session-{self.identified}",
                    "resume_gateway_url": self.gateway_url,
                    "application": {"id": str(APPLICATION_ID), "flags": 0},
                    "shard": payload["d"].get("shard", [0, 1]),
                    "private_channels": [],
                    "relationships": [],
                },
            )
            for guild_id in guilds:
                await self._dispatch(entry, "GUILD_CREATE", self.guild_payload(guild_id))
            self._ready.set()
        elif op == 6:  # resume
            self.resumed += 1
            await self._dispatch(entry, "RESUMED", {})
            self._ready.set()

    def wait_connected(self, timeout: float = 30) -> None:
        if not self._ready.wait(timeout):
            raise AssertionError("the bot never connected to the fake gateway")

    def disconnect_gateway(self, code: int = 4000) -> None:
        """Drop every gateway connection, as a Discord-side disconnect would."""
        self._ready.clear()

        async def drop() -> None:
            for ws, _ in list(self._sockets):
                await ws.close(code=code)

        self.call(drop)

    # -- interactions -----------------------------------------------------------

    def interact(
        self,
        name: str,
        options: list[dict[str, Any]] | None = None,
        *,
        user_id: int = MEMBER_ID,
        permissions: int = MEMBER_PERMISSIONS,
        kind: int = 2,
        channel_id: int = CHANNEL_ID,
        resolved: dict[str, Any] | None = None,
        in_dm: bool = False,
        locale: str = "en-US",
    ) -> str:
        """Send an INTERACTION_CREATE (2: command, 4: autocomplete); returns its id.

        `in_dm`: the command is used in a direct message with the bot (no server); `locale`:
        the member's Discord language (the server's is `preferred_locale`)."""
        interaction_id = str(next(self._ids))
        data: dict[str, Any] = {
            "id": str(next(self._ids)),
            "name": name,
            "type": 1,
            "options": options or [],
        }
        channels = {
            str(o["value"]): {**self.channels[int(o["value"])], "permissions": str(permissions)}
            for o in _flatten(options or [])
            if o.get("type") == 7
        }
        if channels or resolved:
            data["resolved"] = {"channels": channels, **(resolved or {})}
        payload = {
            "id": interaction_id,
            "application_id": str(APPLICATION_ID),
            "type": kind,
            "data": data,
            "guild_id": str(GUILD_ID),
            "channel_id": str(channel_id),
            "channel": self.channels[channel_id],
            "member": {
                "user": USERS.get(user_id) or user(user_id, f"member{user_id}"),
                "roles": [],
                "permissions": str(permissions),
                "joined_at": "2024-01-01T00:00:00+00:00",
                "deaf": False,
                "mute": False,
                "flags": 0,
            },
            "token": f"token-{interaction_id}",
            "version": 1,
            "app_permissions": str(ALL_PERMISSIONS & ~MANAGE_GUILD),
            "locale": locale,
            "guild_locale": self.preferred_locale,
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(GUILD_ID)},
            "context": 0,
            "attachment_size_limit": 8 * 1024 * 1024,
        }
        if in_dm:
            for key in ("guild_id", "member", "authorizing_integration_owners"):
                payload.pop(key)
            payload["user"] = USERS.get(user_id) or user(user_id, f"member{user_id}")
            payload["channel_id"] = str(900_000_000_000_000_009)
            payload["channel"] = {"id": payload["channel_id"], "type": 1}
            payload["context"] = 1
        self.callbacks.setdefault(interaction_id, [])
        self._sent_at[interaction_id] = time.monotonic()

        async def send() -> None:
            for entry in list(self._sockets):
                await self._dispatch(entry, "INTERACTION_CREATE", payload)

        self.call(send)
        return interaction_id

    def answered_in(self, interaction_id: str) -> float | None:
        """Seconds from sending the interaction to its first callback."""
        first = next(
            (r for r in self.requests if interaction_id in r.path and r.method == "POST"), None
        )
        return first.at - self._sent_at[interaction_id] if first else None

    def callbacks_of(self, interaction_id: str) -> list[dict[str, Any]]:
        return self.callbacks.get(interaction_id, [])

    # -- REST -------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["path"]
        body, files = await self._body(request)
        record = Recorded(request.method, path, body, files, at=time.monotonic())
        self.requests.append(record)
        if (
            request.headers.get("Authorization") != f"Bot {TOKEN}"
            and "/interactions/" not in path
            and "/webhooks/" not in path
        ):
            record.status = 401
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        delay = max((d for part, d in self.slow.items() if part in path), default=0.0)
        if delay:
            await asyncio.sleep(delay)
        if self.outage:
            record.status = 503
            return web.Response(status=503, text="upstream connect error")
        fault = self._fault_for(request.method, path) or self._over_limits(request.method, path)
        if fault is not None:
            record.status = fault.status
            if fault.made:
                self._route(request.method, path, body, files)
            return self._fault_response(fault)
        try:
            status, reply = self._route(request.method, path, body, files)
        except KeyError:
            record.status = 404
            return _json({"message": "404: Not Found", "code": 0}, status=404)
        record.status = status
        if reply is None:
            return web.Response(status=204)
        return _json(reply, status=status)

    async def _body(self, request: web.Request) -> tuple[Any, list[tuple[str, bytes]]]:
        if request.content_type.startswith("multipart/"):
            payload, files = None, []
            reader = await request.multipart()
            async for part in reader:
                data = await part.read()  # type: ignore[union-attr]
                if part.name == "payload_json":  # type: ignore[union-attr]
                    payload = json.loads(data)
                else:
                    files.append((part.filename or "", bytes(data)))  # type: ignore[union-attr]
            return payload, files
        raw = await request.read()
        return (json.loads(raw) if raw else None), []

    def _fault_for(self, method: str, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.count > 0 and fault.method == method and fault.path_contains in path:
                fault.count -= 1
                return fault
        return None

    def _over_limits(self, method: str, path: str) -> Fault | None:
        if self.limits is None:
            return None
        per_second, per_channel = self.limits
        now = time.monotonic()
        self._recent_global = [t for t in self._recent_global if now - t < 1.0]
        if len(self._recent_global) >= per_second:
            self.limited += 1
            self.limited_by.append(("global", path))
            return Fault(
                method, path, 429, retry_after=1.0 - (now - self._recent_global[0]), global_=True
            )
        self._recent_global.append(now)
        parts = path.strip("/").split("/")
        if (
            method == "POST"
            and len(parts) == 3
            and parts[0] == "channels"
            and parts[2] == "messages"
        ):
            sent = [t for t in self._recent_channel.get(int(parts[1]), []) if now - t < 5.0]
            if len(sent) >= per_channel:
                self.limited += 1
                self.limited_by.append(("channel", path))
                self._recent_channel[int(parts[1])] = sent
                return Fault(method, path, 429, retry_after=5.0 - (now - sent[0]))
            self._recent_channel[int(parts[1])] = [*sent, now]
        return None

    def add_bot_to_guild(self) -> None:
        """The bot is invited (again): GUILD_CREATE on the gateway."""
        self.kicked = False

        joined = {k: v for k, v in self.guild_payload().items() if k != "unavailable"}

        async def send() -> None:
            for entry in list(self._sockets):
                await self._dispatch(entry, "GUILD_CREATE", joined)

        self.call(send)

    def remove_bot_from_guild(self) -> None:
        """The bot is kicked: GUILD_DELETE on the gateway, and its guild channels refuse it."""
        self.kicked = True

        async def send() -> None:
            for entry in list(self._sockets):
                await self._dispatch(
                    entry, "GUILD_DELETE", {"id": str(GUILD_ID), "unavailable": False}
                )

        self.call(send)

    def _fault_response(self, fault: Fault) -> web.Response:
        if fault.status != 429:
            return _json({"message": "Server Error", "code": 0}, status=fault.status)
        headers = {
            "Via": "1.1 google",  # discord.py takes a 429 without it for a Cloudflare ban
            "Retry-After": f"{fault.retry_after:.3f}",
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset-After": f"{fault.retry_after:.3f}",
            "X-RateLimit-Bucket": "fake-bucket",
            "X-RateLimit-Scope": "global" if fault.global_ else "user",
        }
        if fault.global_:
            headers["X-RateLimit-Global"] = "true"
        return _json(
            {
                "message": "You are being rate limited.",
                "retry_after": fault.retry_after,
                "global": fault.global_,
            },
            status=429,
            headers=headers,
        )

    def _route(self, method: str, path: str, body: Any, files: list) -> tuple[int, Any]:
        parts = path.strip("/").split("/")
        match method, parts:
            case "GET", ["gateway"] | ["gateway", "bot"]:
                return 200, {
                    "url": self.gateway_url,
                    "shards": self.shard_count,
                    "session_start_limit": {
                        "total": 1000,
                        "remaining": 999,
                        "reset_after": 0,
                        "max_concurrency": 1,
                    },
                }
            case "GET", ["users", "@me"]:
                return 200, BOT_USER
            case "GET", ["oauth2", "applications", "@me"] | ["applications", "@me"]:
                return 200, {
                    "id": str(APPLICATION_ID),
                    "name": "chartbot",
                    "description": "",
                    "icon": None,
                    "bot_public": True,
                    "bot_require_code_grant": False,
                    "owner": USERS[ADMIN_ID],
                    "verify_key": "0" * 64,
                    "flags": 0,
                }
            case "PUT", ["applications", _, "commands"]:
                self.commands["global"] = self._with_ids(body)
                return 200, self.commands["global"]
            case "PUT", ["applications", _, "guilds", guild, "commands"]:
                self.commands[guild] = self._with_ids(body)
                return 200, self.commands[guild]
            case "GET", ["applications", _, "commands"]:
                return 200, self.commands.get("global", [])
            case "POST", ["interactions", interaction_id, _, "callback"]:
                sent = self._sent_at.get(interaction_id)
                if sent is not None and time.monotonic() - sent > INTERACTION_WINDOW:
                    # As Discord does: an interaction not answered within 3 s is gone.
                    self.expired.append(interaction_id)
                    return 404, {"message": "Unknown interaction", "code": 10062}
                self.callbacks.setdefault(interaction_id, []).append(
                    {**(body or {}), "files": files}
                )
                return 200, self._callback_reply(interaction_id, body or {})
            case "POST", ["webhooks", _, token]:
                message = self._message(None, body or {}, files, interaction_token=token)
                self.callbacks.setdefault(token.removeprefix("token-"), []).append(
                    {"followup": True, **(body or {}), "files": files}
                )
                return 200, message
            case "PATCH", ["webhooks", _, token, "messages", which]:
                interaction_id = token.removeprefix("token-")
                self.callbacks.setdefault(interaction_id, []).append(
                    {"edit": which, **(body or {}), "files": files}
                )
                return 200, self._message(
                    None, body or {}, files, interaction_token=token, record=False
                )
            case "GET", ["webhooks", _, token, "messages", "@original"]:
                return 200, self._message(None, {}, [], interaction_token=token, record=False)
            case "GET", ["channels", channel_id]:
                channel = self._channel(int(channel_id))
                return 200, channel
            case "POST", ["channels", channel_id, "messages"]:
                return self._post_message(int(channel_id), body or {}, files)
            case "POST", ["users", "@me", "channels"]:
                recipient = int(body["recipient_id"])
                dm_id = self.dm_channels.setdefault(recipient, next(self._ids))
                self.channels.setdefault(
                    dm_id,
                    {
                        "id": str(dm_id),
                        "type": 1,
                        "recipients": [USERS.get(recipient, user(recipient, "someone"))],
                        "last_message_id": None,
                        "recipient_id": str(recipient),
                    },
                )
                return 200, self.channels[dm_id]
        raise KeyError(path)

    def _channel(self, channel_id: int) -> dict[str, Any]:
        if channel_id in self.deleted_channels:
            raise KeyError(channel_id)
        return self.channels[channel_id]

    def _with_ids(self, commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {**c, "id": str(next(self._ids)), "application_id": str(APPLICATION_ID), "version": "1"}
            for c in commands
        ]

    def _callback_reply(self, interaction_id: str, body: dict[str, Any]) -> dict[str, Any]:
        kind = body.get("type")
        data = body.get("data") or {}
        message = self._message_payload(int(interaction_id) + 1, None, data, [])
        reply: dict[str, Any] = {
            "interaction": {
                "id": interaction_id,
                "type": 2,
                "response_message_id": message["id"],
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(data.get("flags", 0) & 64),
            },
            "resource": {"type": kind},
        }
        if kind in (4, 5, 7):
            reply["resource"]["message"] = message
        return reply

    def add_channel(self, channel_id: int, name: str = "alerts", *, deny: int = 0) -> None:
        """Another text channel in the guild (the bot may post there, bar what `deny` takes)."""
        self.guild_channels[GUILD_ID].append(channel_id)
        self.channels[channel_id] = {
            **self.channels[CHANNEL_ID],
            "id": str(channel_id),
            "name": name,
            "position": len(self.channels),
            "permission_overwrites": [
                {"id": str(BOT_ID), "type": 1, "allow": "0", "deny": str(deny)}
            ]
            if deny
            else [],
        }

    def deny_bot(self, channel_id: int, permissions: int) -> None:
        """An admin takes permissions from the bot in a channel (the bot is not told)."""
        self.channels[channel_id]["permission_overwrites"] = [
            {"id": str(BOT_ID), "type": 1, "allow": "0", "deny": str(permissions)}
        ]

    def _post_message(self, channel_id: int, body: dict[str, Any], files: list) -> tuple[int, Any]:
        if channel_id in self.deleted_channels or channel_id not in self.channels:
            return 404, {"message": "Unknown Channel", "code": 10003}
        channel = self.channels[channel_id]
        if self.kicked and channel.get("guild_id"):
            return 403, {"message": "Missing Access", "code": 50001}
        if channel.get("type") == 1 and int(channel["recipient_id"]) in self.closed_dms:
            return 403, {"message": "Cannot send messages to this user", "code": 50007}
        denied = 0
        for overwrite in channel.get("permission_overwrites", []):
            denied |= int(overwrite["deny"])
        if denied & SEND_MESSAGES or (files and denied & ATTACH_FILES):
            return 403, {"message": "Missing Permissions", "code": 50013}
        nonce = body.get("nonce")
        if (
            nonce is not None
            and body.get("enforce_nonce")
            and (channel_id, str(nonce)) in self._nonces
        ):
            return 200, self._nonces[(channel_id, str(nonce))]
        message = self._message(channel_id, body, files)
        if nonce is not None:
            self._nonces[(channel_id, str(nonce))] = message
        return 200, message

    def _message(
        self,
        channel_id: int | None,
        body: dict[str, Any],
        files: list,
        *,
        interaction_token: str | None = None,
        record: bool = True,
    ) -> dict[str, Any]:
        message = self._message_payload(next(self._ids), channel_id, body, files)
        if record:
            self.messages.append(
                {
                    **message,
                    "allowed_mentions": body.get("allowed_mentions"),
                    "interaction_token": interaction_token,
                    "files": files,
                }
            )
        return message

    def _message_payload(
        self, message_id: int, channel_id: int | None, body: dict, files: list
    ) -> dict:
        return {
            "id": str(message_id),
            "channel_id": str(channel_id or CHANNEL_ID),
            "author": BOT_USER,
            "content": body.get("content") or "",
            "timestamp": "2026-01-01T00:00:00+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [
                {
                    "id": str(i),
                    "filename": name,
                    "size": len(data),
                    "url": f"http://127.0.0.1/{name}",
                    "proxy_url": f"http://127.0.0.1/{name}",
                }
                for i, (name, data) in enumerate(files)
            ],
            "embeds": body.get("embeds") or [],
            "pinned": False,
            "type": 0,
            "flags": body.get("flags", 0),
            "nonce": body.get("nonce"),
            "components": [],
        }

    # -- what tests look at -------------------------------------------------------

    def messages_to(self, channel_id: int) -> list[dict[str, Any]]:
        return [
            m
            for m in self.messages
            if m["channel_id"] == str(channel_id) and not m["interaction_token"]
        ]

    def alert_dms(self, user_id: int) -> list[dict[str, Any]]:
        """The DMs to a member that carry alerts (not the bot's "this is where I'll tell you")."""
        return [m for m in self.dms_to(user_id) if m["embeds"]]

    def dms_to(self, user_id: int) -> list[dict[str, Any]]:
        dm = self.dm_channels.get(user_id)
        return [] if dm is None else self.messages_to(dm)

    def hits(self, method: str, contains: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and contains in r.path]
