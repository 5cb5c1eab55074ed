#!/usr/bin/env python3
"""ffmpeg as on a slow machine: run as FFMPEG_BINARY, it execs the real ffmpeg (same process,
so its process group and parent-death signal stay as the supervisor set them), reading the
movie at a fixed pace (`-readrate`) during the analysis decode and the recap encode.

SLOW_FFMPEG_BINARY: the real ffmpeg. SLOW_FFMPEG_ANALYSIS_RATE / SLOW_FFMPEG_RENDER_RATE: how
many seconds of movie each reads per second of wall clock (unset: full speed).
"""

import os
import sys


def paced(args: list[str]) -> list[str]:
    if "libx264" in args:
        rate = os.environ.get("SLOW_FFMPEG_RENDER_RATE")
    elif "rawvideo" in args and "-skip_loop_filter" in args:
        rate = os.environ.get("SLOW_FFMPEG_ANALYSIS_RATE")
    else:
        rate = None
    if not rate or "-i" not in args:
        return args
    at = args.index("-i")
    return [*args[:at], "-readrate", rate, "-readrate_initial_burst", "0", *args[at:]]


if __name__ == "__main__":
    real = os.environ["SLOW_FFMPEG_BINARY"]
    os.execv(real, [real, *paced(sys.argv[1:])])  # noqa: S606 (the real ffmpeg, by path)
