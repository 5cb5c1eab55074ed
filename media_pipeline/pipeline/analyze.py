"""Stage 2: one streaming decode of the movie into shot boundaries, black, motion and loudness.

ffmpeg decodes once, scaled to a tiny grey picture, into a pipe read in fixed-size chunks; the
audio of the same run arrives on a second pipe. Only per-frame scalars and a few seconds of
tiny frames are kept, so memory does not grow with the pictures of a long movie.
"""

from __future__ import annotations

import math
import os
import tempfile
import threading
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import ffmpeg
from .types import Analysis, Cue, PipelineError, ProbeResult, Transition

WIDTH, HEIGHT = 64, 36
CHUNK_FRAMES = 256  # 0.6 MB of tiny frames a chunk
WINDOW = 1.0  # seconds per motion / loudness value
AUDIO_RATE = 8000
SILENCE_DB = -120.0
# Hard cuts: a frame difference well above its neighbours' and above an absolute floor.
CUT_FLOOR = 12.0  # mean absolute change of a 32x18 grey frame, in 8-bit levels
CUT_RATIO = 3.0
CUT_NEIGHBOURS = 3
CUT_LOOKAROUND = 0.25  # seconds either side in which the old picture must not come back
CUT_SEPARATION = 0.5  # share of the cut's own change that must separate before from after
# Gradual transitions: over 2m frames the picture changes much more than over the same span
# before and after, and the frames between stay close to a blend of both ends.
GRADUAL_SCALES = (0.2, 0.4, 0.8)  # half-span in seconds
GRADUAL_MIN_CHANGE = 14.0  # mean absolute change of a 16x9 grey frame, 8-bit levels
GRADUAL_RATIO = 1.5
GRADUAL_MAX_RESIDUAL = 0.35
BLACK_LEVEL = 32  # 8-bit luma at or below which a pixel counts as black
BLACK_SHARE = 0.98
BLACK_MIN = 0.4  # seconds


@dataclass
class _Features:
    """Per-frame scalars, the few candidates worth keeping, and the last seconds of tiny frames.

    Each decision that needs frames on both sides of an instant is taken once, as soon as the
    frames after it have arrived; the frames themselves are dropped when they leave `tail`.
    """

    fps: float
    scales: tuple[int, ...]  # half-spans, in frames, for gradual transitions
    lookaround: int  # frames either side compared when confirming a cut
    # Typed arrays: 5 bytes a frame, under 1 MB for two hours at 25 fps.
    change: array = field(default_factory=lambda: array("f"))  # frame vs previous frame
    black: array = field(default_factory=lambda: array("b"))
    per_window: int = 25
    looks: list[tuple[int, ...]] = field(default_factory=list)
    look_sum: np.ndarray = field(default_factory=lambda: np.zeros(12))
    look_count: int = 0
    separation: dict[int, float] = field(default_factory=dict)  # cut candidates only
    gradual: list[tuple[int, int]] = field(default_factory=list)  # centre, half-span
    tail: np.ndarray | None = None
    judged: int = 0  # frames before this index have had every decision taken

    @property
    def frames(self) -> int:
        return len(self.change)

    def add(self, chunk: np.ndarray, *, final: bool = False) -> None:
        n = chunk.shape[0]
        wide = chunk.astype(np.uint16)  # 2x2 block means by strided sums: cheaper than .mean
        small = wide[:, ::2, ::2] + wide[:, 1::2, ::2] + wide[:, ::2, 1::2] + wide[:, 1::2, 1::2]
        small = small.astype(np.float32) * np.float32(0.25)
        first = self.frames - (0 if self.tail is None else self.tail.shape[0])
        frames = small if self.tail is None else np.concatenate([self.tail, small])
        if n:
            flat = frames.reshape(frames.shape[0], -1)
            diff = np.abs(flat[1:] - flat[:-1]).mean(axis=1, dtype=np.float32)
            if diff.size < n:  # the very first frame has no predecessor
                diff = np.concatenate([np.zeros(n - diff.size, np.float32), diff])
            self.change.frombytes(diff[-n:].tobytes())
            dark = np.count_nonzero(chunk.reshape(n, -1) <= BLACK_LEVEL, axis=1)
            dark = dark >= BLACK_SHARE * WIDTH * HEIGHT
            self.black.frombytes(dark.astype(np.int8).tobytes())
            self._add_looks(small)
        reach = max(3 * max(self.scales), self.lookaround)
        upto = first + frames.shape[0] - (0 if final else reach)
        if upto > self.judged:
            self._confirm_cuts(frames, first, upto)
            self._find_gradual(frames, first, upto)
            self.judged = upto
        keep = 2 * reach + 1
        self.tail = frames[-keep:].copy()
        if final and self.look_count:
            self._close_look()

    def _add_looks(self, small: np.ndarray) -> None:
        grid = small.reshape(-1, 3, 6, 4, 8).mean(axis=(2, 4)).reshape(-1, 12)
        for row in grid:  # a few hundred rows a chunk: cheap next to the decode
            self.look_sum += row
            self.look_count += 1
            if self.look_count == self.per_window:
                self._close_look()

    def _close_look(self) -> None:
        self.looks.append(tuple(int(v) for v in np.rint(self.look_sum / self.look_count)))
        self.look_sum = np.zeros(12)
        self.look_count = 0

    def _confirm_cuts(self, frames: np.ndarray, first: int, upto: int) -> None:
        # A cut leaves nothing of the picture before it: no frame shortly after resembles any
        # frame shortly before. A car crossing the lens or a flash comes back; a cut does not.
        k = self.lookaround
        for index in range(self.judged, upto):
            if index == 0 or self.change[index] < CUT_FLOOR:
                continue
            c = index - first
            before = frames[max(0, c - k) : c].reshape(-1, 1, frames[0].size)
            after = frames[c : c + k].reshape(1, -1, frames[0].size)
            self.separation[index] = float(np.abs(before - after).mean(axis=2).min())

    def _find_gradual(self, frames: np.ndarray, first: int, upto: int) -> None:
        total = frames.shape[0]
        # Coarser still (16x9): fine texture sliding in a shot must not look like a change.
        flat = frames.reshape(total, HEIGHT // 4, 2, WIDTH // 4, 2).mean(axis=(2, 4))
        flat = flat.reshape(total, -1)
        for m in self.scales:
            centres = np.arange(max(3 * m, self.judged - first), min(upto - first, total - 3 * m))
            if centres.size == 0:
                continue
            a, b = flat[centres - m], flat[centres + m]
            change = np.abs(a - b).mean(axis=1)
            # Same-length spans either side: steady motion changes as much there as here.
            before = np.abs(flat[centres - 3 * m] - a).mean(axis=1)
            after = np.abs(b - flat[centres + 3 * m]).mean(axis=1)
            residual = np.zeros_like(change)
            for k in (m // 2, m, m + m // 2):
                alpha = k / (2 * m)
                blend = (1 - alpha) * a + alpha * b
                residual = np.maximum(residual, np.abs(flat[centres - m + k] - blend).mean(axis=1))
            hits = (
                (change >= GRADUAL_MIN_CHANGE)
                & (change >= GRADUAL_RATIO * np.maximum(before, after))
                & (residual <= GRADUAL_MAX_RESIDUAL * change)
            )
            for c, total_change in zip(centres[hits], change[hits], strict=True):
                if _separation(flat, c, m) >= CUT_SEPARATION * total_change:
                    self.gradual.append((first + int(c), m))


def _separation(flat: np.ndarray, c: int, m: int) -> float:
    """Smallest difference between a frame before the span around `c` and one after it.

    A dissolve leaves the old picture behind; a head turning away and back does not.
    """
    step = max(1, m // 4)
    before = flat[c - 3 * m : c - m + 1 : step][:, None, :]
    after = flat[c + m : c + 3 * m + 1 : step][None, :, :]
    return float(np.abs(before - after).mean(axis=2).min())


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
    scales = tuple(sorted({max(2, round(s * fps)) for s in GRADUAL_SCALES}))
    features = _Features(
        fps=fps,
        scales=scales,
        lookaround=max(2, round(CUT_LOOKAROUND * fps)),
        per_window=max(1, round(fps * WINDOW)),
    )
    frame_bytes = WIDTH * HEIGHT
    expected = max(1.0, probe.duration * fps)
    meter: _AudioMeter | None = None
    read_fd = write_fd = None
    if probe.has_audio:
        read_fd, write_fd = os.pipe()
    args = ffmpeg.analysis_args(
        path,
        demuxer=ffmpeg.demuxer_name(probe.format_name),
        width=WIDTH,
        height=HEIGHT,
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
                _read_frames(proc, features, frame_bytes, expected, progress)
                proc.wait()
                if meter is not None:
                    meter.join()
                    if meter.error is not None:
                        raise PipelineError("decode_failed", f"audio unreadable: {meter.error}")
        finally:
            for fd in (read_fd, write_fd):
                if fd is not None:
                    os.close(fd)
        _check_exit(proc, log, features.frames)
    if progress is not None:
        progress(1.0)
    duration = probe.duration
    windows = max(1, math.ceil(duration / WINDOW))
    levels = list(meter.levels) if meter is not None else []
    loudness = (levels + [SILENCE_DB] * windows)[:windows]
    return Analysis(
        duration=duration,
        fps=fps,
        frames=features.frames,
        transitions=_transitions(features),
        black=_black_spans(features.black, fps),
        window=WINDOW,
        motion=_motion(features.change, fps, windows),
        loudness=tuple(round(v, 2) for v in loudness),
        cues=cues,
        skipped_cues=skipped_cues,
        looks=tuple((features.looks + [(0,) * 12] * windows)[:windows]),
    )


def _fds(fd: int | None) -> tuple[int, ...]:
    return () if fd is None else (fd,)


def _read_frames(
    proc: ffmpeg.Supervised, features: _Features, frame_bytes: int, expected: float, progress
) -> None:
    chunk_bytes = frame_bytes * CHUNK_FRAMES
    buffer = bytearray()
    reported = 0.0
    while True:
        data = proc.stdout.read(chunk_bytes - len(buffer))
        if not data:
            break
        buffer += data
        if len(buffer) < chunk_bytes:
            continue
        features.add(np.frombuffer(bytes(buffer), np.uint8).reshape(-1, HEIGHT, WIDTH))
        buffer.clear()
        done = min(features.frames / expected, 0.99)
        if progress is not None and done - reported >= 0.02:
            progress(done)
            reported = done
    whole = len(buffer) - len(buffer) % frame_bytes
    rest = np.frombuffer(bytes(buffer[:whole]), np.uint8).reshape(-1, HEIGHT, WIDTH)
    features.add(rest, final=True)


def _check_exit(proc: ffmpeg.Supervised, log, frames: int) -> None:
    proc.raise_if_interrupted()
    if proc.returncode != 0 or frames == 0:
        log.seek(0)
        tail = log.read()[-2000:].decode("utf-8", "replace")
        raise PipelineError("decode_failed", f"the video could not be decoded: {tail}")


def _transitions(f: _Features) -> tuple[Transition, ...]:
    cuts = _hard_cuts(np.asarray(f.change, dtype=np.float32), f.separation)
    found = [Transition(i / f.fps, i / f.fps, "cut") for i in cuts]
    cut_frames = np.asarray(cuts, dtype=np.int64)
    for start, end in _gradual_spans(f.gradual):
        if cut_frames.size and np.any((cut_frames >= start - 1) & (cut_frames <= end + 1)):
            continue  # a cut inside the span explains the change better
        found.append(Transition(start / f.fps, end / f.fps, "gradual"))
    return tuple(sorted(found, key=lambda t: t.start))


def _hard_cuts(change: np.ndarray, separation: dict[int, float]) -> list[int]:
    n = change.size
    cuts: list[int] = []
    for i in sorted(separation):
        lo, hi = max(1, i - CUT_NEIGHBOURS), min(n, i + CUT_NEIGHBOURS + 1)
        around = np.concatenate([change[lo:i], change[i + 1 : hi]])
        baseline = float(np.median(around)) if around.size else 0.0
        if change[i] < CUT_RATIO * max(baseline, 1.0):
            continue  # the neighbours change as much: motion, not a cut
        if separation[i] < CUT_SEPARATION * change[i]:
            continue
        if cuts and i - cuts[-1] <= 2:
            continue
        cuts.append(i)
    return cuts


def _gradual_spans(hits: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge overlapping detections into (first frame, last frame) spans."""
    spans: list[tuple[int, int]] = []
    for centre, m in sorted(hits):
        start, end = centre - m, centre + m
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return spans


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
