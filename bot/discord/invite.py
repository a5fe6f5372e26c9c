"""The link that invites the bot to a server, with the permissions it checks for.

The bot needs, in its alert channel: View Channel, Send Messages, Embed Links, and Attach
Files while the server's alerts carry maps (`/alerts channel` checks them, and says which
is missing). The invite asks for those four (52224) and the two scopes: `bot` and
`applications.commands` (the slash commands).
"""

from __future__ import annotations

import base64
import binascii

import discord

CHANNEL_NEEDS = ("view_channel", "send_messages", "embed_links")  # to post alerts at all
PICTURES_NEED = "attach_files"  # to post the maps alerts carry (a server can turn them off)
PERMISSIONS = discord.Permissions(**dict.fromkeys((*CHANNEL_NEEDS, PICTURES_NEED), True))
SCOPES = ("bot", "applications.commands")


def application_id_of(token: str) -> int | None:
    """The id a bot token's first part encodes (base64 of the bot's user id, which is its
    application's id); None when the token does not look like one."""
    first = token.strip().split(".", 1)[0]
    try:
        text = base64.b64decode(first + "=" * (-len(first) % 4), validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return int(text) if text.isdigit() and 0 < int(text) < 2**63 else None


def invite_url(application_id: int) -> str:
    """The OAuth2 link a server's admin opens to add the bot."""
    return discord.utils.oauth_url(application_id, permissions=PERMISSIONS, scopes=SCOPES)
