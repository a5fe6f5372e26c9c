"""The database on disk is its owner's only (and the Dockerfile and the README's systemd unit
keep it so), and titles are made inert in every place they are shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.alerts.render import escape
from bot.i18n import Language, texts
from bot.store.store import Store
from tests.helpers.standings import a_standing

EN = texts(Language.EN)

ROOT = Path(__file__).parent.parent.parent


def test_a_new_database_is_readable_by_its_owner_only(tmp_path):
    with Store.open(tmp_path / "chartbot.db") as store, store.write():
        store.set_meta("a", "b")  # the -wal and -shm files exist while it is open
        modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()}
    assert modes == {"chartbot.db": 0o600, "chartbot.db-wal": 0o600, "chartbot.db-shm": 0o600}


def test_the_container_and_the_service_keep_it_owner_only():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "chmod 0700 /data" in dockerfile
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    unit = readme[readme.index("[Service]") :]
    assert "UMask=0077" in unit.split("```")[0]


def test_a_rank_embed_stays_within_discords_total(tmp_path):
    from bot.discord.embeds import rank_embed
    from bot.engine.standings import ChartStanding
    from bot.engine.titles import Candidate

    def standing(chart: int) -> ChartStanding:
        ranks = {code: 2 for code in ("US", "KR", "JP", "FR", "DE", "GB", "BR", "MX", "IN")}
        return a_standing(
            ranks,
            source="a-source-with-a-long-name",
            chart=f"Chart {chart} " + "x" * 200,
        )

    markets = ["US", "KR", "JP", "FR", "DE", "GB", "BR", "MX", "IN", "ES", "IT", "CA"]
    embed = rank_embed(Candidate(1, "T" * 250), [standing(i) for i in range(8)], markets, EN)
    assert len(embed) <= 6000
    assert embed.footer.text and "more charts" in embed.footer.text


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("free nitro https://evil.example/gift", "free nitro https:\u200b//evil.example/gift"),
        ("Top \u202egnimoc\u202c 10", "Top gnimoc 10"),
        ("-# tiny text", "\\-# tiny text"),
    ],
)
def test_bare_links_bidi_controls_and_small_text_are_made_inert(title, shown):
    assert escape(title) == shown
