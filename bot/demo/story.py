"""The reference story, as a data set: "All of Us Are Dead", 2022-01-29 to 2022-01-31.

Facts (FlixPatrol's daily per-country Netflix TV charts, early 2022): #1 in 25
countries on 01-29, in 44 of the 88 tracked countries on 01-30 and in 46 on
01-31 (+2), among them South Korea, Japan, France and Germany; in the United
States #3 on 01-29 and 01-30, then #2 on 01-31. Other titles of those days fill
the remaining places. The data set is built to match exactly these facts, in
the shape of Netflix's per-country Top 10 TSV with one period per day.

`python -m bot.demo.story` rewrites bot/demo/data/; a test checks that the
bundled file is what this module builds and that the facts hold.
"""

from __future__ import annotations

import random
from pathlib import Path

TITLE = "All of Us Are Dead"
DAYS = ("2022-01-29", "2022-01-30", "2022-01-31")
DATA = Path(__file__).parent / "data" / "all-of-us-are-dead-2022-01.tsv"
HEADER = (
    "country_name",
    "country_iso2",
    "week",
    "category",
    "weekly_rank",
    "show_title",
    "season_title",
    "cumulative_weeks_in_top_10",
)


def _codes(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# The 88 countries FlixPatrol tracked for Netflix TV then.
COUNTRIES = _codes(
    "AR AU AT BS BH BD BE BO BR BG CA CL CO CR HR CY CZ DK DO EC EG SV EE FI FR DE GR GT HN "
    "HK HU IS IN ID IE IL IT JM JP JO KE KW LV LB LT LU MY MT MX MA NL NZ NI NG NO OM PK PA "
    "PY PE PH PL PT QA RO RU SA RS SG SK SI ZA KR ES LK SE CH TW TH TT TR UA AE GB US UY VE VN"
)

# Where it was #1, day by day: each day's set holds the day before's.
NUMBER_ONE_DAY_1 = _codes(
    "KR JP TW HK SG MY TH VN ID PH IN LK BD PK FR DE IT BE NL CH AT PT GR TR IL"
)
NUMBER_ONE_DAY_2 = NUMBER_ONE_DAY_1 + _codes(
    "PL CZ SK HU RO BG HR SI RS EE LV LT FI SE NO DK IS IE LU"
)
NUMBER_ONE_DAY_3 = (*NUMBER_ONE_DAY_2, "CY", "MT")
NUMBER_ONES = (NUMBER_ONE_DAY_1, NUMBER_ONE_DAY_2, NUMBER_ONE_DAY_3)
US_RANKS = (3, 3, 2)

# Other TV titles on Netflix's charts at the end of January 2022.
OTHERS = (
    "The Woman in the House Across the Street from the Girl in the Window",
    "Ozark",
    "Archive 81",
    "In From the Cold",
    "Cheer",
    "Feria: The Darkest Light",
    "Raising Dion",
    "Too Hot to Handle",
    "Stay Close",
    "Our Beloved Summer",
    "Single's Inferno",
    "Café con aroma de mujer",
    "The Queen of Flow",
    "Cobra Kai",
    "The Witcher",
    "Emily in Paris",
    "Money Heist",
    "Squid Game",
    "Rebelde",
    "Midnight Asia: Eat · Dance · Dream",
)
# Who leads where it is not #1: the top of the US chart, Latin America's telenovelas.
LEADERS = {
    "US": "The Woman in the House Across the Street from the Girl in the Window",
    **dict.fromkeys(
        _codes("AR BO CL CO CR DO EC GT HN MX NI PA PE PY SV UY VE"), "Café con aroma de mujer"
    ),
    "ES": "Feria: The Darkest Light",
}
US_TOP = (
    "The Woman in the House Across the Street from the Girl in the Window",
    "Ozark",
    "Archive 81",
    "In From the Cold",
    "Cheer",
    "Raising Dion",
    "Too Hot to Handle",
    "Stay Close",
    "Cobra Kai",
)


def build_rows() -> list[tuple[str, ...]]:
    """Every row of the three days, newest day first per country, like Netflix's file."""
    from bot import countries

    rows: list[tuple[str, ...]] = []
    charts = {
        (country, day): _chart(country, day_index)
        for day_index, day in enumerate(DAYS)
        for country in COUNTRIES
    }
    for country in sorted(COUNTRIES, key=countries.name):
        for day_index, day in reversed(list(enumerate(DAYS))):
            for rank, title in enumerate(charts[(country, day)], 1):
                charted = sum(title in charts[(country, d)] for d in DAYS[: day_index + 1])
                season = f"{title}: Season 1" if title == TITLE else "N/A"
                rows.append(
                    (
                        countries.name(country),
                        country,
                        day,
                        "TV",
                        str(rank),
                        title,
                        season,
                        str(charted),
                    )
                )
    return rows


def _chart(country: str, day_index: int) -> list[str]:
    """One country's Top 10 on one day."""
    if country == "US":
        chart = list(US_TOP)
        chart.insert(US_RANKS[day_index] - 1, TITLE)
        return chart
    others = [t for t in OTHERS if t != LEADERS.get(country)]
    # The same country draws the same titles every day; two swap places each day.
    fillers = random.Random(country).sample(others, 9)
    if day_index:
        swap = 2 + (day_index + sum(map(ord, country))) % 6
        fillers[swap], fillers[swap + 1] = fillers[swap + 1], fillers[swap]
    if country in NUMBER_ONES[day_index]:
        return [TITLE, *fillers]
    leader = LEADERS.get(country) or fillers.pop(0)
    fillers = [t for t in fillers if t != leader]
    position = 1 + (sum(map(ord, country)) + day_index) % 4  # #2 to #5
    chart = [leader, *fillers[:8]]
    chart.insert(position, TITLE)
    return chart[:10]


def to_tsv(rows: list[tuple[str, ...]]) -> str:
    # Like Netflix's own file: tab-separated, no trailing newline.
    return "\n".join("\t".join(row) for row in [HEADER, *rows])


def main() -> None:
    DATA.parent.mkdir(parents=True, exist_ok=True)
    DATA.write_text(to_tsv(build_rows()), encoding="utf-8")
    print(f"wrote {DATA}")


if __name__ == "__main__":
    main()
