"""Test movies for the web and worker tests, made once per session with the synthetic generator."""

from __future__ import annotations

from pathlib import Path

from bench.synth import SynthTruth, make_movie, write_srt


def synth_movie(
    folder: Path, name: str = "movie.mp4", *, duration: float = 24.0
) -> tuple[Path, Path, SynthTruth]:
    """A small movie with cuts, a dissolve, loud and quiet stretches, and its dialogue as SRT."""
    path = folder / name
    truth = make_movie(
        str(path), duration=duration, width=320, height=180, shots=6, dissolves=1, seed=7
    )
    srt = folder / (path.stem + ".srt")
    write_srt(truth.cues, str(srt))
    return path, srt, truth
