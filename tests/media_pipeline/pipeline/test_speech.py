"""Clip boundaries and speech: a boundary inside a cue moves (by 1.5 s at most) to a shot
boundary outside speech, else into the pause beside the talk; without cues, into a quiet
window."""

from __future__ import annotations

import pytest

from media_pipeline.pipeline.scenes import group_scenes
from media_pipeline.pipeline.select import select_clips
from media_pipeline.pipeline.speech import REACH, speech_of

from .media import analysis_of


def _inside(at: float, cues) -> bool:
    return any(a + 0.02 < at < b - 0.02 for a, b in cues)


def test_a_boundary_in_a_cue_moves_to_a_shot_boundary_outside_speech():
    cues = [(9.0, 11.0), (12.0, 14.0)]
    speech = speech_of(analysis_of(60.0, cues=cues), [5.0, 10.0, 11.5, 20.0])

    assert speech.settle(10.0, lo=0, hi=60) == 11.5
    assert speech.settle(20.0, lo=0, hi=60) == 20.0  # outside speech: left alone


def test_without_a_shot_boundary_near_it_moves_into_the_pause_beside_the_talk():
    cues = [(9.0, 11.0), (11.6, 13.0)]
    speech = speech_of(analysis_of(60.0, cues=cues), [10.5])

    moved = speech.settle(10.5, lo=0, hi=60)

    assert 11.0 < moved < 11.6
    assert abs(moved - 10.5) <= REACH


def test_deep_inside_a_long_speech_nothing_within_reach_helps_and_it_stays():
    speech = speech_of(analysis_of(60.0, cues=[(5.0, 15.0)]), [10.0])

    assert speech.settle(10.0, lo=0, hi=60) == 10.0


def test_without_cues_a_boundary_moves_into_a_quiet_window():
    levels = [-20.0] * 60
    levels[31] = -45.0  # a breath between two loud stretches
    speech = speech_of(analysis_of(60.0, loudness=levels), [30.2])

    assert 31.0 <= speech.settle(30.2, lo=0, hi=60) <= 32.0


def test_the_recap_cuts_no_clip_inside_speech_when_a_move_avoids_it():
    # Every shot boundary falls inside a line that runs across the cut, with a pause of half
    # a second before and after it: the rule always applies.
    cuts = [6.0 * k for k in range(1, 10)]
    cues = [(t - 1.0, t + 1.2) for t in cuts]
    analysis = analysis_of(60.0, cues=cues, cuts=cuts)

    selection = select_clips(analysis, group_scenes(analysis), target=12.0)

    assert selection.duration == pytest.approx(12.0, rel=0.05)
    for clip in selection.clips:
        assert not _inside(clip.start, cues) and not _inside(clip.end, cues)
