"""The schema's migrations from 0016 on (bot/store/schema.py holds 0001 to 0015 and is
full). Importing this module imports that one first, so every migration is registered in
its order; a released migration is never edited, as there."""

from __future__ import annotations

from sqlite_utils import Database

import bot.store.schema  # noqa: F401 (0001 to 0015, registered before these)
from bot.store.migration import migration, run_script


@migration("0016_forecast_bins")
def forecast_bins(db: Database) -> None:
    # How the chances each chart's latest rolling backtest gave fared, by tenths of a
    # chance (0 to 10%, 10 to 20%, …), target ('next' or 'within') and whether the title
    # was #1 there when the chance was given (`holder`): the measurement /rank and
    # on-course alerts show beside a chance ("chances like these came true: 48% of 64"),
    # and how many periods that backtest scored. A score stored before has neither:
    # scored_through is cleared, so the next refresh scores every chart again (the bot
    # starts one as it starts), and /rank shows no chance until then.
    run_script(
        db,
        """
        CREATE TABLE forecast_bins (
            chart_id INTEGER NOT NULL REFERENCES charts(id),
            target TEXT NOT NULL,
            holder INTEGER NOT NULL,
            bin INTEGER NOT NULL,
            given INTEGER NOT NULL,
            came_true INTEGER NOT NULL,
            mean REAL NOT NULL,
            PRIMARY KEY (chart_id, target, holder, bin)
        ) WITHOUT ROWID;
        ALTER TABLE forecast_charts ADD COLUMN scored_periods INTEGER;
        UPDATE forecast_charts SET scored_through = NULL;
        """,
    )
