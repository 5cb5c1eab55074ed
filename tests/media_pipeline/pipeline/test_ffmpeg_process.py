"""ffmpeg supervision: it dies with its parent, stops on request, times out, maps exit codes,
and never reads an input that skipped the `file:` guard."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest

from media_pipeline.pipeline import ffmpeg
from media_pipeline.pipeline.types import PipelineError, Stopped, TransientPipelineError

from .processes import is_gone, kill_leftovers, running_ffmpeg, wait_for

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))


def _endless(marker: str) -> list[str]:
    """An ffmpeg that runs until killed, at real-time pace (cheap on a shared machine)."""
    return [
        "-re", "-f", "lavfi", "-i", "testsrc=s=64x48:r=10",
        "-metadata", f"comment={marker}", "-f", "null", "-",
    ]  # fmt: skip


@pytest.fixture
def marker():
    value = f"supervision-{uuid.uuid4().hex}"
    yield value
    kill_leftovers(value)


def test_ffmpeg_dies_within_a_second_when_the_process_that_started_it_is_killed(marker):
    child_code = (
        "import sys, subprocess\n"
        "from media_pipeline.pipeline import ffmpeg\n"
        "with ffmpeg.Supervised(sys.argv[1:], timeout=120, stop=None,\n"
        "                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as f:\n"
        "    print(f.pid, flush=True)\n"
        "    f.wait()\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", child_code, *_endless(marker)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        pid = int(child.stdout.readline())
        assert running_ffmpeg(marker) == [pid]

        child.send_signal(signal.SIGKILL)
        child.wait(timeout=5)
        killed_at = time.monotonic()
        gone = wait_for(lambda: is_gone(pid), within=1.0)

        assert gone, "ffmpeg outlived the process that started it"
        assert time.monotonic() - killed_at < 1.0
        assert running_ffmpeg(marker) == []
    finally:
        child.kill()
        child.wait()


def test_setting_stop_kills_a_running_ffmpeg_at_once_and_raises_stopped(marker):
    stop = threading.Event()
    started = StopWhen(lambda: running_ffmpeg(marker), stop)

    with pytest.raises(Stopped):
        ffmpeg.run(_endless(marker), stop=stop)

    assert started.value, "ffmpeg never started"
    assert time.monotonic() - started.at < 2.0
    assert running_ffmpeg(marker) == []


def test_a_stopped_stream_ends_with_eof_and_raises_stopped(marker):
    stop = threading.Event()
    with ffmpeg.pipe([*_endless(marker)[:-3], "-f", "rawvideo", "pipe:1"], stop=stop) as proc:
        assert proc.stdout.read(64 * 48)  # frames are flowing
        stop.set()
        set_at = time.monotonic()
        while proc.stdout.read(1 << 16):
            pass
        proc.wait()
        with pytest.raises(Stopped):
            proc.raise_if_interrupted()

    assert time.monotonic() - set_at < 2.0
    assert running_ffmpeg(marker) == []


def test_a_stop_set_before_the_start_starts_nothing(marker):
    stop = threading.Event()
    stop.set()

    with pytest.raises(Stopped):
        ffmpeg.run(_endless(marker), stop=stop)

    assert running_ffmpeg(marker) == []


def test_stopped_is_not_a_pipeline_failure():
    assert not issubclass(Stopped, PipelineError)


def test_a_timeout_kills_the_group_and_is_worth_retrying(marker):
    clock = time.monotonic()

    with pytest.raises(TransientPipelineError) as caught:
        ffmpeg.run(_endless(marker), timeout=0.5)

    assert caught.value.code == "ffmpeg_timeout"
    assert time.monotonic() - clock < 3.0
    assert running_ffmpeg(marker) == []


def test_an_error_in_the_reader_leaves_no_ffmpeg_behind(marker):
    with pytest.raises(RuntimeError), ffmpeg.pipe(_endless(marker)) as proc:
        assert wait_for(lambda: running_ffmpeg(marker), within=5.0) == [proc.pid]
        raise RuntimeError("the reader failed")

    assert running_ffmpeg(marker) == []


def test_a_non_zero_exit_is_a_failure_carrying_the_end_of_stderr(tmp_path):
    missing = str(tmp_path / "missing.mp4")

    with pytest.raises(PipelineError) as caught:
        ffmpeg.run(["-i", ffmpeg.Input(missing), "-f", "null", "-"])

    assert caught.value.code == "ffmpeg_failed"
    assert "No such file" in caught.value.message
    unchecked = ffmpeg.run(["-i", ffmpeg.Input(missing), "-f", "null", "-"], check=False)
    assert unchecked.returncode != 0


def test_an_input_becomes_an_absolute_file_url(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    cmd = ffmpeg.command_line(["-i", ffmpeg.Input("-evil.mp4"), "-f", "null", "-"])

    assert cmd[cmd.index("-i") + 1] == "file:" + str(tmp_path / "-evil.mp4")
    assert cmd[cmd.index("-protocol_whitelist") + 1] == "file,pipe"


@pytest.mark.parametrize("raw", ["movie.mp4", "/abs/movie.mp4", "concat:a|b", "-evil.mp4"])
def test_a_raw_path_after_dash_i_is_refused(raw):
    with pytest.raises(ValueError, match="Input"):
        ffmpeg.command_line(["-i", raw, "-f", "null", "-"])


def test_generated_sources_and_guarded_urls_are_accepted():
    cmd = ffmpeg.command_line(
        ["-f", "lavfi", "-i", "sine=d=1", "-i", "file:/abs/a.srt", "-f", "null", "-"]
    )

    assert "sine=d=1" in cmd and "file:/abs/a.srt" in cmd


class StopWhen(threading.Thread):
    """Sets `stop` as soon as `condition` holds (polled), and notes when."""

    def __init__(self, condition, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.condition, self.stop = condition, stop
        self.value, self.at = None, 0.0
        self.start()

    def run(self) -> None:
        self.value = wait_for(self.condition, within=10.0)
        self.at = time.monotonic()
        self.stop.set()
