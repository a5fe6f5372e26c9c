"""Pointing discord.py at the configured REST API and gateway.

discord.py builds every REST URL (webhooks and interaction callbacks included)
from `discord.http.Route.BASE`, and connects to the URL that `/gateway/bot`
answers (or `DiscordWebSocket.DEFAULT_GATEWAY`). Setting these is all a REST
proxy such as nirn-proxy, or a test stand-in, needs. A gateway URL set in the
config wins over the one the REST API hands out, for resumes too.
"""

from __future__ import annotations

from typing import Any

import discord
import yarl
from discord.gateway import DiscordWebSocket

DISCORD_API = "https://discord.com/api/v10"
DISCORD_GATEWAY = "wss://gateway.discord.gg"

_configured_gateway: yarl.URL | None = None
_original_from_client = DiscordWebSocket.from_client.__func__  # type: ignore[attr-defined]


async def _from_client(cls: type[DiscordWebSocket], client: Any, **kwargs: Any) -> DiscordWebSocket:
    if _configured_gateway is not None:
        kwargs["gateway"] = _configured_gateway
    return await _original_from_client(cls, client, **kwargs)


def point_at(api_base: str, gateway_url: str) -> None:
    """Send discord.py's REST calls to `api_base` and its gateway connections to `gateway_url`."""
    global _configured_gateway
    discord.http.Route.BASE = api_base.rstrip("/")
    gateway = yarl.URL(gateway_url)
    DiscordWebSocket.DEFAULT_GATEWAY = gateway
    custom = gateway_url.rstrip("/") != DISCORD_GATEWAY
    _configured_gateway = gateway if custom else None
    DiscordWebSocket.from_client = classmethod(_from_client)  # type: ignore[method-assign,assignment]
