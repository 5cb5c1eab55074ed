"""Argument templates for reading a movie: probe, analysis decode, poster frames, embedded
subtitles, and the full decode that verifies a finished recap.

Templates take paths and numbers; every file ffmpeg reads is an `Input` (the supervisor turns
it into an absolute `file:` URL) and every file it writes an `Output` (an absolute path). No
user text ever lands in a filter graph.
"""

from __future__ import annotations

from collections.abc import Sequence

from .process import Arg, Input, Output


def demuxer_name(format_name: str) -> str:
    """The demuxer to force (`-f`) from a probed name such as `mov,mp4,m4a,3gp,3g2,mj2`."""
    return format_name.split(",")[0]


def probe_args(path: str) -> list[Arg]:
    """Read the container header and decode the first video frame (its digest goes to stdout).

    The stream listing appears on stderr; the frame digest proves the start really decodes.
    """
    return [
        "-i", Input(path),
        "-map", "0:v:0", "-frames:v", "1", "-f", "framemd5", "-",
    ]  # fmt: skip


def tail_check_args(path: str, *, demuxer: str, at: float) -> list[Arg]:
    """Seek close to the end and decode one frame: a truncated file yields no digest line."""
    return [
        "-ss", f"{at:.3f}", "-f", demuxer, "-i", Input(path),
        "-map", "0:v:0", "-frames:v", "1", "-f", "framemd5", "-",
    ]  # fmt: skip


def analysis_args(
    path: str,
    *,
    demuxer: str,
    width: int,
    height: int,
    audio_fd: int | None,
    audio_rate: int,
) -> list[Arg]:
    """One decode feeding two pipes: tiny grey frames on stdout, mono float audio on `audio_fd`.

    The demuxer is forced to the probed one so the file cannot be re-detected as something
    else. Decoder shortcuts (no loop filter, fast flags) cost nothing at this resolution and
    make the pass cheaper than a plain full decode.
    """
    args: list[Arg] = [
        "-threads", "0", "-skip_loop_filter", "all", "-flags2", "fast",
        "-f", demuxer, "-i", Input(path),
        "-map", "0:v:0", "-an", "-sn", "-dn",
        "-vf", f"scale={int(width)}:{int(height)}:flags=area,format=gray",
        "-flush_packets", "0", "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1",
    ]  # fmt: skip
    if audio_fd is not None:
        args += [
            "-map", "0:a:0", "-vn", "-sn", "-dn",
            "-ac", "1", "-ar", str(int(audio_rate)),
            "-flush_packets", "0", "-f", "f32le", f"pipe:{int(audio_fd)}",
        ]  # fmt: skip
    return args


def frames_gray_args(
    movie: str, at: float, seconds: float, per_second: int, size: tuple[int, int]
) -> list[Arg]:
    """Small grayscale frames from `at` on stdout, for choosing a poster frame."""
    return [
        "-ss", f"{max(0.0, at):.3f}", "-t", f"{seconds:.3f}", "-i", Input(movie), "-an", "-sn",
        "-vf", f"fps={int(per_second)},scale={int(size[0])}:{int(size[1])},format=gray",
        "-f", "rawvideo", "pipe:1",
    ]  # fmt: skip


def poster_args(movie: str, at: float, size: tuple[int, int], out_path: str) -> list[Arg]:
    """One frame at `at`, scaled, as a JPEG."""
    return [
        "-ss", f"{max(0.0, at):.3f}", "-i", Input(movie), "-an", "-sn", "-frames:v", "1",
        "-vf", f"scale={int(size[0])}:{int(size[1])},setsar=1", "-q:v", "3", "-update", "1",
        Output(out_path),
    ]  # fmt: skip


def subtitle_extract_args(movie: str, stream_index: int, out_path: str, codec: str) -> list[Arg]:
    """Copy one embedded text subtitle stream out as WebVTT or SRT."""
    fmt = {"webvtt": "webvtt", "srt": "srt"}[codec]
    return [
        "-i", Input(movie), "-map", f"0:{int(stream_index)}", "-c:s", codec, "-f", fmt,
        Output(out_path),
    ]  # fmt: skip


def verify_args(path: str) -> list[Arg]:
    """Decode every frame of the video and the audio to nothing, each message tagged with its
    level (`[error]`), so decode errors can be told from the header and the statistics."""
    return [
        "-loglevel", "repeat+level+info", "-i", Input(path),
        "-map", "0:v:0", "-map", "0:a?", "-f", "null", "-",
    ]  # fmt: skip


def asr_audio_args(path: str, *, demuxer: str, rate: int) -> list[Arg]:
    """The first audio stream as mono 32-bit float samples at `rate` Hz on stdout, nothing else
    decoded; read in windows, so a long movie never sits in memory whole."""
    return [
        "-f", demuxer, "-i", Input(path),
        "-map", "0:a:0", "-vn", "-sn", "-dn",
        "-ac", "1", "-ar", str(int(rate)),
        "-f", "f32le", "pipe:1",
    ]  # fmt: skip


# --- the shot analysis, verification windows and remux ---

SHOT_AREA = (64, 36)  # see shots.py: area-averaged luma over point-sampled colour, one frame
# Containers without an index: a seek lands by byte estimate, often on the wrong frames.
UNINDEXED_DEMUXERS = frozenset({"mpegts", "mpeg"})


def shot_analysis_args(
    path: str, *, demuxer: str, audio_fd: int | None, audio_rate: int
) -> list[Arg]:
    """`analysis_args` with another picture on stdout: per frame, a 64x72 yuv420p frame with
    the luma averaged over areas on top and point samples with their colour below.

    Point samples keep what averaging loses (a fine pattern's spread of values) and cost next
    to nothing; only the luma is averaged over the full picture.
    """
    w, h = SHOT_AREA
    args = analysis_args(
        path, demuxer=demuxer, width=w, height=h, audio_fd=audio_fd, audio_rate=audio_rate
    )
    args[args.index("-vf") + 1] = (
        f"split=2[full][pts];[full]scale={w}:{h}:flags=area,format=gray,format=yuv420p[area];"
        f"[pts]scale={w}:{h}:flags=neighbor,format=yuv420p[points];[area][points]vstack"
    )
    args[args.index("-pix_fmt") + 1] = "yuv420p"
    # The loop filter stays on: without it H.264 drifts until the next keyframe, where the
    # picture snaps back, which looks like a cut in smooth footage.
    at = args.index("-skip_loop_filter")
    del args[at : at + 2]
    # Two tiny branches: threads would cost more in hand-offs than the filters themselves.
    return ["-filter_threads", "1", *args]


def frame_windows_args(
    path: str, *, demuxer: str, starts: Sequence[float], frames: int, size: tuple[int, int]
) -> list[Arg]:
    """`frames` frames from each of `starts` (seconds, accurate seeks), one window after the
    other as RGB24 of `size` on stdout; a window cut short by the movie's end is padded with
    its last frame, so every window has exactly `frames`."""
    w, h, count = int(size[0]), int(size[1]), int(frames)
    args: list[Arg] = []
    graph = []
    for n, start in enumerate(starts):
        args += ["-ss", f"{max(0.0, start):.4f}", "-f", demuxer, "-i", Input(path)]
        graph.append(
            f"[{n}:v:0]trim=end_frame={count},setpts=PTS-STARTPTS,"
            f"tpad=stop={count}:stop_mode=clone,trim=end_frame={count},"
            f"scale={w}:{h}:flags=area,format=rgb24[w{n}]"
        )
    joined = "".join(f"[w{n}]" for n in range(len(starts)))
    graph.append(f"{joined}concat=n={len(starts)}:v=1:a=0[windows]")
    return [
        *args, "-filter_complex", ";".join(graph), "-map", "[windows]",
        "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1",
    ]  # fmt: skip


def remux_args(path: str, *, demuxer: str, out: str) -> list[Arg]:
    """Copy the first video and audio stream of `path` into the MP4 `out`, re-encoding
    nothing; MP4's index makes every later seek land on the frame asked for."""
    return [
        "-f", demuxer, "-i", Input(path),
        "-map", "0:v:0", "-map", "0:a:0?", "-c", "copy", "-sn", "-dn",
        "-movflags", "+faststart", "-f", "mp4", Output(out),
    ]  # fmt: skip
