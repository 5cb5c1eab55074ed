"""Stage 2: one streaming decode of the movie into shot boundaries, black, motion and loudness.

ffmpeg decodes once, scaled to two tiny pictures (see `shots`), into a pipe read in fixed-size
chunks; the audio of the same run arrives on a second pipe. Only per-frame scalars and a few
seconds of tiny frames are kept, so memory does not grow with the pictures of a long movie.
The few cuts left in doubt are then looked at again in short windows (`verify_cuts`).
"""

from __future__ import annotations

import contextlib
import fcntl
import math
import os
import tempfile
import threading
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import ffmpeg, frame_features, shots, verify_cuts
from .types import Analysis, Cue, PipelineError, ProbeResult

CHUNK_FRAMES = 256  # 1.8 MB of tiny frames a chunk
PIPE_BYTES = 1 << 20
WINDOW = 1.0  # seconds per motion / loudness value
AUDIO_RATE = 8000
SILENCE_DB = -120.0
BLACK_LEVEL = 32  # 8-bit luma at or below which a pixel counts as black
BLACK_SHARE = 0.98
BLACK_MIN = 0.4  # seconds


@dataclass
class _Frames:
    """Per-frame scalars the later stages need, kept in typed arrays (5 bytes a frame), and the
    12-value look of every window; the pictures themselves go to the shot detector only."""

    per_window: int
    change: array = field(default_factory=lambda: array("f"))  # frame vs previous frame
    black: array = field(default_factory=lambda: array("b"))
    looks: list[tuple[int, ...]] = field(default_factory=list)
    look_sum: np.ndarray = field(default_factory=lambda: np.zeros(12))
    look_count: int = 0
    previous: np.ndarray | None = None

    @property
    def frames(self) -> int:
        return len(self.change)

    def add(self, chunk: np.ndarray, flat: np.ndarray) -> None:
        """Take `chunk` (raw frames) and its 32x18 luma `flat` (the shot detector's)."""
        area = chunk[:, : frame_features.AREA_W * frame_features.AREA_H]
        joined = flat if self.previous is None else np.concatenate([self.previous, flat])
        diff = np.abs(joined[1:] - joined[:-1]).mean(axis=1, dtype=np.float32)
        if self.previous is None:  # the very first frame has no predecessor
            diff = np.concatenate([np.zeros(1, np.float32), diff])
        self.change.frombytes(diff.tobytes())
        self.previous = flat[-1:].copy()
        dark = np.count_nonzero(area <= BLACK_LEVEL, axis=1)
        dark = dark >= BLACK_SHARE * frame_features.AREA_W * frame_features.AREA_H
        self.black.frombytes(dark.astype(np.int8).tobytes())
        grid = flat.reshape(-1, 3, 6, 4, 8).mean(axis=(2, 4)).reshape(-1, 12)
        for row in grid:  # a few hundred rows a chunk: cheap next to the decode
            self.look_sum += row
            self.look_count += 1
            if self.look_count == self.per_window:
                self.close_look()

    def close_look(self) -> None:
        self.looks.append(tuple(int(v) for v in np.rint(self.look_sum / self.look_count)))
        self.look_sum = np.zeros(12)
        self.look_count = 0


class _AudioMeter(threading.Thread):
    """Reads mono float samples from a pipe and keeps one mean-square value per window."""

    def __init__(self, fd: int, window: float) -> None:
        super().__init__(daemon=True)
        self.fd = fd
        self.per_window = int(AUDIO_RATE * window)
        self.levels: list[float] = []
        self.error: Exception | None = None
        self._sum = 0.0
        self._count = 0

    def run(self) -> None:
        # Keep draining even if measuring fails: a full pipe would stall the video decode.
        with os.fdopen(self.fd, "rb", buffering=0) as stream:
            pending = b""
            while data := stream.read(1 << 16):
                if self.error is not None:
                    continue
                data = pending + data
                usable = len(data) - len(data) % 4
                pending = data[usable:]
                try:
                    self._add(np.frombuffer(data[:usable], dtype="<f4"))
                except Exception as exc:  # reported by analyze() once the decode ends
                    self.error = exc
        if self._count and self.error is None:
            self._close_window()

    def _add(self, samples: np.ndarray) -> None:
        while samples.size:
            take = min(self.per_window - self._count, samples.size)
            part = samples[:take].astype(np.float64)
            self._sum += float(np.dot(part, part))
            self._count += take
            samples = samples[take:]
            if self._count == self.per_window:
                self._close_window()

    def _close_window(self) -> None:
        mean_square = self._sum / max(self._count, 1)
        # -0.691 is the offset of the LUFS scale; no K-weighting, so "LUFS-like".
        level = -0.691 + 10 * math.log10(mean_square) if mean_square > 1e-12 else SILENCE_DB
        self.levels.append(max(level, SILENCE_DB))
        self._sum, self._count = 0.0, 0


def analyze(
    path: str,
    probe: ProbeResult,
    *,
    cues: tuple[Cue, ...] = (),
    skipped_cues: int = 0,
    progress: Callable[[float], None] | None = None,
    stop: ffmpeg.StopSignal | None = None,
) -> Analysis:
    """Decode `path` once and measure what the later stages need; see the module docstring.

    Setting `stop` kills the decode within a fraction of a second and raises `Stopped`.
    """
    fps = probe.fps if probe.fps > 0 else 25.0
    frames = _Frames(per_window=max(1, round(fps * WINDOW)))
    detector = shots.ShotDetector(fps)
    expected = max(1.0, probe.duration * fps)
    meter: _AudioMeter | None = None
    read_fd = write_fd = None
    if probe.has_audio:
        read_fd, write_fd = os.pipe()
    args = ffmpeg.shot_analysis_args(
        path,
        demuxer=ffmpeg.demuxer_name(probe.format_name),
        audio_fd=write_fd,
        audio_rate=AUDIO_RATE,
    )
    with tempfile.TemporaryFile() as log:
        try:
            with ffmpeg.pipe(
                args,
                timeout=max(600.0, probe.duration * 4),
                pass_fds=_fds(write_fd),
                stderr=log,
                stop=stop,
            ) as proc:
                if write_fd is not None:
                    os.close(write_fd)  # the child holds its copy; EOF comes when it exits
                    write_fd = None
                    meter = _AudioMeter(read_fd, WINDOW)
                    read_fd = None
                    meter.start()
                _widen(proc.stdout.fileno())
                _read_frames(proc, frames, detector, expected, progress)
                proc.wait()
                if meter is not None:
                    meter.join()
                    if meter.error is not None:
                        raise PipelineError("decode_failed", f"audio unreadable: {meter.error}")
        finally:
            for fd in (read_fd, write_fd):
                if fd is not None:
                    os.close(fd)
        _check_exit(proc, log, frames.frames)
    rejected = verify_cuts.rejected_cuts(path, probe, detector.unsure, stop=stop)
    if progress is not None:
        progress(1.0)
    duration = probe.duration
    windows = max(1, math.ceil(duration / WINDOW))
    levels = list(meter.levels) if meter is not None else []
    loudness = (levels + [SILENCE_DB] * windows)[:windows]
    return Analysis(
        duration=duration,
        fps=fps,
        frames=frames.frames,
        transitions=detector.transitions(rejected),
        black=_black_spans(frames.black, fps),
        window=WINDOW,
        motion=_motion(frames.change, fps, windows),
        loudness=tuple(round(v, 2) for v in loudness),
        cues=cues,
        skipped_cues=skipped_cues,
        looks=tuple((frames.looks + [(0,) * 12] * windows)[:windows]),
    )


def _widen(fd: int) -> None:
    """Let the pipe hold a chunk's worth of frames, so ffmpeg keeps decoding while a chunk is
    being analysed instead of waiting for the reader (Linux; elsewhere the default stays)."""
    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _fds(fd: int | None) -> tuple[int, ...]:
    return () if fd is None else (fd,)


def _read_frames(
    proc: ffmpeg.Supervised,
    frames: _Frames,
    detector: shots.ShotDetector,
    expected: float,
    progress: Callable[[float], None] | None,
) -> None:
    size = frame_features.FRAME_BYTES
    chunk_bytes = size * CHUNK_FRAMES
    buffer = bytearray()
    reported = 0.0
    while True:
        data = proc.stdout.read(chunk_bytes - len(buffer))
        if not data:
            break
        buffer += data
        if len(buffer) < chunk_bytes:
            continue
        chunk = np.frombuffer(bytes(buffer), np.uint8).reshape(-1, size)
        frames.add(chunk, detector.add(chunk)["S"])
        buffer.clear()
        done = min(frames.frames / expected, 0.99)
        if progress is not None and done - reported >= 0.02:
            progress(done)
            reported = done
    whole = len(buffer) - len(buffer) % size
    rest = np.frombuffer(bytes(buffer[:whole]), np.uint8).reshape(-1, size)
    parts = detector.add(rest, final=True)
    if rest.shape[0]:
        frames.add(rest, parts["S"])
    if frames.look_count:
        frames.close_look()


def _check_exit(proc: ffmpeg.Supervised, log, frames: int) -> None:
    proc.raise_if_interrupted()
    if proc.returncode != 0 or frames == 0:
        log.seek(0)
        tail = log.read()[-2000:].decode("utf-8", "replace")
        raise PipelineError("decode_failed", f"the video could not be decoded: {tail}")


def _black_spans(black: array, fps: float) -> tuple[tuple[float, float], ...]:
    flags = np.frombuffer(black, dtype=np.int8) if len(black) else np.zeros(0, np.int8)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags != 0, [0]]).astype(np.int8)))
    spans = []
    for start, end in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
        if (end - start) / fps >= BLACK_MIN:
            spans.append((round(start / fps, 3), round(end / fps, 3)))
    return tuple(spans)


def _motion(change: array, fps: float, windows: int) -> tuple[float, ...]:
    values = np.asarray(change, dtype=np.float32)
    per = max(1, round(fps * WINDOW))
    out = []
    for w in range(windows):
        part = values[w * per : (w + 1) * per]
        # The median ignores a cut inside the window; motion is what happens between cuts.
        out.append(round(float(np.median(part)), 3) if part.size else 0.0)
    return tuple(out)
