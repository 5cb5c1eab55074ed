"""Spoiler control: where a movie's last act begins, and the movie as if it stopped there.

The story curve is the movie's intensity over time (loudness, motion and how much is said);
the last act is the rise into the final climax and the resolution after it. The cut-off is the
quiet before that rise, and never later than 85% of the running time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from .select import content_span
from .types import Analysis, Scene, Shot

LATEST = 0.85  # the cut-off is never later than this share of the running time
EARLIEST = 0.5  # nor earlier than this: a recap of half the movie still tells its story
CLIMAX_FROM = 0.6  # the final climax is looked for after this share of the content
RISE_REACH = 0.25  # the rise into it starts at most this share of the content before it
WEIGHTS = (0.4, 0.4, 0.2)  # loudness, motion, dialogue


def _standard(values: np.ndarray) -> np.ndarray:
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 1e-9 else np.zeros_like(values)


def story_curve(analysis: Analysis) -> np.ndarray:
    """Intensity per analysis window: standardised loudness, motion and words per second,
    weighted and smoothed over about 4% of the movie."""
    n = min(len(analysis.loudness), len(analysis.motion))
    if n == 0:
        return np.zeros(0)
    loud = np.maximum(np.asarray(analysis.loudness[:n], dtype=np.float64), -70.0)
    motion = np.asarray(analysis.motion[:n], dtype=np.float64)
    words = np.zeros(n)
    for cue in analysis.cues:
        first, last = int(cue.start / analysis.window), int(cue.end / analysis.window)
        if first < n:
            span = np.arange(first, min(last, n - 1) + 1)
            words[span] += len(cue.text.split()) / span.size
    parts = (_standard(loud), _standard(motion), _standard(words))
    curve = sum(w * p for w, p in zip(WEIGHTS, parts, strict=True))
    width = max(3, round(n * 0.04))
    return np.convolve(curve, np.ones(width) / width, mode="same")


def ending_cutoff(analysis: Analysis, scenes: Sequence[Scene]) -> float:
    """Source time where the last act begins, on a shot boundary at or before it."""
    duration = analysis.duration
    latest = LATEST * duration
    curve = story_curve(analysis)
    w = analysis.window
    _, end = content_span(analysis)
    cut = latest
    first = int(CLIMAX_FROM * end / w)
    if curve.size and first < min(curve.size, int(end / w)):
        stop = min(curve.size, int(end / w))
        peak = first + int(np.argmax(curve[first:stop]))
        low = max(int(EARLIEST * duration / w), peak - int(RISE_REACH * end / w))
        if curve[peak] - float(np.median(curve)) > 0.25 and low < peak:
            # The quiet before the rise: the last window near the lowest point.
            rise = curve[low:peak]
            floor = float(rise.min())
            near = np.flatnonzero(rise <= floor + 0.05 * (curve[peak] - floor))
            cut = min(latest, (low + int(near[-1]) + 1) * w)
    bounds = [s.start for scene in scenes for s in scene.shots if 0 < s.start <= cut]
    snapped = max(bounds, default=cut)
    return round(snapped if snapped >= EARLIEST * duration else cut, 3)


def before(
    analysis: Analysis, scenes: Sequence[Scene], cutoff: float
) -> tuple[Analysis, tuple[Scene, ...]]:
    """The analysis and scenes of the movie up to `cutoff`, as if it ended there: later
    windows, cuts, black and cues (even one still running at the cut-off) are gone."""
    windows = max(1, math.ceil(cutoff / analysis.window))
    fps = analysis.fps if analysis.fps > 0 else 25.0
    trimmed = replace(
        analysis,
        duration=cutoff,
        frames=min(analysis.frames, round(cutoff * fps)),
        transitions=tuple(t for t in analysis.transitions if t.end < cutoff),
        black=tuple((a, min(b, cutoff)) for a, b in analysis.black if a < cutoff),
        motion=analysis.motion[:windows],
        loudness=analysis.loudness[:windows],
        looks=analysis.looks[:windows],
        cues=tuple(c for c in analysis.cues if c.end <= cutoff),
    )
    kept = []
    for scene in scenes:
        if scene.start >= cutoff:
            continue
        shots = tuple(Shot(s.start, min(s.end, cutoff)) for s in scene.shots if s.start < cutoff)
        kept.append(replace(scene, end=min(scene.end, cutoff), shots=shots))
    return trimmed, tuple(kept)
