"""Shot boundaries from the analysis decode, frame by frame, with memory flat in the movie's length.

Each frame arrives as two tiny pictures (see `frame_features`). A cut is a change that is
large, spread over the picture, well above the local motion, and does not return: a flash or
something crossing the lens gives the old picture back within a few frames. Fades are dips to
black or white reached through a ramp of the same picture; dissolves are blends between two
states that each differ from the shot around them, so a steadily evolving shot is never one.
Cuts the frames leave in doubt are listed for `verify_cuts` to look at more closely.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .frame_features import FrameWindow, features
from .types import Transition

# Cuts: a distance (8-bit levels) above the floor and CUT_RATIO times the local motion.
CUT_FLOOR = 12.0
CUT_RATIO = 2.5
CUT_SPREAD = 0.6  # share of the picture's cells that must change
MOTION_SPAN = 0.25  # seconds either side measuring the local motion
CROSS_FRAMES = 3  # frames either side compared for the smallest change across a cut
EVENT_MAX = 0.25  # seconds: a flash or a pass in front of the lens no longer than this
MIN_SHOT = 0.25  # seconds between two cuts
SURE_CHANGE, SURE_RATIO, SURE_SPREAD = 30.0, 5.0, 0.85  # below any: verify the cut
# Dissolves: half-spans in seconds; change between the ends, its ratio to the change over the
# same time before and after (pixels or colour histogram), and how well blends fit between.
DISSOLVE_SCALES = (0.2, 0.4, 0.7, 1.0)
DISSOLVE_MIN_CHANGE = 14.0
DISSOLVE_RATIO = 3.0
DISSOLVE_HIST_MIN, DISSOLVE_HIST_RATIO = 0.25, 2.5
DISSOLVE_RESIDUAL = 0.35
DISSOLVE_SPREAD = 0.4
DISSOLVE_SEPARATION = 0.5
DISSOLVE_SPAN_MAX = 2.0  # seconds over which one transition's detections may spread
NEAR = 0.5  # seconds: a cut this close to a gradual transition is the same boundary
# Fades: a blank frame (flat and near black or white), reached through ramps of the same
# picture getting flatter; a dip of at most FADE_DIP seconds between two shots is a boundary.
RAMP_STEP, RAMP_JUMP, RAMP_SAME, RAMP_MAX, FADE_RAMP_MIN = 0.3, 0.6, 8.0, 2.0, 0.12
FADE_DIP = 1.0


@dataclass
class _Group:
    """Overlapping dissolve detections: kept as their extent and strongest member only."""

    end: int
    low: int
    high: int
    best: tuple[float, int, int]  # strength, centre, half-span


class ShotDetector:
    """Feed chunks of raw frames with `add`; `cuts`, `unsure` and `gradual` hold the results."""

    def __init__(self, fps: float) -> None:
        self.fps = fps
        self.motion = max(2, round(MOTION_SPAN * fps))
        self.event_max = max(2, round(EVENT_MAX * fps))
        self.min_shot = max(2, round(MIN_SHOT * fps))
        self.scales = tuple(sorted({max(2, round(s * fps)) for s in DISSOLVE_SCALES}))
        self.ramp_max = max(4, round(RAMP_MAX * fps))
        # Frames needed after a cut candidate, and after a dissolve centre (which waits for
        # the cuts and flashes around it).
        self.reach = max(3 * self.scales[-1], self.ramp_max + round(FADE_DIP * fps), 32)
        self.tail = FrameWindow()
        self.cut_judged = 1
        self.dissolve_judged = 0
        self.cuts: list[int] = []
        self.unsure: list[int] = []
        self.gradual: list[tuple[int, int]] = []  # first, last frame
        self.fades: list[tuple[int, int]] = []
        self.group: _Group | None = None

    # --- streaming ---

    def add(self, chunk: np.ndarray, *, final: bool = False) -> dict[str, np.ndarray]:
        """Take `chunk` (frames x FRAME_BYTES, uint8), judge every frame it makes decidable,
        and return the chunk's features (see `frame_features.features`)."""
        parts: dict[str, np.ndarray] = {}
        if chunk.shape[0]:
            parts = features(chunk)
            n = chunk.shape[0]
            parts["d"] = np.zeros(n, np.float32)
            parts["event"] = np.zeros(n, bool)
            start = self.tail.end
            self.tail.extend(parts)
            lo = max(start, 1)
            frames = np.arange(lo, self.tail.end)
            if frames.size:
                self.tail.d[frames - self.tail.first] = self.tail.distance(frames, frames - 1)
        end = self.tail.end
        cut_upto = end if final else end - self.reach
        self._judge_frames(self.cut_judged, max(self.cut_judged, cut_upto))
        self.cut_judged = max(self.cut_judged, cut_upto)
        dissolve_upto = end if final else self.cut_judged - self.reach
        if dissolve_upto > self.dissolve_judged:
            self._find_dissolves(self.dissolve_judged, dissolve_upto, final)
            self.dissolve_judged = dissolve_upto
        if final and self.group is not None:
            self._close_group()
        self.tail.drop_before(min(self.cut_judged, self.dissolve_judged) - 2 * self.reach)
        return parts

    def _judge_frames(self, lo: int, hi: int) -> None:
        """Fades from the blank runs starting in [lo, hi), cuts from the big changes there."""
        t = self.tail
        i, j = lo - t.first, hi - t.first
        starts = t.blank[i:j] & ~t.blank[i - 1 : j - 1]
        changes = t.d[i:j] >= CUT_FLOOR
        for k in np.flatnonzero(starts | changes):
            frame = lo + int(k)
            if starts[k]:
                self._fade_from(frame)
            if changes[k]:
                self._judge_cut(frame)

    # --- cuts ---

    def _motion_level(self, frame: int, last: int) -> tuple[float, float]:
        t, i = self.tail, frame - self.tail.first
        lo = max(last + 1, frame - self.motion + 1, t.first + 1) - t.first
        hi = min(frame + self.motion, t.end) - t.first
        before = float(np.median(t.d[lo:i])) if lo < i else 0.0
        after = float(np.median(t.d[i + 1 : hi])) if i + 1 < hi else 0.0
        return before, after

    def _judge_cut(self, frame: int) -> None:
        t = self.tail
        last = self.cuts[-1] if self.cuts else 0
        if frame - last < self.min_shot or self._in_fade(frame):
            return
        change = float(t.d[frame - t.first])
        before, after = self._motion_level(frame, last)
        base = max(min(before, after), 2.0)
        if change < CUT_RATIO * base:
            return
        spread = self.tail.spread(frame - 1, frame)
        if spread < CUT_SPREAD:
            return
        a = np.arange(max(last, frame - CROSS_FRAMES, t.first), frame)
        b = np.arange(frame, min(t.end, frame + CROSS_FRAMES))
        cross = float(self.tail.distance(a[:, None], b[None, :]).min())
        if cross < CUT_FLOOR or cross < CUT_RATIO * base or self._bridged(frame, change):
            return
        if self._short_dissolve(last, frame):
            return
        self.cuts.append(frame)
        ratio = cross / base
        # A cut to or from a blank frame needs no second look: a flash would have come back.
        blank = t.blank[frame - t.first] or t.blank[frame - 1 - t.first]
        if not blank and (cross < SURE_CHANGE or ratio < SURE_RATIO or spread < SURE_SPREAD):
            self.unsure.append(frame)

    def _bridged(self, frame: int, change: float) -> bool:
        """Whether the change at `frame` starts or ends a short event the picture comes back
        from: the frames either side of it are no further apart than motion explains."""
        t = self.tail
        for e in range(1, self.event_max + 1):
            if frame + 2 * e + 1 >= t.end or frame - 2 * e - 2 < t.first:
                break
            ref = min(
                self.tail.distance(frame - 2 - e, frame - 1),
                self.tail.distance(frame + e, frame + 2 * e + 1),
            )
            gap = float(self.tail.distance(frame - 1, frame + e))
            if gap <= max(CUT_FLOOR / 2, 1.3 * ref) and gap <= change / 2:
                t.event[frame - t.first : frame - t.first + e] = True
                return True
            ref = min(
                self.tail.distance(frame - 2 * e - 2, frame - 1 - e),
                self.tail.distance(frame, frame + e + 1),
            )
            gap = float(self.tail.distance(frame - 1 - e, frame))
            if gap <= max(CUT_FLOOR / 2, 1.3 * ref) and gap <= change / 2:
                t.event[frame - e - t.first : frame - t.first] = True
                return True
        return False

    def _short_dissolve(self, last: int, frame: int) -> bool:
        """A cut right after the previous one, with blends of both sides between them, makes
        the pair one short dissolve: the previous cut becomes a gradual transition."""
        if not self.cuts or frame - last > round(NEAR * self.fps) or last - 1 < self.tail.first:
            return False
        t = self.tail
        first, after = t.G[last - 1 - t.first], t.G[frame - t.first]
        step = after - first
        size = float((step * step).sum())
        if size <= 0:
            return False
        worst = 0.0
        for j in range(last, frame):
            g = t.G[j - t.first]
            alpha = min(1.0, max(0.0, float(((g - first) * step).sum()) / size))
            worst = max(worst, float(np.abs(g - (first + alpha * step)).mean()))
        if worst > DISSOLVE_RESIDUAL * float(np.abs(step).mean()):
            return False
        self.cuts.pop()
        if last in self.unsure:
            self.unsure.remove(last)
        self.gradual.append((last - 1, frame))
        return True

    # --- fades ---

    def _ramp(self, blank: int, step: int) -> int:
        """How many frames beside the blank frame `blank` (going `step`) fade towards it: the
        same picture, less and less flat away from it, without a jump. Contrast is that of the
        point samples, which a fine pattern keeps where averaging loses it."""
        t, count, j = self.tail, 0, blank
        ends = sorted((blank - t.first, blank + step * self.ramp_max - t.first))
        settled = float(t.psd[max(0, ends[0]) : ends[1] + 1].max())
        while count < self.ramp_max and t.first <= j + step < t.end:
            i, k = j - t.first, j + step - t.first
            rise = t.psd[k] - t.psd[i]
            # A hard cut to or from the blank reaches the shot's contrast in one step.
            if t.blank[k] or not max(RAMP_STEP, 0.02 * settled) < rise <= RAMP_JUMP * settled:
                break
            if (
                min(t.sd[i], t.sd[k]) >= RAMP_SAME
                and self.tail.shape_distance(j, j + step) > RAMP_SAME
            ):
                break
            count += 1
            j += step
        return count

    def _in_fade(self, frame: int) -> bool:
        """Whether the change from `frame - 1` to `frame` is part of a ramp to or from a blank."""
        t = self.tail
        lo, hi = max(t.first, frame - self.ramp_max), min(t.end, frame + self.ramp_max + 1)
        blanks = np.flatnonzero(t.blank[lo - t.first : hi - t.first]) + lo
        later, earlier = blanks[blanks >= frame], blanks[blanks < frame]
        if later.size and later[0] - frame + 1 <= self._ramp(int(later[0]), -1):
            return True
        return bool(earlier.size and frame - earlier[-1] <= self._ramp(int(earlier[-1]), 1))

    def _fade_from(self, start: int) -> None:
        """A blank run begins at `start`: a dip between two shots is one gradual boundary."""
        t = self.tail
        end = start
        while end + 1 < t.end and t.blank[end + 1 - t.first]:
            end += 1
        if start == 0 or end + 1 >= t.end or end - start + 1 > FADE_DIP * self.fps:
            return
        down, up = self._ramp(start, -1), self._ramp(end, 1)
        # A fade takes a few frames on at least one side; a flash or a dark pass does not.
        if max(down, up) >= max(3, round(FADE_RAMP_MIN * self.fps)) and start - down > 1:
            self.fades.append((start - 1 - down, end + 1 + up))

    # --- dissolves ---

    def _find_dissolves(self, lo: int, hi: int, final: bool) -> None:
        t, hits = self.tail, []
        events = np.concatenate([[0], np.cumsum(t.event)])
        near = round(NEAR * self.fps)
        sure = np.array(sorted(set(self.cuts) - set(self.unsure)), dtype=np.int64)
        for m in self.scales:
            c = np.arange(max(lo, t.first + 3 * m), min(hi, t.end - 3 * m))
            # A sure cut nearby explains the change better (see `transitions`).
            if sure.size and c.size:
                at = np.searchsorted(sure, c - m - near)
                c = c[(at >= sure.size) | (sure[np.minimum(at, sure.size - 1)] > c + m + near)]
            if not c.size:
                continue
            a, b = c - m, c + m
            change = t.coarse_distance(a, b)
            before, after = t.coarse_distance(c - 3 * m, a), t.coarse_distance(b, c + 3 * m)
            hist = t.hist_distance(a, b)
            around = np.maximum(t.hist_distance(c - 3 * m, a), t.hist_distance(b, c + 3 * m))
            around = np.maximum(around, 0.01)
            pixels = change >= DISSOLVE_RATIO * np.maximum(before, after)
            # Colours alone when the pixels of one side move fast (a pan): the other side
            # must still be steadier than the change.
            colours = (hist >= DISSOLVE_HIST_MIN) & (hist >= DISSOLVE_HIST_RATIO * around)
            colours &= change >= DISSOLVE_HIST_RATIO * np.minimum(before, after)
            ok = (pixels & (change >= DISSOLVE_MIN_CHANGE)) | (
                colours & (change >= DISSOLVE_MIN_CHANGE / 2)
            )
            # A flash or a pass in front of the lens says nothing about a dissolve.
            ok &= events[c + 3 * m + 1 - t.first] == events[c - 3 * m - t.first]
            keep = np.flatnonzero(ok)  # the costlier tests on the few left
            if not keep.size:
                continue
            c, a, b, change = c[keep], a[keep], b[keep], change[keep]
            ga, gb = t.G[a - t.first], t.G[b - t.first]
            residual = np.zeros_like(change)
            for k in (m // 2, m, m + m // 2):
                blend = ga + (k / (2 * m)) * (gb - ga)
                residual = np.maximum(
                    residual, np.abs(t.G[c - m + k - t.first] - blend).mean(axis=1)
                )
            # A title fading in over a shot changes a few cells of the picture, a dissolve most
            # of them, or else all of its colours: a histogram that changes five times more
            # than around it, from one steady state to another.
            spread = (np.abs(ga - gb) >= 0.5 * change[:, None]).mean(axis=1)
            recoloured = (hist[keep] >= 2 * DISSOLVE_HIST_MIN) & (
                hist[keep] >= 2 * DISSOLVE_HIST_RATIO * around[keep]
            )
            wide = (spread >= DISSOLVE_SPREAD) | recoloured
            good = (residual <= DISSOLVE_RESIDUAL * change) & wide
            strength = np.maximum(
                change / np.maximum(np.maximum(before[keep], after[keep]), 0.5),
                hist[keep] / around[keep],
            )
            for centre, ch, hd, st in zip(
                c[good], change[good], hist[keep][good], strength[good], strict=True
            ):
                if self._separated(int(centre), m, float(ch), float(hd)):
                    hits.append((int(centre) - m, int(centre), m, float(st)))
        for start, centre, m, strength in sorted(hits):
            self._add_hit(start, centre, m, strength)
        if not final and self.group is not None and self.group.end < hi - 3 * self.scales[-1]:
            self._close_group()

    def _separated(self, c: int, m: int, change: float, hist: float) -> bool:
        """A dissolve leaves the old picture behind: nothing before it comes back after it."""
        step = max(1, m // 4)
        before = np.arange(c - 3 * m, c - m + 1, step)[:, None]
        after = np.arange(c + m, c + 3 * m + 1, step)[None, :]
        if float(self.tail.coarse_distance(before, after).min()) >= DISSOLVE_SEPARATION * change:
            return True
        return float(self.tail.hist_distance(before, after).min()) >= DISSOLVE_SEPARATION * hist

    def _add_hit(self, start: int, centre: int, m: int, strength: float) -> None:
        g = self.group
        if g is not None and start <= g.end:
            g.end, g.low, g.high = max(g.end, centre + m), min(g.low, centre), max(g.high, centre)
            g.best = max(g.best, (strength, centre, m))
            return
        if g is not None:
            self._close_group()
        self.group = _Group(centre + m, centre, centre, (strength, centre, m))

    def _close_group(self) -> None:
        g, self.group = self.group, None
        # Detections spread over seconds belong to a shot that keeps evolving, not to a blend.
        if g is not None and g.high - g.low <= DISSOLVE_SPAN_MAX * self.fps:
            _, centre, m = g.best
            self.gradual.append((centre - m, centre + m))

    # --- result ---

    def transitions(self, rejected: frozenset[int] = frozenset()) -> tuple[Transition, ...]:
        """Every boundary in time order; `rejected` cuts (the verification's) are left out."""
        cuts = [c for c in self.cuts if c not in rejected]
        near = round(NEAR * self.fps)
        fades = sorted(self.fades)
        spans: list[tuple[int, int]] = []
        for a, b in sorted(self.gradual):
            if any(a - near <= c <= b + near for c in cuts) or any(
                a <= fb and fa <= b for fa, fb in fades
            ):
                continue
            if spans and a <= spans[-1][1]:  # found twice (a dissolve and a pair of cuts)
                spans[-1] = (spans[-1][0], max(spans[-1][1], b))
            else:
                spans.append((a, b))
        cuts = [c for c in cuts if not any(a - 1 <= c <= b + 1 for a, b in fades)]
        found = [Transition(c / self.fps, c / self.fps, "cut") for c in cuts]
        found += [Transition(a / self.fps, b / self.fps, "gradual") for a, b in spans + fades]
        return tuple(sorted(found, key=lambda x: x.start))
