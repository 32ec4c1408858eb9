"""Kill drills: stop a run at a named point so that it can be killed there for real.

With `BBIC_DRILL_PAUSE_AT=<point>` (landed, validated, swap, reports), a run that reaches the point
writes `pid <pid> at <point>` into the file named by `BBIC_DRILL_SIGNAL` and then waits (up to ten
minutes) to be killed. The tests use it to `kill -9` a real `bbic run` exactly there; an operator can
rehearse the same on a test machine. Unset (always, in production), a point costs one lookup.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

POINTS = ("landed", "validated", "swap", "reports")


def point(name: str) -> None:
    if os.environ.get("BBIC_DRILL_PAUSE_AT") != name:
        return
    signal = os.environ.get("BBIC_DRILL_SIGNAL", "")
    if signal:
        Path(signal).write_text(f"pid {os.getpid()} at {name}\n", encoding="utf-8")
    time.sleep(600)
