"""The one module that starts ffmpeg: binary lookup, fixed argument templates, timeouts.

Every call reads local files only (`-protocol_whitelist file,pipe`), runs in its own process
group so a timeout or a cancelled job kills ffmpeg and anything it spawned, and never puts
user text inside a filter graph.
"""

from __future__ import annotations

import os
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
LOUDNESS_TARGET = "I=-16:TP=-1.5:LRA=11"
# Every open input holds a few decoded frames (about 25 MB each at 1080p), and seeking costs
# about one GOP of decoding: gaps shorter than MERGE_GAP are cheaper to decode through.
MAX_INPUTS = 12
MERGE_GAP = 4.0


def plan_inputs(
    spans: Sequence[tuple[float, float]], *, max_inputs: int = MAX_INPUTS, gap: float = MERGE_GAP
) -> tuple[list[tuple[float, float]], list[tuple[int, float, float]]]:
    """Group chronological spans into seeked inputs: (inputs, segments).

    Each input is opened with an accurate `-ss`, so only its own seconds are decoded; but every
    open input holds a few decoded frames, so nearby spans share an input (the smallest gaps
    are decoded through) until at most `max_inputs` remain. Segments are (input index, start,
    end) relative to their input.
    """
    groups = [[span] for span in spans]
    while len(groups) > 1:
        gaps = [groups[i + 1][0][0] - groups[i][-1][1] for i in range(len(groups) - 1)]
        i = min(range(len(gaps)), key=gaps.__getitem__)
        if gaps[i] > gap and len(groups) <= max_inputs:
            break
        groups[i : i + 2] = [groups[i] + groups[i + 1]]
    inputs = [(group[0][0], group[-1][1]) for group in groups]
    segments = [
        (index, start - inputs[index][0], end - inputs[index][0])
        for index, group in enumerate(groups)
        for start, end in group
    ]
    return inputs, segments


def _inputs(movie: str, inputs: Sequence[tuple[float, float]], *, audio_only: bool) -> list[str]:
    args: list[str] = []
    for start, end in inputs:
        args += ["-vn"] if audio_only else []
        args += ["-ss", f"{start:.3f}", "-t", f"{end - start:.3f}", "-i", movie]
    return args


def _fan_out(
    segments: Sequence[tuple[int, float, float]], stream: str, split: str
) -> tuple[list[str], list[str]]:
    """Split each input's `stream` once per segment it feeds; returns (graph, labels)."""
    graph, labels = [], []
    for index in sorted({seg[0] for seg in segments}):
        mine = [i for i, seg in enumerate(segments) if seg[0] == index]
        outs = "".join(f"[{stream}s{i}]" for i in mine)
        graph.append(f"[{index}:{stream}:0]{split}={len(mine)}{outs}")
    labels = [f"[{stream}s{i}]" for i in range(len(segments))]
    return graph, labels


def _audio_chain(segments: Sequence[tuple[int, float, float]]) -> list[str]:
    """Trim and fade every segment's audio, then concat them into [acat]."""
    graph, labels = _fan_out(segments, "a", "asplit")
    for i, (_index, start, end) in enumerate(segments):
        duration = end - start
        fade = min(AUDIO_FADE, duration / 4)
        graph.append(
            f"{labels[i]}atrim=start={start:.3f}:end={end:.3f},asetpts=PTS-STARTPTS,"
            f"aformat=sample_rates=48000:channel_layouts=stereo,"
            f"afade=t=in:d={fade:.3f},afade=t=out:st={duration - fade:.3f}:d={fade:.3f}[a{i}]"
        )
    joined = "".join(f"[a{i}]" for i in range(len(segments)))
    graph.append(f"{joined}concat=n={len(segments)}:v=0:a=1[acat]")
    return graph


def loudness_scan_args(movie: str, spans: Sequence[tuple[float, float]]) -> list[str]:
    """Audio-only pass over the kept spans that prints loudnorm's measurement as JSON."""
    inputs, segments = plan_inputs(spans)
    graph = [*_audio_chain(segments), f"[acat]loudnorm={LOUDNESS_TARGET}:print_format=json[aout]"]
    return [
        *_inputs(movie, inputs, audio_only=True),
        "-filter_complex", ";".join(graph),
        "-map", "[aout]", "-f", "null", "-",
    ]  # fmt: skip


def parse_loudnorm_json(stderr: bytes) -> dict[str, float] | None:
    """The measured_* values loudnorm printed, or None when there is nothing usable."""
    import json

    text = stderr.decode("utf-8", "replace")
    start, end = text.rfind("{"), text.rfind("}")
    if start < 0 or end < start:
        return None
    try:
        raw = json.loads(text[start : end + 1])
        values = {key: float(raw[key]) for key in ("input_i", "input_tp", "input_lra")}
        values["input_thresh"] = float(raw["input_thresh"])
        values["target_offset"] = float(raw["target_offset"])
    except (ValueError, KeyError):
        return None
    # -inf means silence: normalising it would only amplify noise.
    return values if all(abs(v) != float("inf") for v in values.values()) else None


def recap_render_args(
    *,
    movie: str,
    spans: Sequence[tuple[float, float]],
    has_audio: bool,
    size: tuple[int, int],
    loudness: dict[str, float] | None,
    sprite: tuple[float, int, int, int, int] | None,
    out_video: str,
    out_sprite: str,
) -> list[str]:
    """One run: trim + concat the spans, normalise loudness, scale, H.264/AAC with faststart.

    `sprite` is (seconds per tile, tile width, tile height, columns, rows); the thumbnail grid
    is drawn from the same decoded frames as a second output, so it costs no extra decode.
    """
    width, height = size
    total = sum(end - start for start, end in spans)
    inputs, segments = plan_inputs(spans)
    graph, labels = _fan_out(segments, "v", "split")
    for i, (_index, start, end) in enumerate(segments):
        graph.append(f"{labels[i]}trim=start={start:.3f}:end={end:.3f},setpts=PTS-STARTPTS[v{i}]")
    # Scale once after the join: a scaler per segment keeps its own pool of full-size frames.
    joined = "".join(f"[v{i}]" for i in range(len(segments)))
    graph.append(
        f"{joined}concat=n={len(segments)}:v=1:a=0,"
        f"scale={width}:{height},setsar=1,format=yuv420p[vcat]"
    )
    if has_audio:
        graph += _audio_chain(segments)
        norm = f"loudnorm={LOUDNESS_TARGET}"
        if loudness:
            norm += (
                f":measured_I={loudness['input_i']:.2f}:measured_TP={loudness['input_tp']:.2f}"
                f":measured_LRA={loudness['input_lra']:.2f}"
                f":measured_thresh={loudness['input_thresh']:.2f}"
                f":offset={loudness['target_offset']:.2f}:linear=true"
            )
        graph.append(f"[acat]{norm},aresample=48000[aout]")
    else:
        # A silent track keeps players and browsers from treating the recap as broken.
        graph.append(f"anullsrc=r=48000:cl=stereo,atrim=duration={total:.3f}[aout]")
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
        *_inputs(movie, inputs, audio_only=False),
        "-filter_complex", ";".join(graph),
        *outputs,
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "21", "-pix_fmt", "yuv420p",
        "-profile:v", "high", "-g", "48",
        "-c:a", "aac", "-b:a", "160k", "-ar", "48000",
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
    on_time: Callable[[float], None] | None,
    timeout: float = DEFAULT_TIMEOUT,
) -> subprocess.CompletedProcess:
    """Like `run`, reading `-progress pipe:1` and reporting the output time in seconds."""
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
                if on_time and line.startswith(b"out_time_us=") and line[12:].strip().isdigit():
                    on_time(int(line[12:]) / 1_000_000)
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
