"""Looking at live processes through /proc: which ffmpeg runs with a given marker, and whether a
process is gone (a zombie waiting for a reaper that is not ours counts as gone: it runs nothing).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from contextlib import suppress


def cmdline(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return [part.decode("utf-8", "replace") for part in handle.read().split(b"\0") if part]
    except OSError:
        return []


def is_gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            state = handle.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in ("Z", "X")


def running_ffmpeg(*markers: str) -> list[int]:
    """Pids of live ffmpeg processes with each of `markers` somewhere in their arguments."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        args = cmdline(int(name))
        ours = args and "ffmpeg" in os.path.basename(args[0])
        ours = ours and all(any(marker in a for a in args) for marker in markers)
        if ours and not is_gone(int(name)):
            found.append(int(name))
    return found


def wait_for(condition: Callable[[], object], *, within: float, every: float = 0.02) -> object:
    """The first truthy value of `condition()` within `within` seconds, else None."""
    deadline = time.monotonic() + within
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(every)


def kill_leftovers(marker: str) -> None:
    """Tidy up after a failed assertion, so one failure does not leave ffmpeg running."""
    for pid in running_ffmpeg(marker):
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
