"""Do the recap's clips start or end in the middle of speech when they need not?

The rule checked: a clip boundary never falls inside a cue when a point outside every cue (a
pause) lies within REACH seconds of it. A boundary inside a stretch of talk longer than that
on both sides is exempt: no cut there can avoid the speech.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

REACH = 1.5
EDGE = 0.02  # a boundary this close to a cue's edge is at the edge, not inside


def _talk(cues: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Cues merged into stretches of uninterrupted talk."""
    merged: list[tuple[float, float]] = []
    for start, end in sorted(cues):
        if merged and start <= merged[-1][1] + 1e-6:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def check(
    clips: Sequence[tuple[float, float]], cues: Iterable[tuple[float, float]]
) -> dict[str, int | list[float]]:
    """Counts of clip boundaries: all, inside speech, and inside speech although avoidable."""
    talk = _talk(cues)
    inside, avoidable = 0, []
    boundaries = [t for clip in clips for t in clip]
    for at in boundaries:
        stretch = next((s for s in talk if s[0] + EDGE < at < s[1] - EDGE), None)
        if stretch is None:
            continue
        inside += 1
        if min(at - stretch[0], stretch[1] - at) <= REACH:
            avoidable.append(round(at, 3))
    return {
        "boundaries": len(boundaries),
        "inside_speech": inside,
        "violations": len(avoidable),
        "at": avoidable,
    }
