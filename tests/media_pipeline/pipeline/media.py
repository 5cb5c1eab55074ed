"""Test media made with ffmpeg's generated sources, and measurements of rendered files."""

from __future__ import annotations

import re
import struct
import subprocess

import numpy as np

from media_pipeline.pipeline import ffmpeg
from media_pipeline.pipeline.types import Analysis, Cue, ProbeResult, SubtitleStream, Transition


def _ffmpeg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [ffmpeg.binary(), "-hide_banner", "-nostdin", "-y", *args],
        capture_output=True,
        check=True,
        timeout=120,
    )


def make_clip(
    path: str,
    *,
    duration: float,
    size: tuple[int, int] = (320, 180),
    audio: bool = True,
    black_lead: float = 0.0,
) -> str:
    """testsrc2 video (after `black_lead` seconds of black) with a tone whose level swells."""
    w, h = size
    graph = f"testsrc2=s={w}x{h}:r=24:d={duration - black_lead}[pic]"
    if black_lead:
        graph = (
            f"color=black:s={w}x{h}:r=24:d={black_lead}[lead];"
            f"testsrc2=s={w}x{h}:r=24:d={duration - black_lead}[rest];"
            "[lead][rest]concat=n=2:v=1:a=0[pic]"
        )
    args = ["-filter_complex", graph, "-map", "[pic]"]
    if audio:
        tone = f"sine=f=330:r=48000:d={duration},volume='0.03+0.3*abs(sin(t/3))':eval=frame"
        args = ["-f", "lavfi", "-i", tone, *args, "-map", "0:a"]
    _ffmpeg(*args, "-c:v", "libx264", "-preset", "ultrafast", "-g", "24",
            "-pix_fmt", "yuv420p", "-c:a", "aac", path)  # fmt: skip
    return path


def make_with_subtitles(path: str, srt_path: str, codec: str, duration: float = 6.0) -> str:
    """A short movie carrying `srt_path` as an embedded subtitle stream (stream index 1)."""
    _ffmpeg("-f", "lavfi", "-i", f"testsrc2=s=160x90:r=12:d={duration}", "-i", srt_path,
            "-map", "0:v", "-map", "1:s", "-c:v", "libx264", "-preset", "ultrafast",
            "-c:s", codec, path)  # fmt: skip
    return path


def probe_of(
    path: str,
    *,
    duration: float,
    size: tuple[int, int] = (320, 180),
    audio: bool = True,
    subtitles: tuple[SubtitleStream, ...] = (),
) -> ProbeResult:
    """The probe facts of a file these helpers made (known by construction)."""
    return ProbeResult(
        path=path,
        format_name="mov,mp4,m4a,3gp,3g2,mj2",
        duration=duration,
        size_bytes=0,
        width=size[0],
        height=size[1],
        fps=24.0,
        video_codec="h264",
        audio_codec="aac" if audio else None,
        subtitle_streams=subtitles,
    )


def analysis_of(
    duration: float,
    *,
    cuts=(),
    cues=(),
    loudness=None,
    motion=None,
    looks=None,
    black=(),
) -> Analysis:
    """An analysis written by hand: one window a second, cuts at `cuts`, `cues` as (start,
    end); looks vary from window to window unless given."""
    windows = int(duration)
    return Analysis(
        duration=duration,
        fps=25,
        frames=int(duration * 25),
        transitions=tuple(Transition(t, t, "cut") for t in cuts),
        black=tuple(black),
        window=1.0,
        motion=tuple(motion) if motion else (2.0,) * windows,
        loudness=tuple(loudness) if loudness else (-25.0,) * windows,
        cues=tuple(Cue(a, b, "words") for a, b in cues),
        looks=tuple(looks) if looks else tuple(((i * 37) % 200,) * 12 for i in range(windows)),
    )


def stream_facts(path: str) -> dict[str, object]:
    """Codecs, size, duration and pixel format as ffmpeg reports them."""
    done = subprocess.run(
        [ffmpeg.binary(), "-hide_banner", "-i", path], capture_output=True, timeout=60
    )
    text = done.stderr.decode("utf-8", "replace")
    video = re.search(r"Video: (\w+).*?, (\w+)\(.*?, (\d+)x(\d+)", text)
    audio = re.search(r"Audio: (\w+)", text)
    hours, minutes, seconds = re.search(r"Duration: (\d+):(\d+):([\d.]+)", text).groups()
    return {
        "video_codec": video.group(1) if video else None,
        "pix_fmt": video.group(2) if video else None,
        "size": (int(video.group(3)), int(video.group(4))) if video else None,
        "audio_codec": audio.group(1) if audio else None,
        "duration": int(hours) * 3600 + int(minutes) * 60 + float(seconds),
    }


def integrated_loudness(path: str) -> float:
    """EBU R128 integrated loudness (LUFS) from ffmpeg's ebur128 filter."""
    done = subprocess.run(
        [ffmpeg.binary(), "-hide_banner", "-nostats", "-i", path,
         "-filter_complex", "ebur128", "-f", "null", "-"],
        capture_output=True, timeout=120,
    )  # fmt: skip
    return float(re.findall(r"I:\s+(-?[\d.]+) LUFS", done.stderr.decode())[-1])


def top_level_atoms(path: str) -> list[str]:
    """The MP4 box types at the top level of the file, in order."""
    atoms = []
    with open(path, "rb") as handle:
        while header := handle.read(8):
            size, kind = struct.unpack(">I4s", header)
            if size == 1:
                size = struct.unpack(">Q", handle.read(8))[0] - 8
            atoms.append(kind.decode("latin-1"))
            if size == 0:
                break
            handle.seek(size - 8, 1)
    return atoms


def image_gray(path: str) -> np.ndarray:
    """An image decoded to an 8-bit grayscale array (height, width)."""
    facts = stream_facts(path)
    width, height = facts["size"]
    done = _ffmpeg("-i", path, "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1")
    return np.frombuffer(done.stdout, dtype=np.uint8).reshape(height, width)
