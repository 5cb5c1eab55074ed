"""Where a clip of the recap may start or end without cutting into speech.

Speech is the subtitle cues; without cues, the audio level per window is the only signal, and
a window well below the level around it is a pause. A clip boundary inside speech moves by at
most REACH seconds: to a shot boundary outside speech if there is one, else into a pause.
"""

from __future__ import annotations

import bisect
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from .types import Analysis

REACH = 1.5  # seconds a boundary may move to leave speech alone
LEAD = 0.2  # seconds kept between a boundary moved into a pause and the speech beside it
EDGE = 0.02  # a boundary this close to a cue's edge is at the edge, not inside
QUIET_DROP = 10.0  # dB below the level around it that makes a window a pause
QUIET_AROUND = 5  # windows either side that set that level


@dataclass(frozen=True)
class Speech:
    talk: tuple[tuple[float, float], ...]  # stretches of uninterrupted talk, in time order
    pauses: tuple[tuple[float, float], ...]  # quiet windows outside the talk
    shot_bounds: tuple[float, ...]

    def talking_at(self, at: float) -> tuple[float, float] | None:
        """The stretch of talk `at` falls inside, if any."""
        i = bisect.bisect_right(self.talk, (at, float("inf"))) - 1
        if i >= 0 and self.talk[i][0] + EDGE < at < self.talk[i][1] - EDGE:
            return self.talk[i]
        return None

    def in_pause(self, at: float) -> bool:
        i = bisect.bisect_right(self.pauses, (at, float("inf"))) - 1
        return i >= 0 and self.pauses[i][0] <= at <= self.pauses[i][1]

    def settle(self, at: float, *, lo: float, hi: float) -> float:
        """`at`, or the nearest point within REACH (and within [lo, hi]) where no one is
        talking: a shot boundary first, a pause next."""
        stretch = self.talking_at(at)
        if stretch is None and (self.talk or not self.pauses or self.in_pause(at)):
            return at
        near = [
            b
            for b in self._bounds_near(at)
            if lo <= b <= hi and self.talking_at(b) is None and (self.talk or self.in_pause(b))
        ]
        if near:
            return min(near, key=lambda b: (abs(b - at), b))
        pauses = [p for p in self._pause_points(at, stretch) if lo <= p <= hi]
        return min(pauses, key=lambda p: (abs(p - at), p)) if pauses else at

    def _bounds_near(self, at: float) -> list[float]:
        i = bisect.bisect_left(self.shot_bounds, at - REACH)
        j = bisect.bisect_right(self.shot_bounds, at + REACH)
        return list(self.shot_bounds[i:j])

    def _pause_points(self, at: float, stretch: tuple[float, float] | None) -> list[float]:
        points = []
        if stretch is not None:  # just before the talk starts, or just after it ends
            start, end = stretch
            before, after = self._gap_before(start), self._gap_after(end)
            if before is not None:
                points.append(max(before, start - LEAD, at - REACH))
            if after is not None:
                points.append(min(after, end + LEAD, at + REACH))
        for a, b in self.pauses:
            if a - REACH <= at <= b + REACH:
                points.append(min(max(at, a), b))
        return [p for p in points if abs(p - at) <= REACH and self.talking_at(p) is None]

    def _gap_before(self, start: float) -> float | None:
        """Where the silence before the talk starting at `start` begins (None: no gap)."""
        i = bisect.bisect_left(self.talk, (start, start)) - 1
        previous_end = self.talk[i][1] if i >= 0 else 0.0
        return (previous_end + start) / 2 if start - previous_end > 2 * EDGE else None

    def _gap_after(self, end: float) -> float | None:
        i = bisect.bisect_right(self.talk, (end, float("inf")))
        next_start = self.talk[i][0] if i < len(self.talk) else end + 2 * REACH
        return (end + next_start) / 2 if next_start - end > 2 * EDGE else None


def _merge(spans: Sequence[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1e-6:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def quiet_windows(analysis: Analysis) -> tuple[tuple[float, float], ...]:
    """Windows whose level lies QUIET_DROP dB or more below the level of the windows around."""
    levels, w = analysis.loudness, analysis.window
    found = []
    for i, level in enumerate(levels):
        around = levels[max(0, i - QUIET_AROUND) : i] + levels[i + 1 : i + 1 + QUIET_AROUND]
        if around and level <= statistics.median(around) - QUIET_DROP:
            found.append((i * w, (i + 1) * w))
    return _merge(found)


def speech_of(analysis: Analysis, shot_bounds: Sequence[float]) -> Speech:
    """The talk (from the cues) and the pauses (from the audio) of `analysis`."""
    talk = _merge([(c.start, c.end) for c in analysis.cues if c.end > c.start])
    pauses = tuple(
        (a, b)
        for a, b in quiet_windows(analysis)
        if not any(s < b and a < e for s, e in talk)  # a quiet line is still talk
    )
    return Speech(talk=talk, pauses=pauses, shot_bounds=tuple(sorted(set(shot_bounds))))
