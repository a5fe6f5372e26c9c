"""Named crash points, for the tests that kill a poll or a delivery at a chosen moment.

Inert unless CHARTBOT_CRASH_AT names the point ("after_send", or "after_send:3"
for its third passage): then the process kills itself there with SIGKILL,
exactly as an out-of-memory killer or a power cut would, so tests can prove
that no moment of a poll or a delivery loses or duplicates an alert.
"""

from __future__ import annotations

import os
import signal

ENV = "CHARTBOT_CRASH_AT"

_passed: dict[str, int] = {}


def checkpoint(name: str) -> None:
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    point, _, nth = wanted.partition(":")
    if point != name:
        return
    _passed[name] = _passed.get(name, 0) + 1
    if _passed[name] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
