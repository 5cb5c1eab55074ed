"""Stage 4: score the scenes and pick the spans of the movie that make up the recap.

Clips start and end on shot boundaries, fill the target length within 5% (a multiple-choice
knapsack over runs of consecutive shots), cover the beginning, middle and end, and leave out
the opening and closing black and the end credits. A boundary that would cut into speech moves
by up to 1.5 s, to another shot boundary or into a pause (`speech`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from .speech import speech_of
from .types import Analysis, Clip, PipelineError, Scene, Selection

AUTO_SHARE = 0.10
AUTO_CAP = 180.0
AUTO_FLOOR = 6.0  # seconds: a short movie still gets a recap of a few shots
ALLOWED_TARGETS = (60, 180, 300, 600)
TOLERANCE = 0.05
MIN_CLIP = 1.5
# End credits: at least this long a run of dark windows at the end (text on black), moving
# no faster than a roll; a dark final scene with action moves more than that.
CREDITS_MIN = 3.0
CREDITS_BRIGHTNESS = 50.0
CREDITS_MOTION = 5.0
RUNS_PER_SCENE = 40  # at most 127: the knapsack stores its picks as int8
CLIP_PENALTY = 0.3  # value lost per clip, so a few longer clips beat many slivers
_WORD = re.compile(r"\w{3,}", re.UNICODE)


def target_length(duration: float, requested: str | int | None) -> float:
    """Seconds of recap: "auto" is 10% of the running time, at least AUTO_FLOOR seconds (or the
    whole of a shorter movie) and at most 3 minutes."""
    if requested is None or str(requested).strip().lower() in ("", "auto"):
        return min(max(duration * AUTO_SHARE, min(AUTO_FLOOR, duration)), AUTO_CAP)
    try:
        seconds = int(str(requested).strip())
    except ValueError:
        seconds = -1
    if seconds not in ALLOWED_TARGETS:
        raise PipelineError(
            "target_not_allowed", f"recap length {requested!r} is not offered", target=requested
        )
    return float(seconds)


def longer_than_movie(requested: str | int | None, duration: float | None) -> bool:
    """Whether a fixed recap length is as long as the movie or longer, so the recap could not
    be shorter than what it recaps; "auto" always fits, and an unknown running time (None or
    0) refuses nothing."""
    if not duration or requested is None:
        return False
    try:
        seconds = int(str(requested).strip())
    except ValueError:
        return False
    return seconds >= duration


def check_fits(requested: str | int | None, duration: float | None) -> None:
    """Refuse (`target_too_long`) a fixed recap length the movie is too short for."""
    if longer_than_movie(requested, duration):
        raise PipelineError(
            "target_too_long",
            f"a recap of {requested} s cannot be made of a movie of {duration:.1f} s",
            target=requested,
            duration=duration,
        )


def content_span(analysis: Analysis) -> tuple[float, float]:
    """The part of the movie worth recapping: no opening/closing black, no end credits."""
    start, end = 0.0, analysis.duration
    for b_start, b_end in analysis.black:
        if b_start <= 0.5:
            start = max(start, b_end)
        if b_end >= analysis.duration - 0.5:
            end = min(end, b_start)
    return start, _credits_start(analysis, start, end)


def _snap(at: float, bounds: list[float], reach: float) -> float:
    """The shot boundary nearest `at` when one lies within `reach`, else `at`."""
    near = min(bounds, key=lambda b: abs(b - at), default=at)
    return near if abs(near - at) <= reach else at


def _credits_start(analysis: Analysis, start: float, end: float) -> float:
    bright, motion, w = analysis.brightness, analysis.motion, analysis.window
    last = min(len(bright), len(motion), int(end / w)) - 1
    i = last
    while (
        i >= 0 and i * w > start and bright[i] < CREDITS_BRIGHTNESS and motion[i] < CREDITS_MOTION
    ):
        i -= 1
    credits = (last - i) * w
    if credits >= CREDITS_MIN and credits < 0.5 * (end - start):
        return max(start, (i + 1) * w)
    return end


def _windows(values: tuple[float, ...], window: float, a: float, b: float) -> list[float]:
    lo, hi = int(a // window), max(int(a // window) + 1, math.ceil(b / window))
    return list(values[lo:hi])


def _ranks(values: list[float]) -> list[float]:
    """Each value's rank among the others, 0 to 1 (ties share a rank)."""
    if len(values) < 2:
        return [1.0] * len(values)
    order = sorted(values)
    return [order.index(v) / (len(values) - 1) for v in values]


def score_scenes(analysis: Analysis, scenes: tuple[Scene, ...]) -> tuple[Scene, ...]:
    """Score each scene 0-1 from loudness, motion and how telling its dialogue is."""
    loud, moving, talk = [], [], []
    idf = _idf(analysis)
    for s in scenes:
        levels = _windows(analysis.loudness, analysis.window, s.start, s.end) or [-120.0]
        motion = _windows(analysis.motion, analysis.window, s.start, s.end) or [0.0]
        loud.append(sum(levels) / len(levels))
        moving.append(sum(motion) / len(motion))
        words = [
            idf.get(w, 0.0)
            for c in analysis.cues
            if c.end > s.start and c.start < s.end
            for w in _WORD.findall(c.text.lower())
        ]
        talk.append(sum(words) / max(s.duration, 1.0))
    weights = (0.35, 0.3, 0.35) if analysis.cues else (0.55, 0.45, 0.0)
    scores = [
        weights[0] * a + weights[1] * b + weights[2] * c
        for a, b, c in zip(_ranks(loud), _ranks(moving), _ranks(talk), strict=True)
    ]
    return tuple(replace(s, score=round(x, 4)) for s, x in zip(scenes, scores, strict=True))


def _idf(analysis: Analysis) -> dict[str, float]:
    docs = [set(_WORD.findall(c.text.lower())) for c in analysis.cues]
    counts = Counter(w for d in docs for w in d)
    return {w: math.log((1 + len(docs)) / (1 + n)) + 0.1 for w, n in counts.items()}


@dataclass(frozen=True, slots=True)
class _Run:
    scene: int
    start: float
    end: float
    value: float

    @property
    def duration(self) -> float:
        return self.end - self.start


def _runs(
    scene: Scene, lo: float, hi: float, longest: float, settle: Callable[[float], float]
) -> list[_Run]:
    """Runs of consecutive shots of `scene` inside [lo, hi], longest first per start shot;
    each end moved out of speech by `settle`."""
    # Whole shots only: a shot straddling the black or the credits is left out entirely.
    shots = [s for s in scene.shots if s.start >= lo - 1e-6 and s.end <= hi + 1e-6]
    runs: list[_Run] = []
    for i in range(len(shots)):
        start = settle(shots[i].start)
        for j in range(i, len(shots)):
            end = settle(shots[j].end)
            length = end - start
            if length > longest:
                break
            if length >= MIN_CLIP:
                value = (scene.score + 0.05) * length - CLIP_PENALTY
                runs.append(_Run(scene.index, start, end, value))
    runs.sort(key=lambda r: -r.value)
    return runs[:RUNS_PER_SCENE]


def _knapsack(groups: list[list[_Run]], low: float, high: float) -> list[_Run]:
    """Best runs, at most one per group, totalling between `low` and `high` seconds.

    When no combination lands in the range, the longest total under `high` wins. Memory stays
    flat in the number of groups: the table of best values is kept only every `block` groups,
    and the picks of one block at a time are recomputed from it while walking back.
    """
    step = max(0.02, high / 4000)
    cap = math.floor(high / step)
    if cap <= 0:
        return []
    weights = [[max(1, round(run.duration / step)) for run in runs] for runs in groups]
    block = max(8, math.isqrt(len(groups)))
    best = np.full(cap + 1, -np.inf)
    best[0] = 0.0
    checkpoints = []
    for first in range(0, len(groups), block):
        checkpoints.append(best)
        best = _knapsack_block(groups, weights, first, first + block, best, cap)[0]
    reachable = np.flatnonzero(np.isfinite(best))
    inside = reachable[reachable >= math.ceil(low / step)]
    c = int(inside[np.argmax(best[inside])]) if inside.size else int(reachable.max())
    chosen = []
    for number in reversed(range(len(checkpoints))):
        first = number * block
        picks = _knapsack_block(groups, weights, first, first + block, checkpoints[number], cap)
        for index in reversed(range(first, min(first + block, len(groups)))):
            k = int(picks[1][index - first][c])
            if k >= 0:
                chosen.append(groups[index][k])
                c -= weights[index][k]
    return chosen


def _knapsack_block(
    groups: list[list[_Run]],
    weights: list[list[int]],
    first: int,
    stop: int,
    best: np.ndarray,
    cap: int,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Advance the table of best values over groups[first:stop]; (new table, picks per group)
    where a pick is the run chosen at each total (-1 for none). Runs per group < 128."""
    picks = []
    for runs, sizes in zip(groups[first:stop], weights[first:stop], strict=True):
        new = best.copy()
        pick = np.full(cap + 1, -1, dtype=np.int8)
        for k, (run, w) in enumerate(zip(runs, sizes, strict=True)):
            if w > cap:
                continue
            cand = best[: cap + 1 - w] + run.value
            better = cand > new[w:]
            new[w:][better] = cand[better]
            pick[w:][better] = k
        picks.append(pick)
        best = new
    return best, picks


def _acts(runs: list[_Run], lo: float, hi: float) -> set[int]:
    third = (hi - lo) / 3
    return {min(2, int(((r.start + r.end) / 2 - lo) // third)) for r in runs}


def select_clips(analysis: Analysis, scenes: tuple[Scene, ...], *, target: float) -> Selection:
    """Choose the recap's clips from `scenes` (see the module docstring)."""
    scored = score_scenes(analysis, scenes)
    bounds = sorted({x for s in scenes for shot in s.shots for x in (shot.start, shot.end)})
    lo, hi = (_snap(t, bounds, analysis.window) for t in content_span(analysis))
    speech = speech_of(analysis, bounds)
    settled: dict[float, float] = {}

    def settle(at: float) -> float:
        if at not in settled:
            settled[at] = speech.settle(at, lo=lo, hi=hi)
        return settled[at]

    if hi - lo <= target * (1 + TOLERANCE):
        clips = [Clip(settle(lo), settle(hi))] if hi - lo >= MIN_CLIP else []
        return Selection(target=target, clips=_place(clips), scenes=scored)
    longest = max(MIN_CLIP, min(max(target * 0.4, 12.0), target, 60.0))
    groups = {
        s.index: _runs(s, lo, hi, longest, settle) for s in scored if s.end > lo and s.start < hi
    }
    groups = {k: v for k, v in groups.items() if v}
    # Aim a little inside ±5%: run lengths are rounded to the knapsack's step.
    low, high = target * (1 - 0.8 * TOLERANCE), target * (1 + 0.8 * TOLERANCE)
    chosen = _knapsack(list(groups.values()), low, high)
    if _acts(chosen, lo, hi) != {0, 1, 2}:
        # Beginning, middle and end each get their best short run, the rest is filled around
        # them; kept only if it still lands on the target.
        forced = []
        for act in {0, 1, 2} - _acts(chosen, lo, hi):
            pool = [
                r
                for runs in groups.values()
                for r in runs
                if _acts([r], lo, hi) == {act} and r.duration <= target / 3
            ]
            if pool:
                forced.append(max(pool, key=lambda r: r.value / r.duration))
        taken = {r.scene for r in forced}
        used = sum(r.duration for r in forced)
        rest = [runs for k, runs in groups.items() if k not in taken]
        covered = forced + _knapsack(rest, low - used, high - used)
        if low <= sum(r.duration for r in covered) <= high:
            chosen = covered
    clips = [Clip(r.start, r.end) for r in sorted(chosen, key=lambda r: r.start)]
    if not clips:
        busiest = _busiest_span(analysis, lo, hi, max(target, MIN_CLIP))
        clips = [Clip(settle(busiest.start), settle(busiest.end))]
    return Selection(target=target, clips=_place(_merge(clips)), scenes=scored)


def _busiest_span(analysis: Analysis, lo: float, hi: float, target: float) -> Clip:
    """For a movie of very long shots: the loudest, busiest `target` seconds, off boundaries.

    Only used when no run of whole shots fits the target; a recap is better than none.
    """
    w = analysis.window
    span = max(1, round(target / w))
    first, last = math.ceil(lo / w), max(math.ceil(lo / w), int(hi / w) - span)
    loud = np.asarray(analysis.loudness, dtype=float)
    busy = np.asarray(analysis.motion, dtype=float)
    best, best_value = first, -np.inf
    for i in range(first, last + 1):
        value = loud[i : i + span].mean() + 10 * busy[i : i + span].mean()
        if value > best_value:
            best, best_value = i, value
    return Clip(best * w, min(hi, (best + span) * w))


def _merge(clips: list[Clip]) -> list[Clip]:
    """Clips that touch or overlap (their ends moved out of speech) become one."""
    merged: list[Clip] = []
    for c in clips:
        if merged and c.start - merged[-1].end < 1e-6:
            merged[-1] = Clip(merged[-1].start, max(merged[-1].end, c.end))
        else:
            merged.append(c)
    return merged


def _place(clips: list[Clip]) -> tuple[Clip, ...]:
    """Give each clip its start time in the recap."""
    placed, t = [], 0.0
    for c in clips:
        placed.append(Clip(round(c.start, 3), round(c.end, 3), round(t, 3)))
        t += c.end - c.start
    return tuple(placed)
