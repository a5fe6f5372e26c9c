"""The real public data beside the project (../shared/data), read in place: a test that
needs it skips with one line when it is not there (a clone outside this workplace)."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"

needs_shared_data = pytest.mark.skipif(
    not SHARED.is_dir(), reason="../shared/data (the real chart files and pages) is not here"
)


def shared(*parts: str) -> Path:
    """A file of ../shared/data."""
    return SHARED.joinpath(*parts)
