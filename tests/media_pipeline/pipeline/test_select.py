"""Select: scored scenes, a recap of the target length cut on shot boundaries."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from media_pipeline.pipeline.scenes import group_scenes, shots_from
from media_pipeline.pipeline.select import (
    MIN_CLIP,
    _knapsack,
    _Run,
    check_fits,
    content_span,
    longer_than_movie,
    select_clips,
    target_length,
)
from media_pipeline.pipeline.types import Analysis, PipelineError

from .media import analysis_of


@pytest.mark.parametrize(
    ("duration", "requested", "expected"),
    [
        (600, "auto", 60),
        (600, None, 60),
        (7200, "auto", 180),
        (7200, 300, 300),
        (7200, "600", 600),
        (90, "60", 60),
        (30, "auto", 6),
        (12, "auto", 6),
        (4, "auto", 4),
    ],
)
def test_target_length_is_ten_percent_capped_or_one_of_the_offered_lengths(
    duration, requested, expected
):
    assert target_length(duration, requested) == expected


@pytest.mark.parametrize("requested", ["45", 61, "ten minutes", -60])
def test_other_target_lengths_are_refused(requested):
    with pytest.raises(PipelineError) as caught:
        target_length(3600, requested)
    assert caught.value.code == "target_not_allowed"


@pytest.mark.parametrize(
    ("requested", "duration", "too_long"),
    [
        ("60", 30.0, True),
        (60, 60.0, True),  # a recap as long as the movie is no recap
        ("600", 599.9, True),
        ("60", 60.5, False),
        ("auto", 4.0, False),
        (None, 4.0, False),
        ("600", None, False),  # running time unknown: nothing to judge by
        ("600", 0.0, False),
    ],
)
def test_a_fixed_length_must_be_shorter_than_the_movie(requested, duration, too_long):
    assert longer_than_movie(requested, duration) is too_long


def test_a_length_longer_than_the_movie_is_refused_with_its_code():
    with pytest.raises(PipelineError) as caught:
        check_fits("180", 45.0)
    assert caught.value.code == "target_too_long"
    assert caught.value.params == {"target": "180", "duration": 45.0}
    check_fits("auto", 45.0)


@pytest.fixture(scope="module")
def scenes(feature):
    return group_scenes(feature.analysis)


@pytest.mark.parametrize("target", [8.0, 12.0, 18.0])
def test_the_recap_fills_the_target_within_five_percent(feature, scenes, target):
    selection = select_clips(feature.analysis, scenes, target=target)
    assert selection.duration == pytest.approx(target, rel=0.05)


def test_clips_start_and_end_on_shot_boundaries(feature, scenes):
    bounds = {s.start for s in shots_from(feature.analysis)} | {
        s.end for s in shots_from(feature.analysis)
    }
    selection = select_clips(feature.analysis, scenes, target=12.0)
    for clip in selection.clips:
        assert min(abs(clip.start - b) for b in bounds) < 1e-3
        assert min(abs(clip.end - b) for b in bounds) < 1e-3


def test_clips_are_long_enough_chronological_and_placed_back_to_back(feature, scenes):
    selection = select_clips(feature.analysis, scenes, target=12.0)
    assert all(c.duration >= MIN_CLIP for c in selection.clips)
    assert all(a.end <= b.start for a, b in itertools.pairwise(selection.clips))
    recap_time = 0.0
    for clip in selection.clips:
        assert clip.recap_start == pytest.approx(recap_time, abs=1e-3)
        recap_time += clip.duration


def test_black_and_end_credits_are_left_out(feature, scenes):
    truth = feature.movie.truth
    start, end = content_span(feature.analysis)
    assert start == pytest.approx(truth.black[0][1], abs=0.1)
    assert end == pytest.approx(truth.credits[0], abs=1.0)
    for target in (8.0, 18.0, 40.0):
        for clip in select_clips(feature.analysis, scenes, target=target).clips:
            assert clip.start >= truth.black[0][1] - 0.1
            assert clip.end <= truth.credits[0] + 0.1


def test_the_recap_covers_beginning_middle_and_end(feature, scenes):
    start, end = content_span(feature.analysis)
    third = (end - start) / 3
    selection = select_clips(feature.analysis, scenes, target=12.0)
    acts = {int(((c.start + c.end) / 2 - start) // third) for c in selection.clips}
    assert acts == {0, 1, 2}


def test_a_movie_shorter_than_the_target_is_kept_whole_without_black_or_credits(feature, scenes):
    truth = feature.movie.truth
    selection = select_clips(feature.analysis, scenes, target=60.0)
    assert len(selection.clips) == 1
    assert selection.clips[0].start == pytest.approx(truth.black[0][1], abs=0.1)
    assert selection.clips[0].end == pytest.approx(truth.credits[0], abs=0.1)


def test_every_scene_comes_back_with_a_score(feature, scenes):
    selection = select_clips(feature.analysis, scenes, target=12.0)
    assert [s.index for s in selection.scenes] == [s.index for s in scenes]
    assert all(0.0 <= s.score <= 1.0 for s in selection.scenes)
    assert len({s.score for s in selection.scenes}) > 1


def test_a_movie_of_a_few_seconds_gets_a_recap_of_a_few_shots_not_a_sliver():
    analysis = analysis_of(
        12.0,
        cuts=(2.0, 4.0, 7.0, 9.0),
        motion=[1.0 + (i % 4) for i in range(12)],
        loudness=[-30.0 + 3 * (i % 5) for i in range(12)],
    )
    target = target_length(analysis.duration, "auto")

    selection = select_clips(analysis, group_scenes(analysis), target=target)

    assert target == 6.0
    assert selection.duration == pytest.approx(6.0, rel=0.05)
    assert len(selection.clips) >= 2
    assert all(c.duration >= MIN_CLIP for c in selection.clips)


def test_one_long_take_still_gets_a_recap_of_the_busiest_stretch():
    motion = (1.0,) * 300 + (5.0,) * 60 + (1.0,) * 240
    analysis = Analysis(
        duration=600,
        fps=25,
        frames=15000,
        transitions=(),
        black=(),
        window=1.0,
        motion=motion,
        loudness=(-30.0,) * 600,
        looks=((100,) * 12,) * 600,
    )
    selection = select_clips(analysis, group_scenes(analysis), target=60)
    assert [(c.start, c.end) for c in selection.clips] == [(300.0, 360.0)]


def test_the_knapsack_finds_the_best_combination_across_several_checkpoint_blocks():
    """Twelve groups span two blocks of the checkpointed table; brute force agrees."""
    rng = random.Random(7)
    groups = [
        [_Run(g, 0.0, rng.uniform(1.5, 9.0), rng.uniform(-0.5, 6.0)) for _ in range(2)]
        for g in range(12)
    ]
    low, high = 28.0, 30.0
    step = 0.02  # the knapsack's resolution for targets up to 80 s

    def units(runs):
        return sum(max(1, round(r.duration / step)) for r in runs)

    best_value, best_runs = -math.inf, None
    for choice in itertools.product([None, 0, 1], repeat=len(groups)):
        runs = [groups[g][k] for g, k in enumerate(choice) if k is not None]
        fits = math.ceil(low / step) <= units(runs) <= math.floor(high / step)
        if fits and sum(r.value for r in runs) > best_value:
            best_value, best_runs = sum(r.value for r in runs), runs
    assert best_runs
    chosen = _knapsack(groups, low, high)
    assert sorted(id(r) for r in chosen) == sorted(id(r) for r in best_runs)
