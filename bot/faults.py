"""Named crash points, for the tests that kill a poll or a delivery at a chosen moment.

Inert unless CHARTBOT_CRASH_AT names the point: then the process kills itself
there with SIGKILL, exactly as an out-of-memory killer or a power cut would,
so tests can prove that no moment of a poll loses or duplicates an alert.
"""

from __future__ import annotations

import os
import signal

ENV = "CHARTBOT_CRASH_AT"


def checkpoint(name: str) -> None:
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
