"""Subtitle parsing, re-timing, WebVTT writing and embedded-stream extraction."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from media_pipeline.pipeline.subtitles import (
    extract_embedded,
    parse_subtitles,
    parse_subtitles_text,
    retime_cues,
    write_vtt,
)
from media_pipeline.pipeline.types import Clip, Cue, PipelineError, SubtitleStream

from .media import make_with_subtitles, probe_of

SRT = """1
00:00:01,000 --> 00:00:03,500
<i>Café</i> déjà vu,
naïve {\\an8}señor

2
00:00:04,000 --> 00:00:05,250
<font color="#ffff00">Second</font> line
"""

VTT = """WEBVTT Kind: captions

STYLE
::cue { color: yellow }

NOTE a comment block
that spans two lines

intro
00:01.000 --> 00:02.500 align:start position:10%
<v Roger Bingham>We are in New York City</v>

00:00:03.000 --> 00:00:04.000
<c.loud>Stop</c> &amp; <b>go</b> &lt;now&gt;
"""


def _write(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("utf-8", SRT.encode("utf-8")),
        ("utf-8-sig", SRT.encode("utf-8-sig")),
        ("utf-16-le", b"\xff\xfe" + SRT.encode("utf-16-le")),
        ("utf-16-be", b"\xfe\xff" + SRT.encode("utf-16-be")),
        ("cp1252", SRT.replace("\n", "\r\n").encode("cp1252")),
    ],
)
def test_srt_is_read_in_every_supported_encoding(tmp_path, encoding, data):
    parsed = parse_subtitles(_write(tmp_path, "movie.srt", data))

    assert parsed.encoding == encoding
    assert parsed.skipped == 0
    assert parsed.cues == (
        Cue(start=1.0, end=3.5, text="Café déjà vu,\nnaïve señor"),
        Cue(start=4.0, end=5.25, text="Second line"),
    )


def test_utf16_without_byte_order_mark_is_recognised(tmp_path):
    parsed = parse_subtitles(_write(tmp_path, "movie.srt", SRT.encode("utf-16-le")))

    assert parsed.encoding == "utf-16-le"
    assert parsed.cues[0].text.startswith("Café")


def test_cp1252_punctuation_and_accents_survive(tmp_path):
    text = "1\n00:00:01,000 --> 00:00:02,000\n\u201cOù est l\u2019été?\u201d \u2013 Zoë\n"
    parsed = parse_subtitles(_write(tmp_path, "fr.srt", text.encode("cp1252")))

    assert parsed.encoding == "cp1252"
    assert parsed.cues[0].text == "\u201cOù est l\u2019été?\u201d \u2013 Zoë"


def test_webvtt_header_blocks_voice_and_class_spans_are_dropped():
    parsed = parse_subtitles_text(VTT)

    assert parsed.cues == (
        Cue(start=1.0, end=2.5, text="We are in New York City"),
        Cue(start=3.0, end=4.0, text="Stop & go <now>"),
    )
    assert parsed.skipped == 0


def test_malformed_cues_are_skipped_and_counted():
    text = (
        "1\n00:00:01,000 --> 00:00:02,000\nGood one\n\n"
        "2\n00:00:03,000 -> 00:00:04,000\nArrow is wrong\n\n"
        "3\n00:00:05,000 --> 00:00:04,000\nEnds before it starts\n\n"
        "4\n00:00:06,000 --> 00:00:99,000\nSeconds out of range\n\n"
        "Just some words with no timing\n\n"
        "5\n00:00:07,000 --> 00:00:08,000\nGood two\n"
    )
    parsed = parse_subtitles_text(text)

    assert [c.text for c in parsed.cues] == ["Good one", "Good two"]
    assert parsed.skipped == 4


def test_binary_junk_is_refused_with_a_stable_code(tmp_path):
    junk = bytes(range(256)) * 40 + b"\x89PNG\r\n\x1a\n\x00\x00"

    with pytest.raises(PipelineError) as caught:
        parse_subtitles(_write(tmp_path, "junk.srt", junk))

    assert caught.value.code == "subtitles_unreadable"


def test_a_text_file_without_any_cue_is_refused(tmp_path):
    with pytest.raises(PipelineError) as caught:
        parse_subtitles(_write(tmp_path, "notes.srt", b"Shopping list\n\nmilk, eggs\n"))

    assert caught.value.code == "subtitles_unreadable"


def test_arabic_and_japanese_cues_round_trip_through_webvtt(tmp_path):
    cues = (
        Cue(start=1.0, end=2.0, text="مرحبا بكم في المدينة"),
        Cue(start=2.5, end=4.0, text="左に見えるのは…\n首刈り機"),
    )
    path = write_vtt(cues, str(tmp_path / "out.vtt"))

    parsed = parse_subtitles(path)

    assert parsed.cues == cues
    assert parsed.encoding == "utf-8"


def test_written_webvtt_escapes_text_so_it_cannot_open_a_tag(tmp_path):
    path = write_vtt([Cue(0.0, 1.0, "a <b> & c --> d")], str(tmp_path / "x.vtt"))

    content = Path(path).read_text(encoding="utf-8")

    assert content.startswith("WEBVTT\n")
    assert "a &lt;b&gt; &amp; c --&gt; d" in content
    assert parse_subtitles(path).cues[0].text == "a <b> & c --> d"


def test_retiming_maps_cues_into_the_recap_and_cuts_them_at_clip_edges():
    clips = (Clip(start=10.0, end=20.0), Clip(start=50.0, end=55.0))
    cues = (
        Cue(2.0, 4.0, "before everything: dropped"),
        Cue(9.0, 12.0, "crosses the first clip's start"),
        Cue(15.0, 16.0, "inside the first clip"),
        Cue(19.0, 51.0, "spans the gap between clips"),
        Cue(30.0, 31.0, "in the gap: dropped"),
        Cue(54.9, 58.0, "too little left inside: dropped"),
    )

    retimed = retime_cues(cues, clips)

    assert retimed == (
        Cue(0.0, 2.0, "crosses the first clip's start"),
        Cue(5.0, 6.0, "inside the first clip"),
        Cue(9.0, 10.0, "spans the gap between clips"),
        Cue(10.0, 11.0, "spans the gap between clips"),
    )


@pytest.mark.parametrize(("codec", "container"), [("mov_text", "mp4"), ("subrip", "mkv")])
def test_embedded_text_subtitles_are_extracted_to_webvtt(tmp_path, codec, container):
    srt = tmp_path / "in.srt"
    srt.write_text(
        "1\n00:00:01,000 --> 00:00:02,500\nHello there\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\nこんにちは\n",
        encoding="utf-8",
    )
    movie = make_with_subtitles(str(tmp_path / f"movie.{container}"), str(srt), codec)
    stream = SubtitleStream(index=1, codec=codec, language=None)
    probe = probe_of(movie, duration=6.0, subtitles=(stream,))

    out = extract_embedded(movie, probe, stream, str(tmp_path / "extracted.vtt"))

    assert os.path.getsize(out) > 0
    parsed = parse_subtitles(out)
    assert [(c.start, c.end, c.text) for c in parsed.cues] == [
        (1.0, 2.5, "Hello there"),
        (3.0, 4.0, "こんにちは"),
    ]


def test_image_subtitle_streams_are_not_extracted(tmp_path):
    stream = SubtitleStream(index=2, codec="hdmv_pgs_subtitle", language="en")
    probe = probe_of("movie.mkv", duration=6.0, subtitles=(stream,))

    with pytest.raises(PipelineError) as caught:
        extract_embedded("movie.mkv", probe, stream, str(tmp_path / "x.vtt"))

    assert caught.value.code == "subtitles_unsupported"
