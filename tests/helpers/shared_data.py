"""The real public data beside the project (../shared/data), read in place: a test that
needs it skips with one line when it is not there (a clone outside this workplace)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Where it is (CHARTBOT_SHARED_DATA points elsewhere: to check the suite without it).
SHARED = Path(
    os.environ.get("CHARTBOT_SHARED_DATA")
    or Path(__file__).resolve().parents[2].parent / "shared" / "data"
)

ABSENT = "../shared/data (the real chart files and pages) is not here"
needs_shared_data = pytest.mark.skipif(not SHARED.is_dir(), reason=ABSENT)


def shared(*parts: str) -> Path:
    """A file of ../shared/data."""
    return SHARED.joinpath(*parts)
