"""`chartbot run` as its own process, against the fake Discord, the way a user starts it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.helpers.configs import write_config
from tests.helpers.fake_discord import TOKEN, FakeDiscord
from tests.helpers.waiting import wait_until


def write_bot_config(
    folder: Path,
    fake: FakeDiscord,
    source_url: str,
    *,
    every: str = "1h",
    alerts: str = 'min_countries = 3\nwatched_markets = ["US", "KR"]',
) -> Path:
    path = write_config(folder, source_url, alerts=alerts)
    text = path.read_text(encoding="utf-8").replace('every = "6h"', f'every = "{every}"')
    path.write_text(
        text
        + f'\n[discord]\napi_base = "{fake.api_base}"\ngateway_url = "{fake.gateway_url}"\n'
        + 'guild_ready_timeout = "50ms"\noutbox_check = "200ms"\n',
        encoding="utf-8",
    )
    return path


class BotProcess:
    def __init__(
        self, config: Path, *, env: dict[str, str] | None = None, args: tuple[str, ...] = ()
    ) -> None:
        self.config = config
        self.args = args
        self.log = config.parent / f"bot-{os.getpid()}-{id(self)}.log"
        self.env = {**os.environ, "CHARTBOT_DISCORD_TOKEN": TOKEN, **(env or {})}
        self.process: subprocess.Popen | None = None

    def start(self) -> BotProcess:
        handle = self.log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "-c", str(self.config), *self.args],
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=self.env,
        )
        return self

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for_log(self, text: str, timeout: float = 30) -> None:
        def seen() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(
                    f"the bot exited ({self.process.returncode}):\n{self.output()}"
                )
            return text in self.output()

        wait_until(seen, timeout, what=f"{text!r} in the bot's log")

    def wait_ready(self) -> BotProcess:
        self.wait_for_log("connected as chartbot")
        return self

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout)

    def wait_exit(self, timeout: float = 30) -> int:
        assert self.process is not None
        return self.process.wait(timeout)
