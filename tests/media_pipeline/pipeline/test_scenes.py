"""Scenes: shots between boundaries, grouped when they belong together."""

from __future__ import annotations

import itertools

from media_pipeline.pipeline.scenes import group_scenes, shots_from
from media_pipeline.pipeline.types import Analysis, Transition

from .media import analysis_of


def _analysis(duration: float, cuts: list[float], looks=None, black=()) -> Analysis:
    windows = int(duration)
    return analysis_of(
        duration,
        cuts=cuts,
        motion=[1.0] * windows,
        loudness=[-20.0] * windows,
        looks=looks if looks is not None else [(100,) * 12] * windows,
        black=black,
    )


def _looks(*spans: tuple[int, int]) -> list[tuple[int, ...]]:
    """Windows of a flat grey `level` for `count` seconds, for each (count, level)."""
    return [(level,) * 12 for count, level in spans for _ in range(count)]


def test_shots_tile_the_movie_between_boundaries(feature):
    shots = shots_from(feature.analysis)
    assert shots[0].start == 0 and shots[-1].end == feature.analysis.duration
    assert all(a.end == b.start for a, b in itertools.pairwise(shots))
    assert len(shots) == len(feature.analysis.transitions) + 1


def test_a_gradual_transition_splits_shots_at_its_middle():
    analysis = _analysis(10, [])
    analysis = Analysis(**{**analysis.__dict__, "transitions": (Transition(4.0, 5.0, "gradual"),)})
    assert [(s.start, s.end) for s in shots_from(analysis)] == [(0.0, 4.5), (4.5, 10.0)]


def test_scenes_cover_every_shot_once_in_order(feature):
    scenes = group_scenes(feature.analysis)
    shots = [s for scene in scenes for s in scene.shots]
    assert tuple(shots) == shots_from(feature.analysis)
    assert all(scene.start == scene.shots[0].start for scene in scenes)
    assert all(scene.end == scene.shots[-1].end for scene in scenes)
    assert [s.index for s in scenes] == list(range(len(scenes)))


def test_shots_that_look_different_start_new_scenes():
    analysis = _analysis(30, [10, 20], looks=_looks((10, 30), (10, 200), (10, 90)))
    assert [(s.start, s.end) for s in group_scenes(analysis)] == [(0, 10), (10, 20), (20, 30)]


def test_shot_reverse_shot_stays_one_scene():
    looks = _looks((5, 40), (5, 200), (5, 40), (5, 200), (10, 120))
    analysis = _analysis(30, [5, 10, 15, 20], looks=looks)
    scenes = group_scenes(analysis)
    assert [(s.start, s.end, len(s.shots)) for s in scenes] == [(0, 20, 4), (20, 30, 1)]


def test_a_very_short_shot_joins_the_current_scene():
    analysis = _analysis(20, [10, 11], looks=_looks((10, 30), (1, 220), (9, 30)))
    scenes = group_scenes(analysis)
    assert [(s.start, s.end) for s in scenes] == [(0, 20)]


def test_black_between_shots_always_separates_scenes():
    analysis = _analysis(20, [8, 10], looks=_looks((20, 100)), black=[(8.0, 10.0)])
    assert len(group_scenes(analysis)) == 3
