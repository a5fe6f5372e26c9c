"""The database schema, as versioned migrations (sqlite_utils.migrations), each registered
as this module is imported (bot/store/migration.py). A released migration is never
edited: a change to the schema is a new migration appended below."""

from __future__ import annotations

import logging

from sqlite_utils import Database

from bot.store.mend import mend_titles
from bot.store.migration import RANKS_BY_TITLE, has_ranks_by_title, migration, run_script

log = logging.getLogger(__name__)


@migration("0001_initial")
def initial(db: Database) -> None:
    run_script(
        db,
        """
        CREATE TABLE sources (
            name TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            location TEXT,
            validators TEXT,                         -- JSON {url: [etag, last-modified]}
            content_hash TEXT,
            status TEXT NOT NULL DEFAULT 'new',      -- new | ok | failing | disabled
            failures INTEGER NOT NULL DEFAULT 0,     -- consecutive
            failing_since TEXT,                       -- the first of those failures
            last_error TEXT,
            last_error_at TEXT,
            last_ok_at TEXT,                          -- last fetch that was good
            last_change_at TEXT,                      -- last fetch that stored something
            last_attempt_at TEXT,
            next_poll_at TEXT,
            notified_failing INTEGER NOT NULL DEFAULT 0
        );

        -- One row per successful fetch.
        CREATE TABLE snapshots (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL REFERENCES sources(name),
            fetched_at TEXT NOT NULL,
            content_hash TEXT,
            outcome TEXT NOT NULL,     -- baseline | new | rewritten | unchanged | import
            rows INTEGER NOT NULL DEFAULT 0,
            new_periods TEXT,          -- JSON list of "chart period"
            latest_period TEXT
        );
        CREATE INDEX snapshots_by_source ON snapshots(source, id);

        CREATE TABLE charts (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            name TEXT NOT NULL,
            UNIQUE (source, name)
        );

        CREATE TABLE titles (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,  -- normalised name (+ artist for songs)
            name TEXT NOT NULL,
            artist TEXT
        );

        -- What is stored for each chart and period, to check new files against.
        CREATE TABLE periods (
            chart_id INTEGER NOT NULL REFERENCES charts(id),
            period TEXT NOT NULL,
            countries TEXT NOT NULL,   -- JSON {country: rows}
            rows INTEGER NOT NULL,
            digest TEXT NOT NULL,
            snapshot_id INTEGER,
            PRIMARY KEY (chart_id, period)
        ) WITHOUT ROWID;

        CREATE TABLE ranks (
            chart_id INTEGER NOT NULL,
            period TEXT NOT NULL,
            country TEXT NOT NULL,
            rank INTEGER NOT NULL,
            title_id INTEGER NOT NULL,
            season TEXT,
            weeks INTEGER,
            extra TEXT,                -- JSON of source-specific fields
            PRIMARY KEY (chart_id, period, country, rank)
        ) WITHOUT ROWID;
        CREATE INDEX ranks_by_title ON ranks(title_id, chart_id, period);

        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,  -- source|chart|period|kind|title|country
            chart_id INTEGER NOT NULL REFERENCES charts(id),
            period TEXT NOT NULL,
            kind TEXT NOT NULL,
            title_id INTEGER NOT NULL REFERENCES titles(id),
            country TEXT,
            data TEXT NOT NULL,        -- JSON of the event
            snapshot_id INTEGER,
            created_at TEXT NOT NULL
        );
        CREATE INDEX events_by_title ON events(title_id, period);

        -- The outbox: one row per event and destination, written with the event.
        CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY,
            event_id INTEGER REFERENCES events(id),  -- NULL for a notice
            notice TEXT,               -- a message about chartbot itself (a source failing)
            destination TEXT NOT NULL, -- terminal | channel:ID | dm:USER | mention:CHANNEL:USER
            guild_id INTEGER,
            -- pending | sending (claimed: a message may be on its way) | sent | failed | dropped
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT,
            last_error TEXT,
            created_at TEXT NOT NULL,
            batch_key TEXT,            -- the message nonce: a resend after a crash reuses it
            claimed_at TEXT,
            sent_at TEXT,
            message_id INTEGER,
            UNIQUE (event_id, destination)
        );
        CREATE INDEX deliveries_pending ON deliveries(status, destination, id);

        -- Destinations that cannot be posted to any more (channel deleted, bot
        -- removed, DMs closed), with the reason; nothing more is sent there.
        CREATE TABLE dead_destinations (
            destination TEXT PRIMARY KEY,
            reason TEXT NOT NULL,
            since TEXT NOT NULL
        );

        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT
        );

        CREATE TABLE guild_settings (
            guild_id INTEGER PRIMARY KEY,
            channel_id INTEGER,
            min_countries INTEGER,
            watched_markets TEXT,      -- JSON list of country codes
            charts TEXT,               -- JSON list of chart names, NULL for all
            updated_at TEXT,
            updated_by INTEGER
        );

        CREATE TABLE subscriptions (
            id INTEGER PRIMARY KEY,
            guild_id INTEGER,
            user_id INTEGER NOT NULL,
            title_id INTEGER NOT NULL REFERENCES titles(id),
            country TEXT,
            via TEXT NOT NULL,         -- dm | here
            channel_id INTEGER,
            created_at TEXT NOT NULL,
            UNIQUE (guild_id, user_id, title_id)
        );
        CREATE INDEX subscriptions_by_title ON subscriptions(title_id);
        """,
    )
    db.table("titles").enable_fts(
        ["name", "artist"], create_triggers=True, tokenize="unicode61 remove_diacritics 2"
    )


@migration("0002_history_hash")
def history_hash(db: Database) -> None:
    # The content hash of the last body whose periods are exactly the stored ones
    # (NULL when they differ): a later body that only adds lines to it is read by
    # its added lines alone (see bot/sources/added_lines.py).
    db.execute("ALTER TABLE sources ADD COLUMN history_hash TEXT")


@migration("0003_no_title_fts")
def no_title_fts(db: Database) -> None:
    # /rank and autocomplete match titles with an in-memory index (bot/engine/titles.py:
    # word prefixes, then rapidfuzz); the FTS table was kept up to date on every title
    # insert and never read.
    db.table("titles").disable_fts()


@migration("0004_units_and_skipped_files")
def units_and_skipped_files(db: Database) -> None:
    # What one period of a chart is (day, week), when its source says: a daily chart
    # counts "N days in the chart". NULL: worked out from the periods' dates.
    db.execute("ALTER TABLE charts ADD COLUMN unit TEXT")
    # Files of a watched folder that are not charts: JSON {name: [fingerprint, reason]}.
    db.execute("ALTER TABLE sources ADD COLUMN skipped TEXT")


@migration("0005_milestones_and_pictures")
def milestones_and_pictures(db: Database) -> None:
    # A server's switches for milestone alerts (streaks, worldwide #1s) and for the map
    # with a #1-count alert: NULL follows the config.
    db.execute("ALTER TABLE guild_settings ADD COLUMN milestones INTEGER")
    db.execute("ALTER TABLE guild_settings ADD COLUMN pictures INTEGER")


@migration("0006_import_marks")
def import_marks(db: Database) -> None:
    # How far an import of a big file has stored (bot/engine/source_types.py ImportMark):
    # written in each part's transaction, removed when the file is done.
    run_script(
        db,
        """
        CREATE TABLE import_marks (
            source TEXT NOT NULL,
            file TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            line INTEGER NOT NULL,
            rows INTEGER NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (source, file)
        );
        """,
    )


@migration("0007_ranks_by_title_covers_a_rank")
def ranks_by_title_covers_a_rank(db: Database) -> None:
    # /rank reads every rank of a title. The by-title index held the title, chart, period
    # and (as every index of a WITHOUT ROWID table does) the primary key: country and
    # rank, but not weeks and season, so each rank was a lookup in the table, at a
    # place of its own in the file. With them, a title's ranks are read from the index
    # alone, side by side (bench/README.md has the figures). For a chart without weeks or
    # seasons the two NULLs cost a byte each.
    # A store whose first big import is under way has no by-title index
    # (bot/store/charts.py); that import builds this one when it ends.
    if not has_ranks_by_title(db):
        return
    if db.execute("SELECT 1 FROM ranks LIMIT 1").fetchone() is not None:
        log.warning(
            "upgrading the store: rebuilding the index of ranks by title (on a store of "
            "26 million ranks, about a minute)"
        )
    db.execute("DROP INDEX ranks_by_title")
    db.execute(RANKS_BY_TITLE)


@migration("0008_listed_titles")
def listed_titles(db: Database) -> None:
    # A title a member follows before any chart has it is stored with its subscription,
    # unlisted (NULL): the title index, autocomplete and "did you mean" offer listed titles
    # only, in the order they came onto a chart. The chart's spelling replaces the
    # member's when it first charts (bot/store/titles.py).
    db.execute("ALTER TABLE titles ADD COLUMN listed INTEGER")
    ranked = "EXISTS (SELECT 1 FROM ranks r WHERE r.title_id = titles.id)"
    followed = "EXISTS (SELECT 1 FROM subscriptions s WHERE s.title_id = titles.id)"
    if has_ranks_by_title(db):
        # Titles made by a /subscribe that was then refused, which nothing holds.
        db.execute(f"DELETE FROM titles WHERE NOT {ranked} AND NOT {followed}")
        db.execute(f"UPDATE titles SET listed = id WHERE {ranked} OR NOT {followed}")
    else:  # a big first import under way: only the followed titles are looked up
        db.execute(f"UPDATE titles SET listed = id WHERE NOT {followed} OR {ranked}")
    db.execute("CREATE UNIQUE INDEX titles_by_listed ON titles(listed) WHERE listed IS NOT NULL")


@migration("0009_replaced_ranks")
def replaced_ranks(db: Database) -> None:
    # A source that rewrites a stored period (Netflix has renamed things across its whole
    # history) replaces its ranks; the replaced ones are kept here, with the period's
    # summary, so that `chartbot history undo` can put a bad rewrite back.
    run_script(
        db,
        """
        CREATE TABLE replaced_periods (
            id INTEGER PRIMARY KEY,
            chart_id INTEGER NOT NULL REFERENCES charts(id),
            period TEXT NOT NULL,
            countries TEXT NOT NULL,
            rows INTEGER NOT NULL,
            digest TEXT NOT NULL,
            snapshot_id INTEGER,          -- the snapshot that had stored it
            replaced_by INTEGER,          -- the snapshot that replaced it
            replaced_at TEXT NOT NULL
        );
        CREATE INDEX replaced_periods_by_snapshot ON replaced_periods(replaced_by);
        CREATE TABLE replaced_ranks (
            replaced_id INTEGER NOT NULL REFERENCES replaced_periods(id),
            country TEXT NOT NULL,
            rank INTEGER NOT NULL,
            title_id INTEGER NOT NULL,
            season TEXT,
            weeks INTEGER,
            extra TEXT,
            PRIMARY KEY (replaced_id, country, rank)
        ) WITHOUT ROWID;
        """,
    )


@migration("0010_import_marks_hash_what_is_stored")
def import_marks_hash_what_is_stored(db: Database) -> None:
    # An import resumes only when the part of the file already stored is byte for byte the
    # same: its length and hash are kept with the mark (a same-size edit changes the hash).
    db.execute("ALTER TABLE import_marks ADD COLUMN position INTEGER")
    db.execute("ALTER TABLE import_marks ADD COLUMN stored_hash TEXT")


@migration("0011_source_labels")
def source_labels(db: Database) -> None:
    # The name people read for a source in alerts and /rank ("Netflix · TV Shows" for a
    # FlixPatrol source named "netflix-daily"); NULL until its next poll or import: its name.
    db.execute("ALTER TABLE sources ADD COLUMN label TEXT")


@migration("0012_failure_kinds")
def failure_kinds(db: Database) -> None:
    # What kind a source's last failure was (bot/engine/source_types.py FailureKind) and its HTTP
    # status: what a server is shown of it, and what notices are rendered from; the text in
    # last_error is for the operator. NULL (failed before): "the data could not be read".
    db.execute("ALTER TABLE sources ADD COLUMN last_error_kind TEXT")
    db.execute("ALTER TABLE sources ADD COLUMN last_error_status INTEGER")


@migration("0013_languages")
def languages(db: Database) -> None:
    # A server's language (bot/i18n: NULL until set or seeded from its preferred locale:
    # the config's), and each member's for their DMs, as of their latest /subscribe.
    db.execute("ALTER TABLE guild_settings ADD COLUMN language TEXT")
    run_script(
        db,
        """
        CREATE TABLE member_languages (
            user_id INTEGER PRIMARY KEY,
            language TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        """,
    )
    # Notices are stored as their kind and values (bot/engine/notices.py) and said at
    # delivery in the destination's language; one queued as English text stays as it is.
    db.execute(
        """UPDATE deliveries SET notice = json_object('kind', 'text', 'text', notice)
           WHERE notice IS NOT NULL AND status IN ('pending', 'sending')"""
    )


@migration("0014_forecasts")
def forecasts(db: Database) -> None:
    # Who is likely #1 after each chart's latest stored period (bot/forecast), written by
    # the forecast process after a poll stores a new period: one row per candidate and
    # market, replaced each time. `called`: the period an on-course alert was sent for it
    # in this run (carried while it stays a candidate and is not #1 there).
    # forecast_charts: how each chart's forecasts were made and how well its latest
    # walk-forward backtest scored; /rank shows a chart's chances only where both skills
    # over the current-rank baseline are above 0.
    # on_course_calls: each on-course alert, and once its horizon is stored whether it
    # came true (outcome NULL: not known yet), for /status's record.
    run_script(
        db,
        """
        CREATE TABLE forecasts (
            chart_id INTEGER NOT NULL REFERENCES charts(id),
            country TEXT NOT NULL,
            title_id INTEGER NOT NULL REFERENCES titles(id),
            period TEXT NOT NULL,
            rank INTEGER,
            p_next REAL NOT NULL,
            p_within REAL NOT NULL,
            called TEXT,
            PRIMARY KEY (chart_id, country, title_id)
        ) WITHOUT ROWID;
        CREATE INDEX forecasts_by_title ON forecasts(title_id);
        CREATE TABLE forecast_charts (
            chart_id INTEGER PRIMARY KEY REFERENCES charts(id),
            period TEXT NOT NULL,
            horizon INTEGER NOT NULL,
            made_at TEXT NOT NULL,
            skill_next REAL,
            skill_within REAL,
            scored INTEGER NOT NULL DEFAULT 0,
            scored_through TEXT,
            note TEXT
        );
        CREATE TABLE on_course_calls (
            id INTEGER PRIMARY KEY,
            chart_id INTEGER NOT NULL REFERENCES charts(id),
            country TEXT NOT NULL,
            title_id INTEGER NOT NULL REFERENCES titles(id),
            period TEXT NOT NULL,
            chance REAL NOT NULL,
            horizon INTEGER NOT NULL,
            outcome INTEGER,
            resolved_at TEXT,
            UNIQUE (chart_id, country, title_id, period)
        );
        """,
    )
    # A server's switch for on-course alerts: off unless set (NULL follows the config).
    db.execute("ALTER TABLE guild_settings ADD COLUMN forecasts INTEGER")


@migration("0015_mended_titles")
def mended_titles(db: Database) -> None:
    # Titles table and html sources stored as a wrong decoding left them ("Greyâs
    # Anatomy"), mended as they now read them (bot/store/mend.py).
    mend_titles(db)
