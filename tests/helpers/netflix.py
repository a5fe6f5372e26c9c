"""Netflix's real per-country files, cut to a few countries (../shared/data/files/netflix/,
read in place), and the alerts polling the second after the first must give."""

from __future__ import annotations

from tests.helpers.oracle import expected_alerts
from tests.helpers.shared_data import shared

NETFLIX_WEEK_1 = shared("files", "netflix", "all-weeks-countries-2022-01-12.tsv")  # to 01-09
NETFLIX_WEEK_2 = shared("files", "netflix", "all-weeks-countries-2022-01-19.tsv")  # adds 01-16
# Netflix's official files of other kinds: the global weekly file's head, the all-time list.
OFFICIAL = shared("files", "netflix", "official")


def _text(path) -> str:  # type: ignore[no-untyped-def]
    return path.read_text(encoding="utf-8") if path.exists() else ""


WEEK_1 = _text(NETFLIX_WEEK_1)
WEEK_2 = _text(NETFLIX_WEEK_2)
# What polling week 2 after week 1 must alert, with min_countries 3 and markets US, KR.
EXPECTED = (
    expected_alerts(WEEK_2, "2022-01-16", "2022-01-09", min_countries=3, markets={"US", "KR"})
    if WEEK_2
    else set()
)
