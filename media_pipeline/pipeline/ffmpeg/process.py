"""Process supervision: the one place that starts ffmpeg, and the input guard on its arguments.

Every run reads local files only (`-protocol_whitelist file,pipe`), gets every input file as an
absolute `file:` URL, runs in its own process group, dies with the process that started it, and
is killed as a whole on a timeout, a stop request or an exception in the caller.
"""

from __future__ import annotations

import ctypes
import functools
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cache
from typing import IO, Protocol

from ..types import PipelineError, Stopped, TransientPipelineError

PROTOCOLS = ("-protocol_whitelist", "file,pipe")
DEFAULT_TIMEOUT = 3600.0
WATCH_EVERY = 0.1  # seconds between two looks at the stop signal and the clock
PR_SET_PDEATHSIG = 1


class StopSignal(Protocol):
    """Anything with `is_set()`, such as a `threading.Event` set when a job is cancelled."""

    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class Input:
    """A local file ffmpeg reads. Builders put `"-i", Input(path)` in their arguments and the
    supervisor turns it into an absolute `file:` URL, so no input can skip the guard."""

    path: str


@dataclass(frozen=True)
class Output:
    """A local file ffmpeg writes: always passed as an absolute path, so a name starting with
    `-` is never taken for an option (muxers such as image2 read the name, so no URL here)."""

    path: str


Arg = str | Input | Output


@cache
def binary() -> str:
    """`FFMPEG_BINARY` when set, else the static build shipped in the imageio-ffmpeg wheel."""
    configured = os.environ.get("FFMPEG_BINARY")
    if configured:
        return configured
    # Imported only when needed: a configured binary must work without the wheel installed.
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def input_url(path: str) -> str:
    """An absolute `file:` URL, so a name like `concat:a|b` or `-x` is never read as more."""
    return "file:" + os.path.abspath(path)


def command_line(args: Sequence[Arg]) -> list[str]:
    """The full command: binary, common options, then `args` with every `Input` made a URL
    and every `Output` an absolute path.

    A plain string after `-i` is refused unless it is already an absolute `file:` URL or a
    generated source (`-f lavfi`, which reads no file): a raw path would let a file named
    `concat:a|b` or `-evil.mp4` be read as something else.
    """
    cmd = [binary(), "-hide_banner", "-nostdin", "-y", *PROTOCOLS]
    for index, arg in enumerate(args):
        if isinstance(arg, Input):
            cmd.append(input_url(arg.path))
            continue
        if isinstance(arg, Output):
            cmd.append(os.path.abspath(arg.path))
            continue
        if index and args[index - 1] == "-i" and not _guarded(arg, args[:index]):
            raise ValueError(f"ffmpeg input {arg!r} must be passed as Input(path)")
        cmd.append(arg)
    return cmd


def _guarded(value: str, before: Sequence[Arg]) -> bool:
    generated = list(before[-3:-1]) == ["-f", "lavfi"]
    return generated or value.startswith("file:/")


# PR_SET_PDEATHSIG through libc, looked up once in the parent: the child only makes the call.
_PRCTL = None
if sys.platform.startswith("linux"):
    with suppress(OSError, AttributeError):
        _PRCTL = ctypes.CDLL(None, use_errno=True).prctl
        _PRCTL.argtypes = [ctypes.c_int, *[ctypes.c_ulong] * 4]
        _PRCTL.restype = ctypes.c_int


def _die_with_parent(parent: int) -> None:
    """Runs in the child between fork and exec: SIGKILL this ffmpeg when its parent goes.

    The child only calls into libc and compares two integers (no imports, no locks), which is
    what keeps a `preexec_fn` safe in a parent that has other threads running.
    """
    _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the call took effect
        os.kill(os.getpid(), signal.SIGKILL)


class Supervised:
    """One ffmpeg run: started in its own process group, watched, always reaped.

    The kernel kills it when the thread that started it ends (`PR_SET_PDEATHSIG` is tied to the
    spawning *thread*, not the process): so it is started here, in the caller's thread, which
    is also the thread that waits for it; a SIGKILLed worker therefore never leaves an ffmpeg
    behind. A watcher thread kills the whole group when `timeout` passes or `stop` is set
    (looked at every WATCH_EVERY seconds); leaving the `with` block kills what still runs.
    """

    def __init__(
        self,
        args: Sequence[Arg],
        *,
        timeout: float,
        stop: StopSignal | None,
        stdout: int | IO[bytes] | None,
        stderr: int | IO[bytes] | None,
        pass_fds: Sequence[int] = (),
        bufsize: int = -1,
    ) -> None:
        self.cmd = command_line(args)
        if stop is not None and stop.is_set():
            raise Stopped("stopped before ffmpeg started")
        self.timed_out = self.stopped = False
        self.timeout = timeout
        self.proc = subprocess.Popen(  # the one place that starts ffmpeg
            self.cmd,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
            preexec_fn=functools.partial(_die_with_parent, os.getpid()) if _PRCTL else None,
            pass_fds=tuple(pass_fds),
            bufsize=bufsize,
        )
        self._finished = threading.Event()
        self._watcher = threading.Thread(target=self._watch, args=(stop,), daemon=True)
        self._watcher.start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def stdout(self) -> IO[bytes]:
        assert self.proc.stdout is not None
        return self.proc.stdout

    @property
    def returncode(self) -> int | None:
        return self.proc.returncode

    def wait(self) -> int:
        return self.proc.wait()

    def _watch(self, stop: StopSignal | None) -> None:
        deadline = time.monotonic() + self.timeout
        while not self._finished.wait(WATCH_EVERY):
            if stop is not None and stop.is_set():
                self.stopped = True
            elif time.monotonic() >= deadline:
                self.timed_out = True
            else:
                continue
            self.kill()
            return

    def kill(self) -> None:
        """SIGKILL the process group: ffmpeg and anything it started, at once."""
        if self.proc.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)

    def close(self) -> None:
        self.kill()
        self.proc.wait()
        self._finished.set()
        self._watcher.join()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()

    def __enter__(self) -> Supervised:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def raise_if_interrupted(self) -> None:
        """Stopped, timed out or killed from outside: the run's output means nothing."""
        if self.stopped:
            raise Stopped("ffmpeg was stopped on request")
        if self.timed_out:
            raise TransientPipelineError(
                "ffmpeg_timeout", f"ffmpeg ran longer than {self.timeout:.0f}s"
            )
        if self.proc.returncode is not None and self.proc.returncode < 0:
            raise TransientPipelineError(
                "ffmpeg_killed", f"ffmpeg was killed by signal {-self.proc.returncode}"
            )

    def raise_for_exit(self, stderr: bytes, *, code: str = "ffmpeg_failed") -> None:
        """`raise_if_interrupted`, then PipelineError(code) with the tail of stderr on a
        non-zero exit."""
        self.raise_if_interrupted()
        if self.proc.returncode != 0:
            tail = stderr.decode("utf-8", "replace")[-2000:]
            raise PipelineError(code, f"ffmpeg exited with {self.proc.returncode}: {tail}")


def run(
    args: Sequence[Arg],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    check: bool = True,
    stop: StopSignal | None = None,
) -> subprocess.CompletedProcess:
    """Run ffmpeg with `args` and collect its output.

    Raises Stopped, TransientPipelineError (timeout, killed) or, with `check`, PipelineError
    ("ffmpeg_failed") on a non-zero exit.
    """
    with Supervised(
        args, timeout=timeout, stop=stop, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as ffmpeg:
        out, err = ffmpeg.proc.communicate()
    if check:
        ffmpeg.raise_for_exit(err)
    else:
        ffmpeg.raise_if_interrupted()
    return subprocess.CompletedProcess(ffmpeg.cmd, ffmpeg.returncode, out, err)


@contextmanager
def pipe(
    args: Sequence[Arg],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    pass_fds: Sequence[int] = (),
    stderr: IO[bytes] | None = None,
    stop: StopSignal | None = None,
) -> Iterator[Supervised]:
    """Start ffmpeg writing to a pipe; the caller reads `.stdout` in fixed-size chunks.

    `pass_fds` lets ffmpeg write a second output to another pipe (`pipe:<fd>`); `stderr` is a
    file to keep its messages (a pipe could fill up and stall the decoder). A timeout or a stop
    kills the group, so a blocked read ends with EOF; the caller then calls
    `raise_if_interrupted()`. Leaving the block kills what still runs.
    """
    with Supervised(
        args,
        timeout=timeout,
        stop=stop,
        stdout=subprocess.PIPE,
        stderr=stderr if stderr is not None else subprocess.DEVNULL,
        pass_fds=pass_fds,
        bufsize=0,
    ) as ffmpeg:
        yield ffmpeg


def run_with_progress(
    args: Sequence[Arg],
    *,
    on_frames: Callable[[int], None] | None,
    timeout: float = DEFAULT_TIMEOUT,
    stop: StopSignal | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess:
    """Like `run`, reading `-progress pipe:1` and reporting the frames written so far.

    The result's `stdout` is empty (the progress lines were consumed); `stderr` is complete.
    """
    with tempfile.TemporaryFile() as errors:
        with Supervised(
            ["-nostats", "-progress", "pipe:1", *args],
            timeout=timeout,
            stop=stop,
            stdout=subprocess.PIPE,
            stderr=errors,
        ) as ffmpeg:
            for line in ffmpeg.stdout:
                if on_frames and line.startswith(b"frame=") and line[6:].strip().isdigit():
                    on_frames(int(line[6:]))
            ffmpeg.wait()
        errors.seek(0)
        err = errors.read()
    if check:
        ffmpeg.raise_for_exit(err)
    else:
        ffmpeg.raise_if_interrupted()
    return subprocess.CompletedProcess(ffmpeg.cmd, ffmpeg.returncode, b"", err)
