"""Probe: describe accepted movies, refuse everything else by content with a stable code."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.synth import write_srt
from media_pipeline.pipeline import ffmpeg
from media_pipeline.pipeline.probe import ProbeLimits, probe
from media_pipeline.pipeline.types import Cue, PipelineError

LIMITS = ProbeLimits()


def _encode(path, *args: str) -> str:
    ffmpeg.run([*args, str(path)], timeout=60)
    return str(path)


def _refusal(path, limits: ProbeLimits = LIMITS) -> str:
    with pytest.raises(PipelineError) as caught:
        probe(str(path), limits=limits)
    return caught.value.code


def test_probe_describes_a_movie_with_sound(feature_movie):
    result = probe(feature_movie.path, limits=LIMITS)
    assert result.format_name.startswith("mov,mp4")
    assert result.duration == pytest.approx(45, abs=0.1)
    assert (result.width, result.height) == (320, 180)
    assert result.fps == pytest.approx(25)
    assert result.video_codec == "h264"
    assert result.has_audio and result.audio_codec == "aac"


def test_probe_lists_embedded_text_subtitles_with_their_language(feature_movie, tmp_path):
    srt = write_srt([Cue(0.5, 2.0, "Bonjour"), Cue(3.0, 4.0, "Au revoir")], tmp_path / "fr.srt")
    movie = _encode(
        tmp_path / "with_subs.mkv",
        "-i", ffmpeg.input_url(feature_movie.path), "-i", ffmpeg.input_url(srt),
        "-map", "0", "-map", "1", "-c", "copy", "-c:s", "srt",
        "-metadata:s:s:0", "language=fra",
    )  # fmt: skip
    result = probe(movie, limits=LIMITS)
    assert result.format_name == "matroska,webm"
    assert [(s.codec, s.language) for s in result.subtitle_streams] == [("subrip", "fra")]


def test_a_zero_byte_file_is_refused_as_empty(tmp_path):
    (tmp_path / "empty.mp4").write_bytes(b"")
    assert _refusal(tmp_path / "empty.mp4") == "empty_file"


def test_a_text_file_named_mp4_is_not_a_video(tmp_path):
    (tmp_path / "notes.mp4").write_text("Shopping list\neggs\nmilk\n" * 20)
    assert _refusal(tmp_path / "notes.mp4") == "not_a_video"


def test_an_hls_playlist_is_refused_before_ffmpeg_opens_it(tmp_path):
    playlist = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n"
    (tmp_path / "movie.mp4").write_text(playlist)
    assert _refusal(tmp_path / "movie.mp4") == "playlist_refused"


@pytest.mark.parametrize(
    "listing",
    [
        "ffconcat version 1.0\nfile 'https://example.com/a.mp4'\n",
        "ffconcat version 1.0\nfile file:/etc/passwd\n",
        "file '/etc/hostname'\nfile '/etc/passwd'\n",
    ],
)
def test_a_concat_list_is_refused(tmp_path, listing):
    (tmp_path / "movie.mkv").write_text(listing)
    assert _refusal(tmp_path / "movie.mkv") == "playlist_refused"


def test_a_dash_manifest_is_refused(tmp_path):
    mpd = '<?xml version="1.0"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011"></MPD>\n'
    (tmp_path / "movie.mp4").write_text(mpd)
    assert _refusal(tmp_path / "movie.mp4") == "playlist_refused"


def test_an_mp4_cut_before_its_index_is_refused_as_truncated(feature_movie, tmp_path):
    data = Path(feature_movie.path).read_bytes()  # moov sits at the end: cut it off
    (tmp_path / "cut.mp4").write_bytes(data[: len(data) // 2])
    assert _refusal(tmp_path / "cut.mp4") == "truncated"


def test_a_faststart_mp4_missing_its_last_half_is_refused_as_truncated(feature_movie, tmp_path):
    whole = _encode(
        tmp_path / "fast.mp4",
        "-i", ffmpeg.input_url(feature_movie.path), "-c", "copy", "-movflags", "+faststart",
    )  # fmt: skip
    data = Path(whole).read_bytes()
    (tmp_path / "cut.mp4").write_bytes(data[: len(data) // 2])
    assert _refusal(tmp_path / "cut.mp4") == "truncated"


def test_audio_only_is_refused_for_lack_of_video(tmp_path):
    audio = _encode(tmp_path / "song.mp4", "-f", "lavfi", "-i", "sine=d=2", "-c:a", "aac")
    assert _refusal(audio) == "no_video_stream"


def test_a_16_pixel_video_is_too_small(tmp_path):
    tiny = _encode(
        tmp_path / "tiny.mp4", "-f", "lavfi", "-i", "testsrc=s=16x16:d=1", "-c:v", "libx264"
    )
    assert _refusal(tiny) == "video_too_small"


def test_a_header_claiming_100000_pixels_square_is_too_large(tmp_path):
    small = _encode(
        tmp_path / "small.mkv",
        "-f", "lavfi", "-i", "testsrc=s=64x64:d=1:r=5", "-c:v", "libx264", "-preset", "ultrafast",
    )  # fmt: skip
    data = Path(small).read_bytes()
    # Matroska PixelWidth (B0) and PixelHeight (BA), one byte each (64): make both 100000.
    original = bytes([0xB0, 0x81, 0x40, 0xBA, 0x81, 0x40])
    claimed = bytes([0xB0, 0x83, 0x01, 0x86, 0xA0, 0xBA, 0x83, 0x01, 0x86, 0xA0])
    assert original in data
    (tmp_path / "huge.mkv").write_bytes(data.replace(original, claimed, 1))
    assert _refusal(tmp_path / "huge.mkv") == "video_too_large"


def test_a_movie_longer_than_the_plan_allows_is_too_long(feature_movie):
    with pytest.raises(PipelineError) as caught:
        probe(feature_movie.path, limits=ProbeLimits(max_duration=30))
    assert caught.value.code == "too_long"
    assert caught.value.params["limit"] == 30


def test_a_container_outside_the_allow_list_is_refused(tmp_path):
    gif = _encode(tmp_path / "clip.mp4", "-f", "lavfi", "-i", "testsrc=s=96x96:d=1", "-f", "gif")
    assert _refusal(gif) == "container_not_allowed"


def test_a_codec_outside_the_allow_list_is_refused(tmp_path):
    raw = _encode(
        tmp_path / "frames.mkv", "-f", "lavfi", "-i", "testsrc=s=96x96:d=1", "-c:v", "png"
    )
    assert _refusal(raw) == "codec_not_allowed"
