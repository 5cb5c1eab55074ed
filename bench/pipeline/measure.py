"""Timing and memory of child processes: wall time, and the peak RSS of the whole process tree.

`getrusage` reports each process's own peak; a worker and its ffmpeg children are alive at the
same time, so the tree is also sampled from /proc every few tens of milliseconds and summed.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from media_pipeline.pipeline import ffmpeg, render

SAMPLE_EVERY = 0.05  # seconds


@dataclass(frozen=True)
class Timed:
    seconds: float
    cpu_seconds: float  # user + system of the process and every descendant it waited for
    tree_peak_kib: int  # sampled sum over the process and its descendants
    stdout: str


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as fh:
                found += [int(p) for p in fh.read().split()]
    except OSError:
        pass
    return found


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss_kib(pid: int) -> int:
    """Current resident memory of `pid` and all its descendants, in KiB."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += _rss_kib(current)
        todo += _children(current)
    return total


def run_timed(cmd: list[str], *, cwd: str | None = None, timeout: float = 7200) -> Timed:
    """Run `cmd` to completion, returning its wall time, sampled tree peak RSS and stdout."""
    peak = 0
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    clock = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(SAMPLE_EVERY):
            peak = max(peak, tree_rss_kib(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        done.set()
        sampler.join()
    seconds = time.perf_counter() - clock
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        tail = err.decode("utf-8", "replace")[-3000:]
        raise RuntimeError(f"{cmd[:4]} exited with {proc.returncode}:\n{tail}")
    return Timed(seconds, cpu, peak, out.decode("utf-8", "replace"))


def bare_decode(movie: str) -> Timed:
    """`ffmpeg -i FILE -f null -`: every stream decoded, nothing else, default threads."""
    return run_timed([ffmpeg.binary(), "-hide_banner", "-nostdin", "-i", movie, "-f", "null", "-"])


def bare_encode(seconds: float, size: tuple[int, int], fps: float, out_path: str) -> Timed:
    """Encode `seconds` of testsrc2 + tone at `size` with the render stage's codec settings.

    Mirrors `ffmpeg.recap_render_args`: libx264 veryfast crf 21 high profile, GOP 48, yuv420p,
    AAC 160k stereo 48 kHz, +faststart, mp4.
    """
    width, height = size
    cmd = [
        ffmpeg.binary(), "-hide_banner", "-nostdin", "-y",
        "-f", "lavfi", "-i", f"testsrc2=s={width}x{height}:r={fps}:d={seconds:.3f}",
        "-f", "lavfi", "-i", f"sine=f=440:r=48000:d={seconds:.3f}",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "21", "-pix_fmt", "yuv420p",
        "-profile:v", "high", "-g", "48",
        "-c:a", "aac", "-b:a", "160k", "-ar", "48000", "-ac", "2",
        "-movflags", "+faststart", "-f", "mp4", out_path,
    ]  # fmt: skip
    return run_timed(cmd)


def output_size(width: int, height: int) -> tuple[int, int]:
    """The recap's picture size for a source of `width` x `height` (the render's rule)."""
    return render.fit_size(width, height)


def run_worker(kind: str, *args: str, cwd: str) -> tuple[Timed, dict]:
    """One stage in a fresh `python -m bench.pipeline.worker` process; (timing, its JSON)."""
    timed = run_timed([sys.executable, "-m", "bench.pipeline.worker", kind, *args], cwd=cwd)
    return timed, json.loads(timed.stdout.strip().splitlines()[-1])
