"""The pure core: chart rows in, standings and events out. No I/O lives here."""
