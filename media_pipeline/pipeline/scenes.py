"""Stage 3: shots from the detected boundaries, grouped into scenes.

A scene is a run of shots that belong together: a shot that looks like one of the two before
it (shot / reverse shot), or one too short to stand alone, stays in the current scene.
"""

from __future__ import annotations

import itertools

from .types import Analysis, Scene, Shot

MIN_SHOT = 0.3  # seconds; shorter slivers between two boundaries are folded into a neighbour
SHORT_SHOT = 1.5  # a shot this short continues the current scene
LOOK_DISTANCE = 18.0  # mean luma difference (0-255) under which two shots look alike
MAX_SCENE = 90.0  # seconds; a longer run is split at its next boundary


def shots_from(analysis: Analysis) -> tuple[Shot, ...]:
    """Shots between consecutive boundaries; a gradual transition splits at its middle."""
    bounds = [0.0]
    for t in analysis.transitions:
        at = min(max(t.at, 0.0), analysis.duration)
        if at - bounds[-1] >= MIN_SHOT:
            bounds.append(at)
    if analysis.duration - bounds[-1] < MIN_SHOT and len(bounds) > 1:
        bounds.pop()
    bounds.append(analysis.duration)
    return tuple(Shot(a, b) for a, b in itertools.pairwise(bounds))


def _look(analysis: Analysis, shot: Shot) -> tuple[float, ...] | None:
    """Average look of the windows inside `shot` (the middle window when it is shorter)."""
    if not analysis.looks:
        return None
    first = int(shot.start // analysis.window)
    last = max(first + 1, int(shot.end // analysis.window))
    rows = analysis.looks[first:last] or analysis.looks[-1:]
    return tuple(sum(col) / len(rows) for col in zip(*rows, strict=True))


def _alike(a: tuple[float, ...] | None, b: tuple[float, ...] | None) -> bool:
    if a is None or b is None:
        return False
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(a) < LOOK_DISTANCE


def _black_between(analysis: Analysis, at: float) -> bool:
    return any(start - 0.5 <= at <= end + 0.5 for start, end in analysis.black)


def group_scenes(analysis: Analysis) -> tuple[Scene, ...]:
    """Group the shots of `analysis` into scenes, in time order, covering the whole movie."""
    shots = shots_from(analysis)
    looks = [_look(analysis, s) for s in shots]
    groups: list[list[int]] = [[0]]
    for i in range(1, len(shots)):
        current = groups[-1]
        length = shots[i - 1].end - shots[current[0]].start
        same = (
            shots[i].end - shots[i].start < SHORT_SHOT
            or _alike(looks[i], looks[i - 1])
            or (i >= 2 and (i - 2) in current and _alike(looks[i], looks[i - 2]))
        )
        joinable = length < MAX_SCENE and not _black_between(analysis, shots[i].start)
        if same and joinable:
            current.append(i)
        elif joinable and current == [i - 1] and len(groups) > 1 and _alike(looks[i], looks[i - 2]):
            # A, B, A: the lone B was the reverse shot of a conversation, not a new scene.
            groups.pop()
            groups[-1].extend([i - 1, i])
        else:
            groups.append([i])
    return tuple(
        Scene(
            index=n,
            start=shots[g[0]].start,
            end=shots[g[-1]].end,
            shots=tuple(shots[i] for i in g),
        )
        for n, g in enumerate(groups)
    )
