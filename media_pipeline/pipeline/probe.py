"""Stage 1: decide whether an upload is a video we accept, and describe it.

Refusals are by content, never by file name: the first bytes are sniffed before ffmpeg opens
the file (playlists and manifests make ffmpeg read other files), then ffmpeg's own reading of
the header is checked against allow-lists and caps, and a frame is decoded at both ends.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from . import ffmpeg
from .types import PipelineError, ProbeResult, SubtitleStream

# Names as ffmpeg reports them ("Input #0, <names>, from ...").
ALLOWED_FORMATS = frozenset(
    {"mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi", "mpegts", "ogg", "flv", "mpeg", "asf"}
)
ALLOWED_VIDEO_CODECS = frozenset(
    {"h264", "hevc", "vp8", "vp9", "av1", "mpeg4", "mpeg2video", "mpeg1video", "theora",
     "mjpeg", "prores", "dnxhd", "wmv3", "vc1", "msmpeg4v3", "h263", "flv1", "ffv1"}
)  # fmt: skip
ALLOWED_AUDIO_CODECS = frozenset(
    {"aac", "mp3", "mp2", "ac3", "eac3", "opus", "vorbis", "flac", "alac", "dts", "truehd",
     "wmav2", "wmapro", "amr_nb", "adpcm_ima_qt"}
)  # fmt: skip
TEXT_SUBTITLE_CODECS = frozenset({"subrip", "srt", "ass", "ssa", "webvtt", "mov_text", "text"})
SNIFF_BYTES = 4096
# Text that makes ffmpeg open other files or URLs: HLS, DASH/Smooth manifests, concat lists, SDP.
_MANIFEST_MARKERS = (
    b"#EXTM3U", b"#EXT-X-", b"<MPD", b"<?xml", b"<SmoothStreamingMedia", b"ffconcat",
    b"file ", b"file:", b"v=0\n", b"v=0\r", b"<smil", b"[playlist]", b"#EXTINF",
)  # fmt: skip


@dataclass(frozen=True)
class ProbeLimits:
    max_duration: float | None = None
    max_width: int = 7680
    max_height: int = 4320
    min_side: int = 64
    allowed_formats: frozenset[str] = ALLOWED_FORMATS


def _sniff(path: str) -> None:
    """Refuse empty files, text, playlists and manifests before ffmpeg sees them."""
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise PipelineError("not_a_video", f"cannot read {path}: {exc}") from exc
    if size == 0:
        raise PipelineError("empty_file", "the file is empty")
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    stripped = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
    lowered = stripped[:512].lower()
    if any(lowered.startswith(m.lower()) for m in _MANIFEST_MARKERS) or b"#extm3u" in lowered:
        raise PipelineError("playlist_refused", "playlists and manifests are not accepted")
    if _looks_like_text(head):
        raise PipelineError("not_a_video", "the file is text, not a video")


def _looks_like_text(head: bytes) -> bool:
    # Every accepted container starts with binary structure (box sizes, EBML ids, sync bytes).
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text
        return True
    if b"\x00" in head:
        return False
    printable = sum(1 for b in head if b >= 32 or b in (9, 10, 13))
    return printable >= 0.95 * len(head)


_INPUT = re.compile(r"^Input #0, (?P<fmt>[^ ]+), from ", re.M)
_DURATION = re.compile(r"^\s+Duration: (?P<d>N/A|\d+:\d+:\d+(?:\.\d+)?)", re.M)
_STREAM_START = re.compile(r", start (?P<s>-?\d+(?:\.\d+)?)")
_START = re.compile(r"^\s+Duration: [^,\n]*, start: (?P<s>-?\d+(?:\.\d+)?)", re.M)
_STREAM = re.compile(
    r"^\s+Stream #0:(?P<idx>\d+)(?:\[0x[0-9a-f]+\])?(?:\((?P<lang>[^)]+)\))?: "
    r"(?P<kind>Video|Audio|Subtitle|Data|Attachment): (?P<codec>[^ ,]+)(?P<rest>.*)$",
    re.M,
)
_SIZE = re.compile(r"(?:^|[ ,])(?P<w>\d{1,7})x(?P<h>\d{1,7})(?=[ ,\[]|$)")
_FPS = re.compile(r"(?P<fps>\d+(?:\.\d+)?)(?P<k>k?) (?:fps|tbr)")


def _seconds(stamp: str) -> float:
    h, m, s = stamp.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def parse_header(stderr: str) -> tuple[str, float | None, list[re.Match]]:
    """(format names, duration or None, stream matches) from ffmpeg's listing of input #0."""
    found = _INPUT.search(stderr)
    if not found:
        raise PipelineError("not_a_video", "ffmpeg does not recognise this file as media")
    duration = _DURATION.search(stderr)
    seconds = None
    if duration and duration["d"] != "N/A":
        seconds = round(_seconds(duration["d"]), 3)
    return found["fmt"], seconds, list(_STREAM.finditer(stderr))


def _is_mp4_family(path: str) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(12)
    return head[4:8] in (b"ftyp", b"mdat", b"moov", b"free", b"wide", b"skip")


def probe(path: str, *, limits: ProbeLimits, stop: ffmpeg.StopSignal | None = None) -> ProbeResult:
    """Describe `path` or raise PipelineError with a stable code saying why it is refused."""
    _sniff(path)
    done = ffmpeg.run(ffmpeg.probe_args(path), timeout=120, check=False, stop=stop)
    stderr = done.stderr.decode("utf-8", "replace")
    try:
        format_name, duration, streams = parse_header(stderr)
    except PipelineError:
        if "moov atom not found" in stderr or _is_mp4_family(path):
            raise PipelineError("truncated", "the file is cut short (no index found)") from None
        raise
    if format_name not in limits.allowed_formats:
        raise PipelineError(
            "container_not_allowed", f"container {format_name} is not accepted", format=format_name
        )
    video = next((s for s in streams if s["kind"] == "Video" and not _is_cover(s)), None)
    if video is None:
        raise PipelineError("no_video_stream", "the file has no video stream")
    width, height = _size(video["rest"])
    if width < limits.min_side or height < limits.min_side:
        raise PipelineError("video_too_small", f"{width}x{height} is too small", width=width)
    if width > limits.max_width or height > limits.max_height:
        raise PipelineError("video_too_large", f"{width}x{height} is too large", width=width)
    codec = video["codec"]
    if codec not in ALLOWED_VIDEO_CODECS:
        raise PipelineError(
            "codec_not_allowed", f"video codec {codec} is not accepted", codec=codec
        )
    audio = next((s for s in streams if s["kind"] == "Audio"), None)
    audio_codec = audio["codec"] if audio else None
    if audio_codec is not None and audio_codec not in ALLOWED_AUDIO_CODECS:
        audio_codec = None  # an odd audio track is ignored rather than refusing the movie
    if duration is None or duration <= 0:
        raise PipelineError("truncated", "the duration cannot be read")
    if limits.max_duration is not None and duration > limits.max_duration:
        raise PipelineError(
            "too_long", f"{duration:.0f}s is longer than {limits.max_duration:.0f}s",
            duration=duration, limit=limits.max_duration,
        )  # fmt: skip
    demuxer = ffmpeg.demuxer_name(format_name)
    if not _decodes(done.stdout) or not _tail_decodes(path, demuxer, duration, stop):
        raise PipelineError("truncated", "the video cannot be decoded to its end")
    return ProbeResult(
        path=path,
        format_name=format_name,
        duration=duration,
        size_bytes=os.path.getsize(path),
        width=width,
        height=height,
        fps=stream_fps(video["rest"]),
        video_codec=codec,
        audio_codec=audio_codec,
        subtitle_streams=tuple(
            SubtitleStream(index=int(s["idx"]), codec=s["codec"], language=_language(s["lang"]))
            for s in streams
            if s["kind"] == "Subtitle" and s["codec"] in TEXT_SUBTITLE_CODECS
        ),
        start_time=_start_time(video["rest"], stderr),
    )


def _start_time(video: str, stderr: str) -> float:
    """The video stream's first timestamp (frame times count from it), else the file's."""
    found = _STREAM_START.search(video) or _START.search(stderr)
    return round(float(found["s"]), 6) if found else 0.0


def _is_cover(stream: re.Match) -> bool:
    return "(attached pic)" in stream["rest"]


def _size(rest: str) -> tuple[int, int]:
    found = _SIZE.search(rest)
    if not found:
        raise PipelineError("not_a_video", "the video stream has no picture size")
    return int(found["w"]), int(found["h"])


def stream_fps(rest: str) -> float:
    """The frame rate from the rest of a stream line, 25 when absent or absurd."""
    found = _FPS.search(rest)
    if not found:
        return 25.0
    value = float(found["fps"]) * (1000 if found["k"] else 1)
    return value if 0 < value <= 240 else 25.0


def _language(tag: str | None) -> str | None:
    return None if tag in (None, "und") else tag


def _decodes(framemd5: bytes) -> bool:
    return any(line and not line.startswith(b"#") for line in framemd5.splitlines())


def _tail_decodes(path: str, demuxer: str, duration: float, stop: ffmpeg.StopSignal | None) -> bool:
    """A frame decodes one second before the end (an mdat cut short fails here); without an
    index the seek may pass the last keyframe, so there it starts ten seconds earlier."""
    at = max(0.0, duration - (10.0 if demuxer in ffmpeg.UNINDEXED_DEMUXERS else 1.0))
    done = ffmpeg.run(
        ffmpeg.tail_check_args(path, demuxer=demuxer, at=at), timeout=120, check=False, stop=stop
    )
    return _decodes(done.stdout)
