"""Synthetic test movies for the benchmark, generated once per parameter set and cached.

Each movie is made by the project's own generator (`synth.make_movie`), so its truth (cuts,
dissolves, black, credits, dialogue) is known; the truth is stored next to the file as JSON.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from dataclasses import asdict, dataclass, field, replace

from bench import synth
from media_pipeline.pipeline import ffmpeg
from media_pipeline.pipeline.types import Cue

# Longer movies are made as 10-minute parts joined by stream copy; each join is a hard cut.
# (synth.make_movie once could not fit a 60-minute graph in one argument; it reads the graph
# from a file now, but the parts stay so the movies, and results, match the earlier runs.)
SEGMENT = 600.0


@dataclass(frozen=True)
class MovieSpec:
    """One benchmark movie: a short name and the keyword arguments for `synth.make_movie`."""

    name: str
    duration: float
    width: int
    height: int
    fps: float = 25
    dissolves: int = 0
    black: float = 2.0  # at the start and at the end
    credits: float = 0.0
    seed: int = 11
    preset: str = "ultrafast"

    def make_kwargs(self) -> dict:
        return {
            "duration": self.duration,
            "width": self.width,
            "height": self.height,
            "fps": self.fps,
            "dissolves": self.dissolves,
            "dissolve_length": 1.0,
            "black_start": self.black,
            "black_end": self.black,
            "credits": self.credits,
            "seed": self.seed,
            "preset": self.preset,
        }

    @property
    def parts(self) -> int:
        return max(1, math.ceil(self.duration / SEGMENT - 1e-9))

    @property
    def key(self) -> str:
        kwargs = self.make_kwargs() | ({"segment": SEGMENT} if self.parts > 1 else {})
        blob = json.dumps(kwargs, sort_keys=True).encode()
        digest = hashlib.sha1(blob, usedforsecurity=False).hexdigest()[:10]
        return f"{self.name}-{digest}"


@dataclass(frozen=True)
class BenchMovie:
    spec: MovieSpec
    path: str
    srt: str
    truth: synth.SynthTruth
    generated_in: float | None = None  # seconds, when made in this run
    extra: dict = field(default_factory=dict)


def _spec(name: str, minutes: float, width: int, height: int, seed: int) -> MovieSpec:
    seconds = minutes * 60
    # About one boundary in ten is a dissolve; credits ~3% of the running time.
    shots = max(1, round(seconds / 5))
    return MovieSpec(
        name=name,
        duration=seconds,
        width=width,
        height=height,
        dissolves=max(1, shots // 10),
        black=2.0,
        credits=round(max(5.0, seconds * 0.03)),
        seed=seed,
    )


FULL = (
    _spec("10min-1080p", 10, 1920, 1080, seed=11),
    _spec("60min-720p", 60, 1280, 720, seed=12),
)
QUICK = (
    _spec("2min-720p", 2, 1280, 720, seed=21),
    _spec("5min-480p", 5, 854, 480, seed=22),
)


def _truth_to_json(truth: synth.SynthTruth) -> dict:
    data = asdict(truth)
    data["cues"] = [asdict(c) for c in truth.cues]
    return data


def _truth_from_json(data: dict) -> synth.SynthTruth:
    def spans(key: str) -> tuple[tuple[float, float], ...]:
        return tuple((float(a), float(b)) for a, b in data[key])

    return synth.SynthTruth(
        duration=data["duration"],
        fps=data["fps"],
        width=data["width"],
        height=data["height"],
        shots=spans("shots"),
        cuts=tuple(data["cuts"]),
        dissolves=spans("dissolves"),
        black=spans("black"),
        loud=spans("loud"),
        quiet=spans("quiet"),
        cues=tuple(Cue(c["start"], c["end"], c["text"]) for c in data["cues"]),
        credits=tuple(data["credits"]) if data["credits"] else None,
    )


def ensure_movie(spec: MovieSpec, out_dir: str, *, log=print) -> BenchMovie:
    """The movie for `spec` in `out_dir/movies`, generating it (and its SRT) if not cached."""
    folder = os.path.join(out_dir, "movies")
    os.makedirs(folder, exist_ok=True)
    base = os.path.join(folder, spec.key)
    path, srt, meta = base + ".mp4", base + ".srt", base + ".truth.json"
    if os.path.exists(path) and os.path.exists(meta) and os.path.exists(srt):
        with open(meta, encoding="utf-8") as fh:
            stored = json.load(fh)
        return BenchMovie(spec, path, srt, _truth_from_json(stored["truth"]), extra=stored)
    log(f"generating {spec.name} ({spec.width}x{spec.height}, {spec.duration:.0f}s) ...")
    partial = base + ".partial.mp4"
    clock = time.monotonic()
    if spec.parts == 1:
        truth = synth.make_movie(partial, **spec.make_kwargs())
    else:
        truth = _make_in_parts(spec, base, partial, log)
    took = time.monotonic() - clock
    os.replace(partial, path)
    synth.write_srt(truth.cues, srt)
    stored = {
        "spec": asdict(spec),
        "truth": _truth_to_json(truth),
        "generated_seconds": round(took, 1),
        "size_bytes": os.path.getsize(path),
    }
    with open(meta, "w", encoding="utf-8") as fh:
        json.dump(stored, fh)
    log(f"  generated in {took:.0f}s, {os.path.getsize(path) / 1e6:.0f} MB")
    return BenchMovie(spec, path, srt, truth, generated_in=took, extra=stored)


def _make_in_parts(spec: MovieSpec, base: str, out_path: str, log) -> synth.SynthTruth:
    """Make `spec` as `spec.parts` movies of SEGMENT seconds and join them without re-encoding."""
    n = spec.parts
    truths, paths = [], []
    for i in range(n):
        part = replace(
            spec,
            duration=min(SEGMENT, spec.duration - i * SEGMENT),
            dissolves=max(1, round(spec.dissolves / n)),
            seed=spec.seed * 100 + i,
        )
        kwargs = part.make_kwargs() | {
            "black_start": spec.black if i == 0 else 0.0,
            "black_end": spec.black if i == n - 1 else 0.0,
            "credits": spec.credits if i == n - 1 else 0.0,
        }
        path = f"{base}.part{i}.mp4"
        log(f"  part {i + 1}/{n}")
        truths.append(synth.make_movie(path, **kwargs))
        paths.append(path)
    listing = base + ".parts.txt"
    with open(listing, "w", encoding="utf-8") as fh:
        for path, truth in zip(paths, truths, strict=True):
            # The video's exact length, so every part starts on the frame the truth says.
            fh.write(f"file '{os.path.abspath(path)}'\nduration {truth.duration:.4f}\n")
    ffmpeg.run(["-f", "concat", "-safe", "0", "-i", ffmpeg.Input(listing), "-c", "copy", out_path])
    for path in paths:
        os.remove(path)
    os.remove(listing)
    return _join_truths(truths)


def _join_truths(truths: list[synth.SynthTruth]) -> synth.SynthTruth:
    offset = 0.0
    shots, cuts, dissolves, black, loud, quiet, cues = [], [], [], [], [], [], []
    for i, t in enumerate(truths):

        def moved(spans, at=offset):
            return [(a + at, b + at) for a, b in spans]

        if i:
            cuts.append(round(offset, 6))  # the last shot of a part meets the next's first
        shots += moved(t.shots)
        cuts += [c + offset for c in t.cuts]
        dissolves += moved(t.dissolves)
        black += moved(t.black)
        loud += moved(t.loud)
        quiet += moved(t.quiet)
        cues += [Cue(round(c.start + offset, 3), round(c.end + offset, 3), c.text) for c in t.cues]
        offset += t.duration
    last = truths[-1]
    credits = None
    if last.credits:
        start = offset - last.duration
        credits = (last.credits[0] + start, last.credits[1] + start)
    return synth.SynthTruth(
        duration=offset,
        fps=last.fps,
        width=last.width,
        height=last.height,
        shots=tuple(shots),
        cuts=tuple(sorted(cuts)),
        dissolves=tuple(dissolves),
        black=tuple(black),
        loud=tuple(loud),
        quiet=tuple(quiet),
        cues=tuple(cues),
        credits=credits,
    )
