"""`chartbot backtest` on the real US daily Netflix top 10 (2020-04-01 to 2021-12-31)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bot.forecast.scores import Scores
from tests.helpers.cli import run_cli
from tests.helpers.configs import US_DAILY, write_text_config
from tests.helpers.shared_data import needs_shared_data, shared

FROM = "2021-12-10"  # three weeks of predictions keep the test quick


def imported(folder: Path, history: Path) -> Path:
    config = write_text_config(folder, US_DAILY.format(url=history))
    ran = run_cli("import", "--source", "usdaily", "-c", config)
    assert ran.exit_code == 0, ran.stderr
    return config


def predictions(config: Path) -> list[dict]:
    ran = run_cli("backtest", "--source", "usdaily", "--from", FROM, "--json", "-c", config)
    assert ran.exit_code == 0, ran.stderr
    return [json.loads(line) for line in ran.stdout.splitlines()]


def cut(history: Path, folder: Path, through: str) -> Path:
    """The file as it was on `through` (month/day/year dates)."""
    folder.mkdir()
    target = folder / history.name
    with history.open(newline="", encoding="utf-8") as read, target.open("w", newline="") as write:
        rows = csv.reader(read)
        out = csv.writer(write)
        out.writerow(next(rows))
        for row in rows:
            month, day, year = row[0].split("/")
            if f"{year}-{int(month):02}-{int(day):02}" <= through:
                out.writerow(row)
    return target


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> Path:
    history = shared("history", "netflix-us-daily-top-10-2020-04-01--2021-12-31.csv")
    if not history.is_file():
        pytest.skip("../shared/data is absent")
    return imported(tmp_path_factory.mktemp("full"), history)


@needs_shared_data
def test_a_periods_forecasts_are_the_same_whether_or_not_later_periods_are_stored(full, tmp_path):
    history = shared("history", "netflix-us-daily-top-10-2020-04-01--2021-12-31.csv")
    truncated = imported(tmp_path, cut(history, tmp_path / "cut", "2021-12-15"))
    later = predictions(full)
    earlier = predictions(truncated)
    # With the file cut on the 15th, the 10th to the 15th are predicted (each from the day
    # before) and nothing after it.
    assert {row["period"] for row in earlier} == {f"2021-12-{d}" for d in range(10, 16)}
    same_days = [row for row in later if row["period"] <= "2021-12-15"]
    chances = [(r["period"], r["title"], r["p_next"], r["p_within"]) for r in earlier]
    assert chances == [(r["period"], r["title"], r["p_next"], r["p_within"]) for r in same_days]
    # What differs is only what the later days tell: whether "within 3 days" came true.
    assert [r["outcome_next"] for r in earlier] == [r["outcome_next"] for r in same_days]
    assert any(r["outcome_within"] is None for r in earlier)
    assert all(r["outcome_within"] is not None for r in same_days)


@needs_shared_data
def test_the_json_lines_recompute_the_printed_scores(full):
    rows = predictions(full)
    assert {row["chart"] for row in rows} == {"Top 10 US"}
    assert {row["country"] for row in rows} == {"US"}
    # Each day's candidates are the day before's top 10, each with its rank then.
    days = {row["period"] for row in rows}
    assert len(rows) == 10 * len(days)
    assert sorted({row["rank"] for row in rows}) == list(range(1, 11))
    # Each day exactly one of them is #1, or none when a title new to the top 10 is.
    for day in days:
        assert sum(r["outcome_next"] for r in rows if r["period"] == day) <= 1
    brier = sum((r["p_next"] - r["outcome_next"]) ** 2 for r in rows) / len(rows)
    ran = run_cli("backtest", "--source", "usdaily", "--from", FROM, "-c", full)
    assert ran.exit_code == 0, ran.stderr
    table = ran.stdout.splitlines()
    heading = table.index(f"#1 next day ({len(rows):,} predictions with a known outcome)")
    said = table[heading + 2].split()
    assert said[0] == "chartbot"
    assert float(said[1]) == pytest.approx(brier, abs=6e-6)
    persistence = table[heading + 4].split()
    assert persistence[0] == "persistence"
    baseline = table[heading + 3].split()
    assert baseline[:2] == ["current", "rank"]
    rank_brier = sum((r["p_next_rank"] - r["outcome_next"]) ** 2 for r in rows) / len(rows)
    assert float(baseline[2]) == pytest.approx(rank_brier, abs=6e-6)
    assert float(said[3]) == pytest.approx(1 - brier / rank_brier, abs=2e-3)  # the skill
    wrong = [r for r in rows if (r["rank"] == 1) != r["outcome_next"]]
    assert float(persistence[1]) == pytest.approx(len(wrong) / len(rows), abs=6e-6)
    # The closing line's skill (the bot's, from the Brier scores alone) is the table's.
    closing = f"Skill over the current rank: {said[3]} next day, "
    assert any(line.startswith(closing) for line in table)
    # The reliability rows: each bin's predictions, the days they are of, what came true.
    bins: dict[int, list[dict]] = {}
    for row in rows:
        bins.setdefault(min(int(row["p_next"] * 10), 9), []).append(row)
    assert table[heading + 5].split()[:5] == ["chance", "given", "predictions", "chart", "days"]
    printed = table[heading + 6 : heading + 6 + len(bins)]
    for line, (n, held) in zip(printed, sorted(bins.items()), strict=True):
        cells = line.split()
        assert cells[0] == f"{n / 10:.1f}-{(n + 1) / 10:.1f}"
        assert int(cells[1].replace(",", "")) == len(held)
        assert int(cells[2].replace(",", "")) == len({r["period"] for r in held})
        came_true = sum(r["outcome_next"] for r in held) / len(held)
        assert float(cells[4]) == pytest.approx(came_true, abs=6e-4)
        if len({r["period"] for r in held}) >= 5:
            low, high = map(float, cells[5].split("-"))
            assert low <= came_true <= high
    # The largest gap among bins of 50 or more, and what luck alone would leave: the
    # predictions' own, redrawn by day.
    footer = "\n".join(table[heading + 6 + len(bins) : heading + 10 + len(bins)])
    luck = Scores.of(
        [r["p_next"] for r in rows],
        [r["outcome_next"] for r in rows],
        [(r["chart"], r["period"]) for r in rows],
    ).luck
    assert luck is not None and luck.judged == sum(len(held) >= 50 for held in bins.values())
    said = (
        f"the largest gap between mean chance and came true is {luck.largest:.3f}.\n"
        "  If every chance were right, luck would typically leave a largest gap of"
        f" {luck.typical:.3f} (the median\n"
        "  of 2,000 redraws of the chart days predicted);\n"
        f"  one of {luck.largest:.3f} or more came in {round(luck.as_large * 2000):,} of them"
        f" ({luck.as_large:.0%})."
    )
    assert said in footer, footer


def test_backtest_without_a_database_says_so(tmp_path):
    config = write_text_config(tmp_path, US_DAILY.format(url=tmp_path / "none.csv"))
    ran = run_cli("backtest", "--source", "usdaily", "-c", config)
    assert ran.exit_code == 1
    assert "no database at" in ran.stderr


@needs_shared_data
@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--source", "nope"), "no stored chart of a source named 'nope' (stored: usdaily)"),
        (
            ("--source", "usdaily", "--from", "2022-03-01"),
            "usdaily: no stored period to predict from 2022-03-01 on",
        ),
    ],
)
def test_backtest_says_why_it_has_nothing_to_score(full, args, says):
    for json_flag in ((), ("--json",)):
        ran = run_cli("backtest", *args, *json_flag, "-c", full)
        assert (ran.exit_code, ran.stdout) == (1, "")
        assert f"chartbot: {says}" in ran.stderr


@needs_shared_data
def test_forecast_says_who_is_likely_number_one_after_the_latest_day(full):
    ran = run_cli("forecast", "--source", "usdaily", "--json", "-c", full)
    assert ran.exit_code == 0, ran.stderr
    rows = [json.loads(line) for line in ran.stdout.splitlines()]
    assert len(rows) == 3  # the top three by default
    assert {row["period"] for row in rows} == {"2021-12-31"}
    chances = [row["p_next"] for row in rows]
    assert chances == sorted(chances, reverse=True)
    assert all(row["p_within"] >= row["p_next"] for row in rows)  # next is within
    ran = run_cli("forecast", "--source", "usdaily", "--top", "1", "-c", full)
    [line] = ran.stdout.splitlines()
    # Nothing scored in this store yet: no backing on the line, and what to run for it.
    assert "(backtest" not in line
    assert "Top 10 US: no backtest of these chances stored yet" in ran.stderr
    assert all(row["backtest_next"] is None for row in rows)
    assert line.startswith(f"Top 10 US · US  {rows[0]['title']} (#{rows[0]['rank']} on 2021-12-31)")
    assert f"#1 next day {rows[0]['p_next']:.0%} · within 3 days" in line
    unknown = run_cli("forecast", "--source", "usdaily", "--country", "KR", "-c", full)
    assert (unknown.exit_code, unknown.stdout) == (1, "")
    assert "usdaily: no forecasts for KR (markets forecast: US)" in unknown.stderr


@needs_shared_data
@pytest.mark.parametrize(
    ("command", "says"),
    [
        (
            "backtest",
            "usdaily: too little history before any period to predict (9 skipped: a model "
            "needs 20 #1 outcomes)",
        ),
        ("forecast", "usdaily: too little history to forecast (9 #1 outcomes stored, 20 needed)"),
    ],
)
def test_a_short_history_says_so_instead_of_guessing(tmp_path, command, says):
    history = shared("history", "netflix-us-daily-top-10-2020-04-01--2021-12-31.csv")
    config = imported(tmp_path, cut(history, tmp_path / "cut", "2020-04-10"))  # ten days
    ran = run_cli(command, "--source", "usdaily", "-c", config)
    assert (ran.exit_code, ran.stdout) == (1, "")
    assert f"chartbot: {says}" in ran.stderr


@needs_shared_data
def test_a_horizon_of_one_day_is_said_in_the_singular(full):
    one_day = full.with_name("one-day.toml")
    one_day.write_text(full.read_text() + "\n[forecast]\nhorizon = 1\n", encoding="utf-8")
    ran = run_cli("forecast", "--source", "usdaily", "--top", "1", "-c", one_day)
    assert ran.exit_code == 0, ran.stderr
    assert " · within 1 day " in ran.stdout, ran.stdout
