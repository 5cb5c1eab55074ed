"""Argument templates for the recap render: the clip list, the audio chain, the loudness scan
and the one encode. Filter graphs are built from numbers computed by the caller (times, sizes,
loudness), never from user text.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from ..types import PipelineError
from .process import Arg, Input, Output

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


def _concat_input(script: str, *, audio_only: bool) -> list[Arg]:
    """The concat list as the only input; every frame carries its clip's start and length.

    `-copyts` keeps the concat timeline as it is: by default ffmpeg would shift it by the first
    clip's pre-roll (the frames decoded from the keyframe before its inpoint), and
    `concatdec_select` would then keep the wrong frames."""
    return [
        "-copyts",
        *(["-vn"] if audio_only else []),
        "-f", "concat", "-safe", "0", "-segment_time_metadata", "1", "-i", Input(script),
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


def loudness_scan_args(script: str, spans: Sequence[tuple[float, float]]) -> list[Arg]:
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
) -> list[Arg]:
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
    args: list[Arg] = [
        *_concat_input(script, audio_only=False),
        "-filter_complex", ";".join(graph),
        *outputs,
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "21", "-pix_fmt", "yuv420p",
        "-profile:v", "high", "-g", "48",
        "-c:a", "aac", "-b:a", "160k", "-ar", str(SAMPLE_RATE),
        "-movflags", "+faststart", "-f", "mp4", Output(out_video),
    ]  # fmt: skip
    if sprite:
        args += [
            "-map", "[sprite]", "-frames:v", "1", "-q:v", "4", "-update", "1", Output(out_sprite),
        ]  # fmt: skip
    return args


# --- crossfaded joins: each clip's sound read a little wider, overlapped at the cut ---

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
) -> list[Arg]:
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
) -> list[Arg]:
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
