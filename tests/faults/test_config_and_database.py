"""Starting up wrong: a missing or rejected token, a bad config, an unusable database.
Each ends with one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

from tests.bot_process import BotProcess
from tests.conftest import run_cli


def test_a_rejected_token_is_one_clear_line(config, fake):
    process = BotProcess(config, env={"CHARTBOT_DISCORD_TOKEN": "wrong"}).start()
    assert process.wait_exit() == 1
    output = process.output()
    assert "chartbot: Discord rejected the token (401)" in output
    assert "Traceback" not in output and "wrong" not in output


def test_a_missing_token_is_one_clear_line(config, fake, monkeypatch):
    monkeypatch.delenv("CHARTBOT_DISCORD_TOKEN", raising=False)
    ran = run_cli("run", "-c", config)
    assert ran.exit_code == 2
    assert "no Discord token: set CHARTBOT_DISCORD_TOKEN" in ran.stderr
