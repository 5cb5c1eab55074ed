"""Test movies with known truth: shots, cuts, dissolves, black, loud and quiet audio, dialogue.

Built from ffmpeg's generated sources, so tests and benchmarks need no media files. The
`SynthTruth` returned is what an analysis of the file should find.
"""

from __future__ import annotations

import itertools
import os
import random
from collections.abc import Iterable
from dataclasses import dataclass

from media_pipeline.pipeline import ffmpeg
from media_pipeline.pipeline.types import Cue

# Distinct looks for consecutive shots; each moves smoothly, as filmed shots mostly do.
_KINDS = ("testsrc2", "gradients", "cellauto", "box", "mandelbrot")
_PALETTE = (
    "0xd02020", "0x20a040", "0x2040d0", "0xe0c020", "0x9020c0", "0x20c0c0",
    "0xf08030", "0x404040", "0xf0f0f0", "0x806020",
)  # fmt: skip
_WORDS = (
    "the", "ship", "storm", "captain", "secret", "city", "fire", "we", "must", "leave", "now",
    "she", "found", "the", "map", "they", "run", "tonight", "river", "home", "never", "again",
)  # fmt: skip
LOUD_AMPLITUDE = 0.5
QUIET_AMPLITUDE = 0.01


@dataclass(frozen=True)
class SynthTruth:
    duration: float
    fps: float
    width: int
    height: int
    shots: tuple[tuple[float, float], ...]
    cuts: tuple[float, ...]
    dissolves: tuple[tuple[float, float], ...]
    black: tuple[tuple[float, float], ...]
    loud: tuple[tuple[float, float], ...]
    quiet: tuple[tuple[float, float], ...]
    cues: tuple[Cue, ...]
    credits: tuple[float, float] | None

    @property
    def boundaries(self) -> tuple[float, ...]:
        """Every shot boundary (cut instants and dissolve centres), in time order."""
        return tuple(sorted([*self.cuts, *((a + b) / 2 for a, b in self.dissolves)]))


def _split(total: float, count: int, rng: random.Random, minimum: float) -> list[float]:
    """`count` lengths summing to `total`, each at least `minimum`, varied but seeded."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(count)]
    spare = max(0.0, total - minimum * count)
    scale = spare / sum(weights)
    return [minimum + w * scale for w in weights]


def _shot_source(kind: str, index: int, w: int, h: int, fps: float, length: float) -> str:
    colour = _PALETTE[index % len(_PALETTE)]
    other = _PALETTE[(index * 3 + 5) % len(_PALETTE)]
    size = f"s={w}x{h}:r={fps}"
    if kind == "testsrc2":
        src = f"testsrc2={size},hue=h={(index * 67) % 360}"
    elif kind == "gradients":
        # Smooth by nature, so drawn at half size and scaled up: four times cheaper.
        src = f"gradients=s={max(w // 2, 16)}x{max(h // 2, 16)}:r={fps}:c0={colour}:c1={other}"
        src += f":speed=0.006:type={index % 4}:seed={index},scale={w}:{h}"
    elif kind == "cellauto":  # one generated picture drifting sideways, tinted
        src = f"cellauto={size}:rule={(30, 90, 110, 150)[index % 4]}:seed={index}:full=1"
        src += ",trim=end_frame=1,loop=loop=-1:size=1,scroll=h=0.003,format=yuv420p"
        src += f",lutyuv=u={60 + (index * 40) % 140}:v={200 - (index * 50) % 140}"
    elif kind == "box":  # a small test card travelling across a plain colour
        src = f"color=c={colour}:{size}[bg{index}];testsrc=s={max(w // 3, 16)}x{max(h // 3, 16)}"
        src += f":r={fps}[fg{index}];[bg{index}][fg{index}]overlay=x='mod(t*{w / 8:.1f},{w})'"
        src += f":y={h // 3}:shortest=0"
    else:  # mandelbrot is costly per pixel: render small, scale up
        src = f"mandelbrot=s={max(w // 8, 16)}x{max(h // 8, 16)}:r={fps}:maxiter=64"
        src += f":start_scale={1.5 + index % 3},scale={w}:{h},hue=h={(index * 41) % 360}"
    return (
        f"{src},format=yuv420p,setsar=1,trim=duration={length:.4f},setpts=PTS-STARTPTS,settb=AVTB"
    )


def _plain_source(kind: str, w: int, h: int, fps: float, length: float) -> str:
    if kind == "black":
        src = f"color=c=black:s={w}x{h}:r={fps}"
    else:  # credits: rows of grey "text" bars of uneven width rolling up, one line a frame
        src = f"color=c=black:s={w}x{h}:r={fps}"
        for row in range(8):
            bar_w = w * (0.25 + 0.08 * ((row * 5) % 7))
            src += (
                f",drawbox=x={(w - bar_w) / 2:.0f}:y={row * h // 8 + 4}:w={bar_w:.0f}"
                f":h={max(2, h // 40)}:c=0xa0a0a0:t=fill"
            )
        src += f",scroll=v={1 / h:.6f}"
    return (
        f"{src},format=yuv420p,setsar=1,trim=duration={length:.4f},setpts=PTS-STARTPTS,settb=AVTB"
    )


def _audio_plan(
    start: float, end: float, rng: random.Random
) -> tuple[list[tuple[float, float, str]], list[tuple[float, float]], list[tuple[float, float]]]:
    spans: list[tuple[float, float, str]] = []
    t, loud = start, True
    while t < end - 1e-6:
        length = min(rng.uniform(3.0, 7.0), end - t)
        if end - (t + length) < 1.5:  # no sliver at the end
            length = end - t
        spans.append((t, t + length, "loud" if loud else "quiet"))
        t += length
        loud = not loud
    loud_spans = [(a, b) for a, b, k in spans if k == "loud"]
    quiet_spans = [(a, b) for a, b, k in spans if k == "quiet"]
    return spans, loud_spans, quiet_spans


def _audio_source(kind: str, length: float, index: int) -> str:
    if kind == "loud":
        src = f"anoisesrc=r=48000:c=pink:a={LOUD_AMPLITUDE}:seed={index + 1}"
    elif kind == "quiet":
        src = f"sine=f={220 + 40 * (index % 5)}:r=48000,volume={QUIET_AMPLITUDE}"
    else:
        src = "anullsrc=r=48000:cl=mono"
    return f"{src},aformat=sample_fmts=fltp:channel_layouts=mono,atrim=duration={length:.4f}"


def _dialogue(shots: list[tuple[float, float]], rng: random.Random) -> tuple[Cue, ...]:
    cues: list[Cue] = []
    for a, b in shots:
        t = a + 0.4
        while t + 1.8 < b:
            words = rng.sample(_WORDS, rng.randint(3, 7))
            text = " ".join(words).capitalize() + rng.choice((".", "!", "?"))
            cues.append(Cue(round(t, 3), round(t + 1.6, 3), text))
            t += rng.uniform(2.5, 5.0)
    return tuple(cues)


def make_movie(
    path: str,
    *,
    duration: float,
    width: int = 320,
    height: int = 180,
    fps: float = 25,
    shots: int | None = None,
    dissolves: int = 0,
    dissolve_length: float = 1.0,
    with_audio: bool = True,
    black_start: float = 0.0,
    black_end: float = 0.0,
    credits: float = 0.0,
    seed: int = 1,
    preset: str = "ultrafast",
) -> SynthTruth:
    """Encode a movie at `path` (H.264/AAC; .mkv or .mp4 by extension) and return its truth.

    `shots` defaults to one every ~5 s; `dissolves` boundaries between shots become cross
    fades of `dissolve_length` seconds, the others are hard cuts.
    """
    rng = random.Random(seed)

    def on_frame(t: float) -> float:
        # Every piece lasts a whole number of frames, or each join would drift the timeline.
        return round(t * fps) / fps

    duration, black_start, black_end, credits = (
        on_frame(t) for t in (duration, black_start, black_end, credits)
    )
    content_start = black_start
    content_end = on_frame(duration - black_end - credits)
    if content_end - content_start < 1.0:
        raise ValueError("no room left for shots")
    count = shots if shots is not None else max(1, round((content_end - content_start) / 5))
    lengths = _split(content_end - content_start, count, rng, minimum=2 * dissolve_length + 0.5)
    bounds = [content_start]
    for length in lengths:
        bounds.append(on_frame(bounds[-1] + length))
    bounds[-1] = content_end
    shot_spans = list(itertools.pairwise(bounds))
    inner = list(range(1, count))  # index i: boundary between shot i-1 and shot i
    step = max(1, len(inner) // max(dissolves, 1))
    dissolve_at = set(inner[step // 2 :: step][:dissolves]) if dissolves else set()

    # Video graph: each piece is a source; pieces join by concat (cut) or xfade (dissolve).
    parts: list[str] = []
    pieces: list[tuple[str, float, float]] = []  # (source, timeline start, timeline end)
    if black_start > 0:
        pieces.append((_plain_source("black", width, height, fps, black_start), 0.0, black_start))
    half = on_frame(dissolve_length / 2)
    for i, (a, b) in enumerate(shot_spans):
        lead = half if i in dissolve_at else 0.0
        tail = half if (i + 1) in dissolve_at else 0.0
        kind = _KINDS[i % len(_KINDS)]
        src = _shot_source(kind, i, width, height, fps, b - a + lead + tail)
        pieces.append((src, a - lead, b + tail))
    if credits > 0:
        pieces.append(
            (
                _plain_source("credits", width, height, fps, credits),
                content_end,
                content_end + credits,
            )
        )
    if black_end > 0:
        pieces.append(
            (_plain_source("black", width, height, fps, black_end), duration - black_end, duration)
        )
    for n, (src, _, _) in enumerate(pieces):
        parts.append(f"{src}[p{n}]")
    # Runs of pieces joined by cuts go through one concat each; only the few dissolves chain
    # (a chain of 2-input concats would pass every frame through every later join).
    runs: list[list[int]] = [[0]]
    cut_times: list[float] = []
    for n in range(1, len(pieces)):
        if pieces[n][1] < pieces[n - 1][2] - 1e-6:  # overlap: a dissolve centred on the join
            runs.append([n])
        else:
            runs[-1].append(n)
            cut_times.append(round(pieces[n][1], 6))
    for r, run in enumerate(runs):
        labels = "".join(f"[p{n}]" for n in run)
        parts.append(f"{labels}concat=n={len(run)}:v=1:a=0,settb=AVTB[r{r}]")
    acc = "r0"
    for r in range(1, len(runs)):
        start, overlap = pieces[runs[r][0]][1], pieces[runs[r - 1][-1]][2] - pieces[runs[r][0]][1]
        parts.append(
            f"[{acc}][r{r}]xfade=transition=fade:duration={overlap:.4f}:offset={start:.4f}[x{r}]"
        )
        acc = f"x{r}"
    parts.append(f"[{acc}]null[vout]")

    audio_spans, loud, quiet = _audio_plan(content_start, content_end, rng)
    if with_audio:
        plan = [(0.0, content_start, "silent"), *audio_spans]
        plan += [
            (content_end, content_end + credits, "quiet"),
            (content_end + credits, duration, "silent"),
        ]
        plan = [p for p in plan if p[1] - p[0] > 1e-6]
        for n, (a, b, kind) in enumerate(plan):
            parts.append(f"{_audio_source(kind, b - a, n)}[a{n}]")
        labels = "".join(f"[a{n}]" for n in range(len(plan)))
        parts.append(f"{labels}concat=n={len(plan)}:v=0:a=1[aout]")
    if credits > 0:
        quiet.append((content_end, content_end + credits))

    # A long movie's graph passes Linux's 128 KiB limit on one argument: ffmpeg reads it from
    # a file instead (the `-/option file` form).
    graph_file = f"{path}.graph.txt"
    with open(graph_file, "w", encoding="utf-8") as fh:
        fh.write(";".join(parts))
    args = ["-/filter_complex", graph_file, "-map", "[vout]"]
    if with_audio:
        args += ["-map", "[aout]", "-c:a", "aac", "-b:a", "96k"]
    args += [
        "-c:v", "libx264", "-preset", preset, "-crf", "26", "-pix_fmt", "yuv420p",
        "-g", str(int(fps * 4)), "-t", f"{duration:.4f}", path,
    ]  # fmt: skip
    try:
        ffmpeg.run(args, timeout=max(600.0, duration * 4))
    finally:
        os.remove(graph_file)

    dissolve_spans = tuple(
        (shot_spans[i][0] - half, shot_spans[i][0] + half) for i in sorted(dissolve_at)
    )
    black = []
    if black_start > 0:
        black.append((0.0, black_start))
    if black_end > 0:
        black.append((duration - black_end, duration))
    return SynthTruth(
        duration=duration,
        fps=float(fps),
        width=width,
        height=height,
        shots=tuple(shot_spans),
        cuts=tuple(cut_times),
        dissolves=dissolve_spans,
        black=tuple(black),
        loud=tuple(loud),
        quiet=tuple(quiet),
        cues=_dialogue(shot_spans, rng),
        credits=(content_end, content_end + credits) if credits > 0 else None,
    )


def _timestamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def write_srt(cues: Iterable[Cue], path: str) -> str:
    """Write `cues` as a UTF-8 SubRip file at `path` and return the path."""
    blocks = [
        f"{n}\n{_timestamp(c.start)} --> {_timestamp(c.end)}\n{c.text}\n"
        for n, c in enumerate(cues, start=1)
    ]
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(blocks))
    return os.fspath(path)
