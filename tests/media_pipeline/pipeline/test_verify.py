"""Verification before publish: a good recap passes, a cut, clobbered or silent one does not."""

from __future__ import annotations

import os
import random
import shutil

import pytest

from media_pipeline.pipeline.render import render_recap
from media_pipeline.pipeline.types import Clip, Selection, TransientPipelineError, Writeup
from media_pipeline.pipeline.verify import verify_recap

from .media import _ffmpeg, make_clip, probe_of

CLIPS = (Clip(1.0, 4.0), Clip(6.0, 9.5), Clip(11.0, 14.0))  # 9.5 s


@pytest.fixture(scope="module")
def recap(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("verify")
    movie = make_clip(str(folder / "movie.mp4"), duration=16.0)
    outputs = render_recap(
        movie=movie,
        probe=probe_of(movie, duration=16.0),
        selection=Selection(target=9.5, clips=CLIPS),
        cues=(),
        writeup=Writeup(language="en", synopsis="", chapters=()),
        out_dir=str(folder / "out"),
    )
    return outputs.video


def _copy(recap: str, folder, name: str) -> str:
    path = str(folder / name)
    shutil.copyfile(recap, path)
    return path


def test_a_good_recap_passes(recap):
    check = verify_recap(recap, expected_duration=9.5, expect_audio=True)

    assert check.ok, check
    assert check.frames == check.expected_frames == pytest.approx(9.5 * 24, abs=2)
    assert check.has_audio and check.errors == ()
    check.raise_if_broken()


def test_a_copy_cut_in_half_is_missing_frames(recap, tmp_path):
    path = _copy(recap, tmp_path, "cut.mp4")
    os.truncate(path, os.path.getsize(path) // 2)

    check = verify_recap(path, expected_duration=9.5, expect_audio=True)

    # The index at the front still promises every frame; half of them are not there.
    assert check.problem == "recap_frame_count"
    assert check.frames < check.expected_frames - 50


def test_bytes_overwritten_in_the_middle_are_decode_errors(recap, tmp_path):
    path = _copy(recap, tmp_path, "clobbered.mp4")
    with open(path, "r+b") as handle:
        handle.seek(os.path.getsize(path) // 2)
        # 4 KiB always spans a sample boundary, so NAL lengths are hit, not only payload that
        # the decoder may take for valid (as happens when two writers share one file).
        handle.write(random.Random(7).randbytes(4096))

    check = verify_recap(path, expected_duration=9.5, expect_audio=True)

    assert check.problem == "recap_decode_error"
    assert check.errors, "the decoder said nothing about the damage"
    with pytest.raises(TransientPipelineError) as caught:
        check.raise_if_broken()
    assert caught.value.code == "recap_corrupt"
    assert caught.value.params["problem"] == check.problem


def test_a_video_without_sound_fails_when_sound_was_expected(recap, tmp_path):
    silent = str(tmp_path / "silent.mp4")
    _ffmpeg("-i", recap, "-map", "0:v", "-c", "copy", silent)

    assert verify_recap(silent, expected_duration=9.5, expect_audio=True).problem == (
        "recap_no_audio"
    )
    assert verify_recap(silent, expected_duration=9.5, expect_audio=False).ok


def test_a_recap_of_the_wrong_length_fails(recap):
    assert verify_recap(recap, expected_duration=12.0, expect_audio=True).problem == (
        "recap_duration"
    )
    # Within max(0.5 s, 2 %): a rounding difference is no reason to throw a render away.
    assert verify_recap(recap, expected_duration=9.9, expect_audio=True).ok


@pytest.mark.parametrize("content", [b"", b"WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n"])
def test_something_that_is_not_a_video_is_unreadable(tmp_path, content):
    path = tmp_path / "recap.mp4"
    path.write_bytes(content)

    check = verify_recap(str(path), expected_duration=9.5, expect_audio=True)

    assert check.problem == "recap_unreadable"
