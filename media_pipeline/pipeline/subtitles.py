"""Subtitle files in and out: decode and parse SRT/WebVTT into cues, re-time them to a recap,
write WebVTT, and extract an embedded text stream from a movie with ffmpeg.
"""

from __future__ import annotations

import codecs
import html
import os
import re
from collections.abc import Iterable

from . import ffmpeg
from .types import Clip, Cue, PipelineError, ProbeResult, SubtitleStream, SubtitleTrackParse

# Uploaded subtitle files are small; anything bigger is not a subtitle file.
MAX_BYTES = 5 * 1024 * 1024
# A cue cut at a clip edge shorter than this would only flash on screen.
MIN_RETIMED_CUE = 0.25
TEXT_CODECS = frozenset({"subrip", "srt", "mov_text", "ass", "ssa", "webvtt", "text"})

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_TIMING = re.compile(
    r"^\s*(?P<start>(?:\d+:)?\d{1,2}:\d{1,2}[.,]\d{1,3})\s*-->\s*"
    r"(?P<end>(?:\d+:)?\d{1,2}:\d{1,2}[.,]\d{1,3})(?:\s+.*)?$"
)
_TAG = re.compile(r"<[^>\n]*>")
_ASS_OVERRIDE = re.compile(r"\{\\[^}\n]*\}")
_SPACES = re.compile(r"[ \t\u00a0]+")
_HEADER_BLOCKS = ("WEBVTT", "NOTE", "STYLE", "REGION")


def decode_subtitle_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, encoding): a BOM wins, then strict UTF-8, then cp1252.

    UTF-16 without a BOM is recognised by its NUL bytes. Anything that still looks binary
    (NUL or control bytes) is refused rather than turned into mojibake cues.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding).lstrip("\ufeff"), encoding
            except UnicodeDecodeError as exc:
                raise _unreadable("bad bytes after the byte-order mark") from exc
    if len(data) >= 4 and data.count(0) * 3 > len(data):
        encoding = "utf-16-le" if data[1] == 0 and data[0] != 0 else "utf-16-be"
        try:
            return _check_text(data.decode(encoding)), encoding
        except UnicodeDecodeError as exc:
            raise _unreadable("NUL bytes in a file that is not UTF-16") from exc
    try:
        return _check_text(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined: decode as latin-1 and lift the defined ones.
        return _check_text(data.decode("latin-1").translate(_CP1252_UPPER)), "cp1252"


def _cp1252_upper() -> dict[int, str]:
    table = {}
    for byte in range(0x80, 0xA0):
        try:
            table[byte] = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            continue
    return table


_CP1252_UPPER = _cp1252_upper()


def _check_text(text: str) -> str:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > max(2, len(text) // 200):
        raise _unreadable("control characters: this is not a text file")
    return text


def _unreadable(reason: str) -> PipelineError:
    return PipelineError("subtitles_unreadable", f"subtitle file is unreadable: {reason}")


def parse_subtitles(path: str) -> SubtitleTrackParse:
    """Read an SRT or WebVTT file in any of the usual encodings into cues."""
    if os.path.getsize(path) > MAX_BYTES:
        raise _unreadable("larger than a subtitle file can be")
    with open(path, "rb") as handle:
        data = handle.read()
    text, encoding = decode_subtitle_bytes(data)
    cues, skipped = _parse_blocks(text)
    if not cues:
        raise _unreadable("no valid cue")
    return SubtitleTrackParse(cues=cues, skipped=skipped, encoding=encoding)


def parse_subtitles_text(text: str) -> SubtitleTrackParse:
    """Parse SRT or WebVTT text that is already decoded."""
    cues, skipped = _parse_blocks(_check_text(text.lstrip("\ufeff")))
    if not cues:
        raise _unreadable("no valid cue")
    return SubtitleTrackParse(cues=cues, skipped=skipped, encoding="utf-8")


def _parse_blocks(text: str) -> tuple[tuple[Cue, ...], int]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cues: list[Cue] = []
    skipped = 0
    for block in _blocks(lines):
        if block[0].split(" ", 1)[0].split("\t", 1)[0] in _HEADER_BLOCKS and "-->" not in block[0]:
            continue
        timing_at = next((i for i, line in enumerate(block[:3]) if "-->" in line), None)
        if timing_at is None:
            skipped += 1
            continue
        cue = _parse_cue(block[timing_at], block[timing_at + 1 :])
        if cue is None:
            skipped += 1
        else:
            cues.append(cue)
    cues.sort(key=lambda c: (c.start, c.end))
    return tuple(cues), skipped


def _blocks(lines: list[str]) -> Iterable[list[str]]:
    block: list[str] = []
    for line in lines:
        if line.strip():
            block.append(line)
        elif block:
            yield block
            block = []
    if block:
        yield block


def _parse_cue(timing: str, body: list[str]) -> Cue | None:
    match = _TIMING.match(timing)
    if not match:
        return None
    start, end = _seconds(match["start"]), _seconds(match["end"])
    if start is None or end is None or end <= start:
        return None
    text = clean_cue_text("\n".join(body))
    return Cue(start=start, end=end, text=text) if text else None


def _seconds(stamp: str) -> float | None:
    head, _, fraction = stamp.replace(",", ".").partition(".")
    parts = [int(p) for p in head.split(":")]
    if len(parts) == 2:
        parts.insert(0, 0)
    hours, minutes, seconds = parts
    if minutes >= 60 or seconds >= 60:
        return None
    return hours * 3600 + minutes * 60 + seconds + int(fraction.ljust(3, "0")[:3]) / 1000


def clean_cue_text(raw: str) -> str:
    """Drop styling (HTML-like tags, WebVTT voice/class spans, ASS overrides), keep line breaks."""
    text = _ASS_OVERRIDE.sub("", raw).replace("\\N", "\n").replace("\\n", "\n")
    text = html.unescape(_TAG.sub("", text))
    text = text.replace("\u200e", "").replace("\u200f", "")
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def recap_offsets(clips: Iterable[Clip]) -> list[float]:
    """Where each clip begins in the recap: the render concatenates clips in order."""
    offsets, position = [], 0.0
    for clip in clips:
        offsets.append(position)
        position += clip.duration
    return offsets


def retime_cues(cues: Iterable[Cue], clips: Iterable[Clip]) -> tuple[Cue, ...]:
    """Map source-time cues onto the recap timeline, cut at clip edges, drop the rest."""
    clips = tuple(clips)
    out: list[Cue] = []
    for clip, offset in zip(clips, recap_offsets(clips), strict=True):
        for cue in cues:
            start, end = max(cue.start, clip.start), min(cue.end, clip.end)
            if end - start >= MIN_RETIMED_CUE:
                shift = offset - clip.start
                out.append(Cue(start=start + shift, end=end + shift, text=cue.text))
    return tuple(out)


def format_timestamp(seconds: float) -> str:
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def vtt_text(cues: Iterable[Cue]) -> str:
    """WebVTT document for `cues`; the text is escaped so it can never open a tag."""
    parts = ["WEBVTT", ""]
    for cue in cues:
        text = cue.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = "\n".join(line for line in text.split("\n") if line.strip())
        if not text:
            continue
        parts += [f"{format_timestamp(cue.start)} --> {format_timestamp(cue.end)}", text, ""]
    return "\n".join(parts)


def write_vtt(cues: Iterable[Cue], path: str) -> str:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(vtt_text(cues))
    return path


def extract_embedded(
    movie: str,
    probe: ProbeResult,
    stream: SubtitleStream,
    out_path: str,
    *,
    stop: ffmpeg.StopSignal | None = None,
) -> str:
    """Extract an embedded text subtitle stream to `out_path` (.vtt or .srt) and return it."""
    if stream not in probe.subtitle_streams:
        raise PipelineError("subtitles_unreadable", f"stream {stream.index} is not in the probe")
    if stream.codec not in TEXT_CODECS:
        raise PipelineError(
            "subtitles_unsupported",
            f"subtitle codec {stream.codec} is not text",
            codec=stream.codec,
        )
    codec = "srt" if out_path.lower().endswith(".srt") else "webvtt"
    args = ffmpeg.subtitle_extract_args(movie, stream.index, out_path, codec)
    ffmpeg.run(args, timeout=600, stop=stop)
    return out_path
