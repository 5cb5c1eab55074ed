"""Stopping work: a stop signal ends analysis and render within two seconds, and neither a stop
nor a killed worker ever leaves a partial recap under its final name or an ffmpeg running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from media_pipeline.pipeline.analyze import analyze
from media_pipeline.pipeline.render import render_recap
from media_pipeline.pipeline.runner import run_analyze
from media_pipeline.pipeline.types import Clip, Selection, Stopped, Writeup

from .media import make_clip, probe_of
from .processes import is_gone, kill_leftovers, running_ffmpeg, wait_for
from .test_ffmpeg_process import ROOT, StopWhen

SIZE, DURATION = (1280, 720), 24.0
SELECTION = Selection(target=18.0, clips=(Clip(1.0, 7.0), Clip(9.0, 15.0), Clip(17.0, 23.0)))
WRITEUP = Writeup(language="en", synopsis="", chapters=())
RENDER_CHILD = """
import sys
from media_pipeline.pipeline.render import render_recap
from media_pipeline.pipeline.types import Clip, Selection, Writeup
from tests.media_pipeline.pipeline.media import probe_of
from tests.media_pipeline.pipeline.test_stopping import DURATION, SELECTION, SIZE, WRITEUP

movie, out_dir = sys.argv[1:]
render_recap(
    movie=movie, probe=probe_of(movie, duration=DURATION, size=SIZE), selection=SELECTION,
    cues=(), writeup=WRITEUP, out_dir=out_dir,
)
"""


@pytest.fixture(scope="module")
def movie(tmp_path_factory) -> str:
    """Large enough that its recap takes seconds to encode."""
    folder = tmp_path_factory.mktemp("stopping")
    return make_clip(str(folder / "movie.mp4"), duration=DURATION, size=SIZE)


def _encoding(folder) -> list[int]:
    """The render's encode (not its loudness scan): it writes recap.mp4 under `folder`."""
    return running_ffmpeg(str(folder), "recap.mp4", "libx264")


def test_setting_stop_during_analysis_ends_it_within_two_seconds(movie):
    stop = threading.Event()
    set_at = []

    def on_progress(_done: float) -> None:
        if not stop.is_set():
            stop.set()
            set_at.append(time.monotonic())

    with pytest.raises(Stopped):
        run_analyze(
            movie, probe_of(movie, duration=DURATION, size=SIZE), progress=on_progress, stop=stop
        )

    assert set_at, "the analysis reported no progress before it ended"
    assert time.monotonic() - set_at[0] < 2.0
    assert running_ffmpeg(movie) == []


def test_a_stop_set_before_analysis_starts_no_decode(movie):
    stop = threading.Event()
    stop.set()

    with pytest.raises(Stopped):
        analyze(movie, probe_of(movie, duration=DURATION, size=SIZE), stop=stop)


def test_setting_stop_during_the_encode_ends_the_render_within_two_seconds(movie, tmp_path):
    stop = threading.Event()
    encode = StopWhen(lambda: _encoding(tmp_path), stop)
    out_dir = tmp_path / "out"

    try:
        with pytest.raises(Stopped):
            render_recap(
                movie=movie, probe=probe_of(movie, duration=DURATION, size=SIZE),
                selection=SELECTION, cues=(), writeup=WRITEUP, out_dir=str(out_dir), stop=stop,
            )  # fmt: skip
        stopped_at = time.monotonic()
    finally:
        kill_leftovers(str(tmp_path))

    assert encode.value, "the encode was never seen running"
    assert stopped_at - encode.at < 2.0
    assert all(is_gone(pid) for pid in encode.value)
    assert running_ffmpeg(str(tmp_path)) == []
    # Nothing was published and the staging folder is gone.
    assert not out_dir.exists()
    assert os.listdir(tmp_path) == []


def test_a_render_killed_with_its_worker_leaves_no_recap_and_no_ffmpeg(movie, tmp_path):
    out_dir = tmp_path / "out"
    child = subprocess.Popen([sys.executable, "-c", RENDER_CHILD, movie, str(out_dir)], cwd=ROOT)
    try:
        encoding = wait_for(lambda: _encoding(tmp_path), within=60.0)
        assert encoding, "the encode was never seen running"

        child.send_signal(signal.SIGKILL)
        child.wait(timeout=5)

        assert wait_for(lambda: all(is_gone(pid) for pid in encoding), within=1.0)
        assert not (out_dir / "recap.mp4").exists()
        # What the killed render wrote stays under its staging name, never a final one.
        assert all(name.startswith(".out-partial-") for name in os.listdir(tmp_path))
    finally:
        child.kill()
        child.wait()
        kill_leftovers(str(tmp_path))
