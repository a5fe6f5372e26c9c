"""The SQLite store: schema migrations and all SQL."""
