"""Every stage that hands a file to ffmpeg reads exactly that file, whatever its name: a movie
called `concat:x|y.mp4` (a protocol) or `-evil.mp4` (an option) in the work folder is a movie."""

from __future__ import annotations

import os
import shutil

import pytest

from media_pipeline.pipeline.analyze import analyze
from media_pipeline.pipeline.probe import ProbeLimits, probe
from media_pipeline.pipeline.render import render_recap
from media_pipeline.pipeline.subtitles import extract_embedded, parse_subtitles
from media_pipeline.pipeline.types import Clip, Cue, Selection, Writeup
from media_pipeline.pipeline.verify import verify_recap

from .media import make_clip, make_with_subtitles

NAMES = ["concat:x|y.mp4", "-evil.mp4"]


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile-sources")
    srt = folder / "dialogue.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:02,500\nWho goes there?\n", encoding="utf-8")
    return {
        "movie": make_clip(str(folder / "movie.mp4"), duration=8.0),
        "subtitled": make_with_subtitles(str(folder / "subtitled.mkv"), str(srt), "srt"),
    }


@pytest.fixture
def work(tmp_path, monkeypatch):
    """The work folder is the current directory, so the hostile names are used as given."""
    monkeypatch.chdir(tmp_path)
    # Decoys: a name read as the concat protocol would open these instead.
    (tmp_path / "x").write_bytes(b"not a movie")
    (tmp_path / "y.mp4").write_bytes(b"not a movie")
    return tmp_path


@pytest.mark.parametrize("name", NAMES)
def test_probe_analyze_and_render_read_the_file_by_its_name(sources, work, name):
    shutil.copyfile(sources["movie"], work / name)

    probed = probe(name, limits=ProbeLimits())
    analysis = analyze(name, probed)
    outputs = render_recap(
        movie=name,
        probe=probed,
        selection=Selection(target=4.0, clips=(Clip(1.0, 3.0), Clip(5.0, 7.0))),
        cues=(),
        writeup=Writeup(language="en", synopsis="", chapters=()),
        out_dir="-out",
    )

    assert (probed.width, probed.height, probed.has_audio) == (320, 180, True)
    assert analysis.frames == pytest.approx(8.0 * 24, abs=2)
    assert os.path.abspath(outputs.video) == str(work / "-out" / "recap.mp4")
    assert verify_recap(outputs.video, expected_duration=4.0, expect_audio=True).ok
    assert (work / "-out" / "poster.jpg").stat().st_size > 0


@pytest.mark.parametrize("name", ["concat:x|y.mkv", "-evil.mkv"])
def test_embedded_subtitles_are_extracted_from_the_file_by_its_name(sources, work, name):
    shutil.copyfile(sources["subtitled"], work / name)
    probed = probe(name, limits=ProbeLimits())

    extracted = extract_embedded(name, probed, probed.subtitle_streams[0], "-dialogue.vtt")

    assert parse_subtitles(extracted).cues == (Cue(1.0, 2.5, "Who goes there?"),)
