"""Bulk work without the cyclic garbage collector looking on.

Parsing a chart file and storing it makes tens of thousands of small objects
(rows, tuples, strings) that hold no reference cycles and are freed by their
reference counts. While they pile up, CPython's collector keeps walking all
of them, again and again as the heap grows: a tenth of an import's time.
`collector_paused()` holds collections off for the duration; collections
resume after it. Threads may overlap their pauses: the last one out resumes.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
