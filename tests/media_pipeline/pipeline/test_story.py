"""Spoiler control: the last act found on the story curve, and the movie cut before it."""

from __future__ import annotations

import pytest

from media_pipeline.pipeline.story import before, ending_cutoff
from media_pipeline.pipeline.types import Analysis, Cue, Scene, Shot


def _analysis(duration: int, *, climax: tuple[int, int] | None, cues=()) -> Analysis:
    """Calm loudness and motion, raised over the `climax` seconds."""

    def level(calm: float, high: float) -> tuple[float, ...]:
        inside = climax or (-1, -1)
        return tuple(high if inside[0] <= t < inside[1] else calm for t in range(duration))

    return Analysis(
        duration=float(duration), fps=25.0, frames=duration * 25, transitions=(), black=(),
        window=1.0, motion=level(3.0, 30.0), loudness=level(-35.0, -12.0), cues=tuple(cues),
        looks=tuple((120,) * 12 for _ in range(duration)),
    )  # fmt: skip


def _scenes(duration: int, every: int = 10) -> tuple[Scene, ...]:
    half = every / 2
    return tuple(
        Scene(i, t, min(t + every, duration), (Shot(t, t + half), Shot(t + half, t + every)))
        for i, t in enumerate(range(0, duration, every))
    )


def test_the_last_act_starts_where_the_final_climax_rises_on_a_shot_boundary():
    analysis = _analysis(600, climax=(470, 540))
    scenes = _scenes(600)

    cutoff = ending_cutoff(analysis, scenes)

    assert 400 <= cutoff <= 470
    assert cutoff in {shot.start for s in scenes for shot in s.shots}


@pytest.mark.parametrize("climax", [None, (560, 595), (100, 160)])
def test_the_cutoff_is_never_later_than_85_percent_of_the_running_time(climax):
    cutoff = ending_cutoff(_analysis(600, climax=climax), _scenes(600))

    assert 300 <= cutoff <= 0.85 * 600


def test_the_movie_before_the_cutoff_keeps_nothing_from_after_it():
    cues = [Cue(10, 12, "early"), Cue(299, 302, "across the cut"), Cue(400, 402, "late")]
    analysis = _analysis(600, climax=(470, 540), cues=cues)

    shown, scenes = before(analysis, _scenes(600, every=40), 300.0)

    assert shown.duration == 300.0 and len(shown.motion) == len(shown.loudness) == 300
    assert [c.text for c in shown.cues] == ["early"]
    assert scenes[-1].end == 300.0 and all(s.start < 300 for s in scenes)
    assert max(shot.end for s in scenes for shot in s.shots) == 300.0
