"""A second look at the cuts the analysis left in doubt: a few frames around each, decoded again
at a higher resolution, compared by their edges and their colours.

A flash, an explosion or a change of light leaves the edges of the scene where they were; a
cut replaces them. Only the doubtful cuts are decoded (well under a second of movie each), so
the whole-movie pass stays the only full decode.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from . import ffmpeg
from .types import PipelineError, ProbeResult

WIDTH = 256
BEFORE, AFTER = 6, 10  # frames decoded either side of the cut: a pass or flash fits in
BATCH = 8  # windows decoded by one ffmpeg run (each input holds a decoder open)
EDGE_SHARE = 0.07  # the strongest 7% of gradients count as edges
MIN_EDGES = 50  # fewer edge pixels than this: judge by colour alone
SAME_EDGES = 0.5  # edge agreement (above chance, 0-1) at which the scene is the same
SAME_COLOURS = 0.9  # histogram intersection at which flat pictures are the same


def _edges(picture: np.ndarray) -> np.ndarray:
    grey = picture.mean(axis=-1)
    gx = np.zeros_like(grey)
    gy = np.zeros_like(grey)
    gx[:, 1:-1] = grey[:, 2:] - grey[:, :-2]
    gy[1:-1] = grey[2:] - grey[:-2]
    magnitude = np.hypot(gx, gy)
    return magnitude >= max(float(np.quantile(magnitude, 1 - EDGE_SHARE)), 12.0)


def _grow(edges: np.ndarray) -> np.ndarray:
    """Edges widened by one pixel in every direction: small motion still lines them up."""
    out = edges.copy()
    out[1:] |= edges[:-1]
    out[:-1] |= edges[1:]
    wide = out.copy()
    wide[:, 1:] |= out[:, :-1]
    wide[:, :-1] |= out[:, 1:]
    return wide


def _colours(picture: np.ndarray) -> np.ndarray:
    q = picture.astype(np.int64) // 32
    index = (q[..., 0] * 64 + q[..., 1] * 8 + q[..., 2]).ravel()
    return np.bincount(index, minlength=512) / index.size


def edge_agreement(a: np.ndarray, b: np.ndarray) -> float | None:
    """How many edges of each picture lie on an edge of the other, above what chance gives
    (0: unrelated, 1: the same); None when both are too flat to tell, 0 when only one is."""
    ea, eb = _edges(a), _edges(b)
    flat_a, flat_b = ea.sum() < MIN_EDGES, eb.sum() < MIN_EDGES
    if flat_a or flat_b:
        return None if flat_a and flat_b else 0.0
    ga, gb = _grow(ea), _grow(eb)

    def above_chance(hits: float, cover: float) -> float:
        return (hits - cover) / max(1.0 - cover, 1e-6)

    return min(
        above_chance(float((eb & ga).sum() / eb.sum()), float(ga.mean())),
        above_chance(float((ea & gb).sum() / ea.sum()), float(gb.mean())),
    )


def same_scene(before: Iterable[np.ndarray], after: Iterable[np.ndarray]) -> bool:
    """Whether any picture after the doubtful cut still shows the scene of one before it."""
    before, after = list(before), list(after)
    colours = [_colours(p) for p in before], [_colours(p) for p in after]
    for i, a in enumerate(before):
        for j, b in enumerate(after):
            agreement = edge_agreement(a, b)
            if agreement is not None and agreement >= SAME_EDGES:
                return True
            if agreement is None and np.minimum(colours[0][i], colours[1][j]).sum() >= SAME_COLOURS:
                return True
    return False


def _windows(
    path: str,
    probe: ProbeResult,
    frames: list[int],
    size: tuple[int, int],
    stop: ffmpeg.StopSignal | None,
) -> list[np.ndarray]:
    """BEFORE + AFTER pictures around each of `frames`, from one ffmpeg run."""
    fps = probe.fps if probe.fps > 0 else 25.0
    count = BEFORE + AFTER
    # Half a frame early, so each seek lands on the first frame wanted, not the one after.
    starts = [(frame - BEFORE - 0.5) / fps for frame in frames]
    args = ffmpeg.frame_windows_args(
        path, demuxer=ffmpeg.demuxer_name(probe.format_name), starts=starts, frames=count,
        size=size,
    )  # fmt: skip
    raw = ffmpeg.run(args, timeout=120 + 30 * len(frames), stop=stop).stdout
    per = size[0] * size[1] * 3 * count
    if len(raw) != per * len(frames):
        raise PipelineError("decode_failed", "the windows around doubtful cuts came back short")
    pictures = np.frombuffer(raw, np.uint8).reshape(len(frames), count, size[1], size[0], 3)
    return list(pictures)


def rejected_cuts(
    path: str,
    probe: ProbeResult,
    frames: Iterable[int],
    *,
    stop: ffmpeg.StopSignal | None = None,
) -> frozenset[int]:
    """The doubtful cuts (frame numbers) that a closer look shows to be no cut at all; `stop`
    ends the look at once (Stopped)."""
    # Without an index a seek lands on the wrong frames: the doubt stays with the first pass.
    if ffmpeg.demuxer_name(probe.format_name) in ffmpeg.UNINDEXED_DEMUXERS or probe.width <= 0:
        return frozenset()
    height = max(2, round(WIDTH * probe.height / probe.width / 2) * 2)
    frames = list(frames)
    rejected = set()
    for first in range(0, len(frames), BATCH):
        batch = frames[first : first + BATCH]
        try:
            windows = _windows(path, probe, batch, (WIDTH, height), stop)
        except PipelineError:
            continue  # windows that will not decode prove nothing either way
        for frame, pictures in zip(batch, windows, strict=True):
            pictures = pictures.astype(np.float32)
            # Every frame before against every frame after: a flash or a pass in front of the
            # lens ends within the window, and the scene it hid is there again.
            if same_scene(pictures[:BEFORE], pictures[BEFORE:]):
                rejected.add(frame)
    return frozenset(rejected)
