"""The one module that starts ffmpeg: binary lookup, fixed argument templates, timeouts.

Every call reads local files only (`-protocol_whitelist file,pipe`), runs in its own process
group so a timeout or a cancelled job kills ffmpeg and anything it spawned, and never puts
user text inside a filter graph.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import cache
from typing import IO

from .types import PipelineError, TransientPipelineError

PROTOCOLS = ("-protocol_whitelist", "file,pipe")
DEFAULT_TIMEOUT = 3600.0


@cache
def binary() -> str:
    """`FFMPEG_BINARY` when set, else the static build shipped in the imageio-ffmpeg wheel."""
    configured = os.environ.get("FFMPEG_BINARY")
    if configured:
        return configured
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def base_args() -> list[str]:
    return [binary(), "-hide_banner", "-nostdin", "-y", *PROTOCOLS]


def kill_group(proc: subprocess.Popen) -> None:
    """Kill the process group of `proc`: ffmpeg and every child it started."""
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def run(
    args: Sequence[str], *, timeout: float = DEFAULT_TIMEOUT, check: bool = True
) -> subprocess.CompletedProcess:
    """Run ffmpeg with `args` (after the common prefix) and return its output.

    A timeout kills the whole process group and raises TransientPipelineError; a non-zero exit
    raises PipelineError("ffmpeg_failed") with the tail of stderr for the logs.
    """
    cmd = [*base_args(), *args]
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        kill_group(proc)
        proc.communicate()
        raise TransientPipelineError(
            "ffmpeg_timeout", f"ffmpeg ran longer than {timeout:.0f}s"
        ) from exc
    except BaseException:
        kill_group(proc)
        proc.wait()
        raise
    result = subprocess.CompletedProcess(cmd, proc.returncode, out, err)
    if proc.returncode < 0:
        raise TransientPipelineError(
            "ffmpeg_killed", f"ffmpeg was killed by signal {-proc.returncode}"
        )
    if proc.returncode != 0 and check:
        tail = err.decode("utf-8", "replace")[-2000:]
        raise PipelineError("ffmpeg_failed", f"ffmpeg exited with {proc.returncode}: {tail}")
    return result


@contextmanager
def pipe(
    args: Sequence[str],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    pass_fds: Sequence[int] = (),
    stderr: IO[bytes] | None = None,
) -> Iterator[subprocess.Popen]:
    """Start ffmpeg writing to a pipe; the caller reads `proc.stdout` in fixed-size chunks.

    `pass_fds` lets ffmpeg write a second output to another pipe (`pipe:<fd>`); `stderr` is a
    file to keep its messages (a pipe could fill up and stall the decoder). A watchdog kills
    the process group after `timeout`, so a blocked read ends with EOF and `timed_out` is set
    on the process. On leaving the block the group is killed if it still runs, so an exception
    in the reader never leaves an orphan decoder behind.
    """
    cmd = [*base_args(), *args]
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr if stderr is not None else subprocess.DEVNULL,
        start_new_session=True,
        bufsize=0,
        pass_fds=tuple(pass_fds),
    )
    proc.timed_out = False  # type: ignore[attr-defined]

    def expire() -> None:
        proc.timed_out = True  # type: ignore[attr-defined]
        kill_group(proc)

    watchdog = threading.Timer(timeout, expire)
    watchdog.daemon = True
    watchdog.start()
    try:
        yield proc
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            kill_group(proc)
        proc.wait()


def input_url(path: str) -> str:
    """An absolute `file:` URL, so a name like `concat:a|b` or `-x` is never read as more."""
    return "file:" + os.path.abspath(path)


def demuxer_name(format_name: str) -> str:
    """The demuxer to force (`-f`) from a probed name such as `mov,mp4,m4a,3gp,3g2,mj2`."""
    return format_name.split(",")[0]


def probe_args(path: str) -> list[str]:
    """Read the container header and decode the first video frame (its digest goes to stdout).

    The stream listing appears on stderr; the frame digest proves the start really decodes.
    """
    return [
        "-i", input_url(path),
        "-map", "0:v:0", "-frames:v", "1", "-f", "framemd5", "-",
    ]  # fmt: skip


def tail_check_args(path: str, *, demuxer: str, at: float) -> list[str]:
    """Seek close to the end and decode one frame: a truncated file yields no digest line."""
    return [
        "-ss", f"{at:.3f}", "-f", demuxer, "-i", input_url(path),
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
) -> list[str]:
    """One decode feeding two pipes: tiny grey frames on stdout, mono float audio on `audio_fd`.

    The demuxer is forced to the probed one so the file cannot be re-detected as something
    else. Decoder shortcuts (no loop filter, fast flags) cost nothing at this resolution and
    make the pass cheaper than a plain full decode.
    """
    args = [
        "-threads", "0", "-skip_loop_filter", "all", "-flags2", "fast",
        "-f", demuxer, "-i", input_url(path),
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


# --- render commands ---
# Templates for the render stage and subtitle extraction. Filter graphs are built from numbers
# computed by the caller (times, sizes, loudness), never from user text.

AUDIO_FADE = 0.08  # seconds of fade at every join, short enough to keep words intact
LOUDNESS_TARGET_LUFS = -16.0
LOUDNESS_PEAK_DBTP = -1.5
# The clips are read through the concat demuxer: one entry per clip, each seeked to its own
# start, so the render decodes the kept seconds plus at most one GOP before each clip, with one
# decoder open whatever the number of clips. An entry ends when a packet of any stream reaches
# its outpoint, and audio is interleaved up to about a second ahead of video: the slack keeps
# the last frames of each clip, and `concatdec_select` drops whatever lies outside the clip.
OUTPOINT_SLACK = 1.5
SAMPLE_RATE = 48000


def concat_script(
    movie: str, spans: Sequence[tuple[float, float]], *, start_time: float = 0.0
) -> str:
    """An ffconcat list that plays `spans` of `movie` back to back on one timeline.

    Spans count from the movie's first frame; in- and outpoints are file timestamps, so the
    video stream's `start_time` (from the probe) is added to them."""
    path = os.path.abspath(movie)
    if any(ch in path for ch in "\r\n"):
        raise PipelineError("bad_path", "the movie path cannot be listed for the render")
    quoted = "'" + ("file:" + path).replace("'", "'\\''") + "'"
    lines = ["ffconcat version 1.0"]
    for start, end in spans:
        lines += [
            f"file {quoted}",
            f"inpoint {start_time + start:.3f}",
            f"outpoint {start_time + end + OUTPOINT_SLACK:.3f}",
            f"duration {end - start:.3f}",
        ]
    return "\n".join(lines) + "\n"


def _concat_input(script: str, *, audio_only: bool) -> list[str]:
    """The concat list as the only input; every frame carries its clip's start and length.

    `-copyts` keeps the concat timeline as it is: by default ffmpeg would shift it by the first
    clip's pre-roll (the frames decoded from the keyframe before its inpoint), and
    `concatdec_select` would then keep the wrong frames."""
    return [
        "-copyts",
        *(["-vn"] if audio_only else []),
        "-f", "concat", "-safe", "0", "-segment_time_metadata", "1", "-i", input_url(script),
    ]  # fmt: skip


def _audio_chain(spans: Sequence[tuple[float, float]]) -> list[str]:
    """Keep each clip's audio, pin it to the timeline to the sample, fade every join: [acat]."""
    durations = [end - start for start, end in spans]
    graph = [
        # A decoded audio frame is kept or dropped whole; aresample then pads or trims the few
        # milliseconds this leaves at a join, so sound stays in sync with the pictures.
        "[0:a:0]aselect=concatdec_select,"
        f"aresample={SAMPLE_RATE}:async=1:min_hard_comp=0.005:first_pts=0,"
        "aformat=sample_fmts=fltp:channel_layouts=stereo"
        + ("[ajoined]" if len(spans) > 1 else "[a0]")
    ]
    if len(spans) > 1:
        points, at = [], 0.0
        for duration in durations[:-1]:
            at += duration
            points.append(str(round(at * SAMPLE_RATE)))
        outs = "".join(f"[a{i}]" for i in range(len(spans)))
        graph.append(f"[ajoined]asegment=samples={'|'.join(points)}{outs}")
    for i, duration in enumerate(durations):
        fade = min(AUDIO_FADE, duration / 4)
        graph.append(
            f"[a{i}]asetpts=PTS-STARTPTS,afade=t=in:d={fade:.3f},"
            f"afade=t=out:st={duration - fade:.3f}:d={fade:.3f}[af{i}]"
        )
    joined = "".join(f"[af{i}]" for i in range(len(spans)))
    graph.append(f"{joined}concat=n={len(spans)}:v=0:a=1[acat]")
    return graph


def loudness_scan_args(script: str, spans: Sequence[tuple[float, float]]) -> list[str]:
    """Audio-only pass over the kept spans that prints the EBU R128 summary (integrated
    loudness and true peak) on stderr."""
    graph = [*_audio_chain(spans), "[acat]ebur128=peak=true:framelog=quiet[aout]"]
    return [
        *_concat_input(script, audio_only=True),
        "-filter_complex", ";".join(graph),
        "-map", "[aout]", "-f", "null", "-",
    ]  # fmt: skip


_SUMMARY = re.compile(
    r"Integrated loudness:\s+I:\s+(?P<i>-?[\d.]+|-inf) LUFS\s+"
    r"Threshold:\s+(?P<thresh>-?[\d.]+|-inf) LUFS\s+"
    r"Loudness range:\s+LRA:\s+(?P<lra>-?[\d.]+|-inf) LU.*?"
    r"True peak:\s+Peak:\s+(?P<tp>-?[\d.]+|-inf) dBFS",
    re.S,
)
SILENT_LUFS = -69.0  # ebur128 reports -70 LUFS for silence


def parse_loudness(stderr: bytes) -> dict[str, float] | None:
    """Integrated loudness, its gating threshold, loudness range and true peak from the
    ebur128 summary; None when there is nothing to normalise (no summary, or silence:
    amplifying it would only raise the noise)."""
    found = list(_SUMMARY.finditer(stderr.decode("utf-8", "replace")))
    if not found or "-inf" in found[-1].groupdict().values():
        return None
    values = {key: float(value) for key, value in found[-1].groupdict().items()}
    return values if values["i"] > SILENT_LUFS else None


def loudness_filter(measured: dict[str, float] | None) -> str:
    """One linear gain to the target loudness when the peaks allow it, which keeps every level
    swell of the movie; when the gain would push peaks over the ceiling, loudnorm with the
    measurements (it compresses just enough to keep both the target and the ceiling)."""
    if measured is None:
        return "anull"
    gain = LOUDNESS_TARGET_LUFS - measured["i"]
    if measured["tp"] + gain <= LOUDNESS_PEAK_DBTP:
        return f"volume={gain:.2f}dB"
    return (
        f"loudnorm=I={LOUDNESS_TARGET_LUFS}:TP={LOUDNESS_PEAK_DBTP}:LRA=11"
        f":measured_I={measured['i']:.2f}:measured_TP={measured['tp']:.2f}"
        f":measured_LRA={measured['lra']:.2f}:measured_thresh={measured['thresh']:.2f}"
        f":linear=true,aresample={SAMPLE_RATE}"
    )


def recap_render_args(
    *,
    script: str,
    spans: Sequence[tuple[float, float]],
    has_audio: bool,
    size: tuple[int, int],
    loudness: dict[str, float] | None,
    sprite: tuple[float, int, int, int, int] | None,
    out_video: str,
    out_sprite: str,
) -> list[str]:
    """One run: the clips of `script` (see `concat_script`) back to back, loudness normalised,
    scaled, H.264/AAC with faststart.

    `sprite` is (seconds per tile, tile width, tile height, columns, rows); the thumbnail grid
    is drawn from the same decoded frames as a second output, so it costs no extra decode.
    """
    width, height = size
    total = sum(end - start for start, end in spans)
    graph = [f"[0:v:0]select=concatdec_select,scale={width}:{height},setsar=1,format=yuv420p[vcat]"]
    if has_audio:
        graph += _audio_chain(spans)
        graph.append(f"[acat]{loudness_filter(loudness)}[aout]")
    else:
        # A silent track keeps players and browsers from treating the recap as broken.
        graph.append(f"anullsrc=r={SAMPLE_RATE}:cl=stereo,atrim=duration={total:.3f}[aout]")
    outputs = ["-map", "[vmain]", "-map", "[aout]"]
    if sprite:
        every, tile_w, tile_h, cols, rows = sprite
        graph.append("[vcat]split=2[vmain][vthumb]")
        graph.append(
            # The first frame, then one every `every` seconds (fps=1/N drops short recaps).
            f"[vthumb]select='isnan(prev_selected_t)+gte(t-prev_selected_t,{every:.3f})',"
            f"scale={tile_w}:{tile_h},setsar=1,"
            f"tile={cols}x{rows}[sprite]"
        )
    else:
        graph.append("[vcat]null[vmain]")
    args = [
        *_concat_input(script, audio_only=False),
        "-filter_complex", ";".join(graph),
        *outputs,
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "21", "-pix_fmt", "yuv420p",
        "-profile:v", "high", "-g", "48",
        "-c:a", "aac", "-b:a", "160k", "-ar", str(SAMPLE_RATE),
        "-movflags", "+faststart", "-f", "mp4", out_video,
    ]  # fmt: skip
    if sprite:
        args += ["-map", "[sprite]", "-frames:v", "1", "-q:v", "4", "-update", "1", out_sprite]
    return args


def frames_gray_args(
    movie: str, at: float, seconds: float, per_second: int, size: tuple[int, int]
) -> list[str]:
    """Small grayscale frames from `at` on stdout, for choosing a poster frame."""
    return [
        "-ss", f"{max(0.0, at):.3f}", "-t", f"{seconds:.3f}", "-i", movie, "-an", "-sn",
        "-vf", f"fps={per_second},scale={size[0]}:{size[1]},format=gray",
        "-f", "rawvideo", "pipe:1",
    ]  # fmt: skip


def poster_args(movie: str, at: float, size: tuple[int, int], out_path: str) -> list[str]:
    return [
        "-ss", f"{max(0.0, at):.3f}", "-i", movie, "-an", "-sn", "-frames:v", "1",
        "-vf", f"scale={size[0]}:{size[1]},setsar=1", "-q:v", "3", "-update", "1", out_path,
    ]  # fmt: skip


def subtitle_extract_args(movie: str, stream_index: int, out_path: str, codec: str) -> list[str]:
    """Copy one embedded text subtitle stream out as WebVTT or SRT."""
    fmt = {"webvtt": "webvtt", "srt": "srt"}[codec]
    return ["-i", movie, "-map", f"0:{int(stream_index)}", "-c:s", codec, "-f", fmt, out_path]


def run_with_progress(
    args: Sequence[str],
    *,
    on_frames: Callable[[int], None] | None,
    timeout: float = DEFAULT_TIMEOUT,
) -> subprocess.CompletedProcess:
    """Like `run`, reading `-progress pipe:1` and reporting the frames written so far."""
    import tempfile
    import threading

    cmd = [*base_args(), "-nostats", "-progress", "pipe:1", *args]
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors,
            start_new_session=True,
        )  # fmt: skip
        timed_out = threading.Event()

        def expire() -> None:
            timed_out.set()
            kill_group(proc)

        timer = threading.Timer(timeout, expire)
        timer.start()
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                if on_frames and line.startswith(b"frame=") and line[6:].strip().isdigit():
                    on_frames(int(line[6:]))
            proc.wait()
        except BaseException:
            kill_group(proc)
            proc.wait()
            raise
        finally:
            timer.cancel()
        errors.seek(0)
        err = errors.read()
    if proc.returncode < 0:
        if timed_out.is_set():
            raise TransientPipelineError("ffmpeg_timeout", f"ffmpeg ran longer than {timeout:.0f}s")
        raise TransientPipelineError(
            "ffmpeg_killed", f"ffmpeg was killed by signal {-proc.returncode}"
        )
    if proc.returncode != 0:
        tail = err.decode("utf-8", "replace")[-2000:]
        raise PipelineError("ffmpeg_failed", f"ffmpeg exited with {proc.returncode}: {tail}")
    return subprocess.CompletedProcess(cmd, proc.returncode, b"", err)


# --- shot analysis, verification windows, remux and the crossfaded render ---
# New builders kept together; the older ones above stay as they are.

SHOT_AREA = (64, 36)  # see shots.py: area-averaged luma over point-sampled colour, one frame


def shot_analysis_args(
    path: str, *, demuxer: str, audio_fd: int | None, audio_rate: int
) -> list[str]:
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
) -> list[str]:
    """`frames` frames from each of `starts` (seconds, accurate seeks), one window after the
    other as RGB24 of `size` on stdout; a window cut short by the movie's end is padded with
    its last frame, so every window has exactly `frames`."""
    w, h, count = int(size[0]), int(size[1]), int(frames)
    args: list[str] = []
    graph = []
    for n, start in enumerate(starts):
        args += ["-ss", f"{max(0.0, start):.4f}", "-f", demuxer, "-i", input_url(path)]
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


CROSSFADE = 0.12  # seconds of sound overlapping at every join, centred on the cut
EDGE_FADE = 0.02  # seconds faded in at the recap's start and out at its end: no click there


def crossfade_spans(
    spans: Sequence[tuple[float, float]], duration: float
) -> list[tuple[float, float]]:
    """The stretch of sound read for each clip: the clip widened by half a crossfade either
    side (less where the movie begins or ends)."""
    half = CROSSFADE / 2
    end = duration if duration > 0 else float("inf")
    return [(max(0.0, start - half), min(end, stop + half)) for start, stop in spans]


def crossfaded_audio(
    spans: Sequence[tuple[float, float]],
    sounds: Sequence[tuple[float, float]],
    *,
    source: str,
) -> list[str]:
    """Graph lines from `source` (the `sounds` of `crossfade_spans` read through a concat
    list) to [acat]: the clips' sound back to back, every join crossfaded around its cut, as
    long as the clips together and in sync with them."""
    # Read, pin to the timeline and split at the joins as `_audio_chain` does, from `source`.
    front = _audio_chain(sounds)[: 2 if len(sounds) > 1 else 1]
    graph = [front[0].replace("[0:a:0]", f"[{source}]", 1), *front[1:]]
    joined = "a0"
    for i in range(1, len(spans)):
        # The sound read past clip i-1's end and before clip i's start overlaps at the join.
        overlap = (sounds[i - 1][1] - spans[i - 1][1]) + (spans[i][0] - sounds[i][0])
        if overlap >= 1.0 / SAMPLE_RATE:
            graph.append(f"[{joined}][a{i}]acrossfade=d={overlap:.5f}:c1=tri:c2=tri[j{i}]")
        else:
            graph.append(f"[{joined}][a{i}]concat=n=2:v=0:a=1[j{i}]")
        joined = f"j{i}"
    total = sum(b - a for a, b in spans)
    lead = spans[0][0] - sounds[0][0]
    graph.append(
        f"[{joined}]atrim=start={lead:.5f}:duration={total:.5f},asetpts=PTS-STARTPTS,"
        f"afade=t=in:d={EDGE_FADE}:curve=tri,"
        f"afade=t=out:st={max(0.0, total - EDGE_FADE):.5f}:d={EDGE_FADE}:curve=tri[acat]"
    )
    return graph


def crossfade_loudness_scan_args(
    script: str, spans: Sequence[tuple[float, float]], sounds: Sequence[tuple[float, float]]
) -> list[str]:
    """The EBU R128 summary (stderr) of exactly the sound `crossfade_render_args` encodes;
    `script` lists the `sounds`."""
    graph = crossfaded_audio(spans, sounds, source="0:a:0")
    graph.append("[acat]ebur128=peak=true:framelog=quiet[aout]")
    return [
        *_concat_input(script, audio_only=True),
        "-filter_complex", ";".join(graph), "-map", "[aout]", "-f", "null", "-",
    ]  # fmt: skip


def crossfade_render_args(
    *,
    video_script: str,
    audio_script: str,
    spans: Sequence[tuple[float, float]],
    sounds: Sequence[tuple[float, float]],
    size: tuple[int, int],
    loudness: dict[str, float] | None,
    sprite: tuple[float, int, int, int, int] | None,
    out_video: str,
    out_sprite: str,
) -> list[str]:
    """`recap_render_args` with the sound read through its own list (`audio_script`, the
    `sounds`) and crossfaded at every join instead of faded out and in."""
    args = recap_render_args(
        script=video_script, spans=spans, has_audio=False, size=size, loudness=None,
        sprite=sprite, out_video=out_video, out_sprite=out_sprite,
    )  # fmt: skip
    at = args.index("-filter_complex")
    pictures = [line for line in args[at + 1].split(";") if not line.startswith("anullsrc=")]
    sound = crossfaded_audio(spans, sounds, source="1:a:0")
    sound.append(f"[acat]{loudness_filter(loudness)}[aout]")
    return [
        "-an", *args[:at], *_concat_input(audio_script, audio_only=True),
        "-filter_complex", ";".join(pictures + sound), *args[at + 2 :],
    ]  # fmt: skip


# Containers without an index: a seek lands by byte estimate, often on the wrong frames.
UNINDEXED_DEMUXERS = frozenset({"mpegts", "mpeg"})


def remux_args(path: str, *, demuxer: str, out: str) -> list[str]:
    """Copy the first video and audio stream of `path` into the MP4 `out`, re-encoding
    nothing; MP4's index makes every later seek land on the frame asked for."""
    return [
        "-f", demuxer, "-i", input_url(path),
        "-map", "0:v:0", "-map", "0:a:0?", "-c", "copy", "-sn", "-dn",
        "-movflags", "+faststart", "-f", "mp4", out,
    ]  # fmt: skip
