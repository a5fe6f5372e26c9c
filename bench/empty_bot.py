"""The bound for /rank: a bare discord.py client that answers every interaction at once.

`python -m bench.empty_bot API_BASE GATEWAY_URL TOKEN`. Same library, same fake Discord,
no chartbot: its round trip is what any answer costs before chartbot does any work.
"""

from __future__ import annotations

import asyncio
import sys

import discord

from bot.discord.endpoints import point_at


class Empty(discord.Client):
    async def on_ready(self) -> None:
        print("connected as empty", flush=True)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok")


def main() -> None:
    api_base, gateway, token = sys.argv[1:4]
    point_at(api_base, gateway)
    client = Empty(intents=discord.Intents.none())
    asyncio.run(client.start(token))


if __name__ == "__main__":
    main()
