"""The hand-made labels of the real clips (`bench/labels/`), read as boundary spans for scoring.

Only the benchmark reads them; see `bench/labels/README.md` for how they were made.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass

LABELS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "labels")


@dataclass(frozen=True)
class LabelledClip:
    name: str
    path: str
    fps: float
    frames: int
    spans: tuple[tuple[float, float], ...]  # (t, t) for a cut, (start, end) for a gradual one

    @property
    def single_shot(self) -> bool:
        return not self.spans


def _sha256_prefix(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()[:12]


def labelled_clips(testdata: str) -> list[LabelledClip]:
    """Every labelled clip found in `testdata`, checked to be the very file that was labelled."""
    clips = []
    for name in sorted(os.listdir(LABELS)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(LABELS, name), encoding="utf-8") as fh:
            data = json.load(fh)
        path = os.path.join(testdata, data["clip"])
        if not os.path.exists(path):
            continue
        if _sha256_prefix(path) != data["sha256_prefix"]:
            raise SystemExit(f"{path} is not the file that was labelled (SHA-256 differs)")
        fps = float(data["fps"])
        spans = [(f / fps, f / fps) for f in data["cuts"]]
        spans += [(a / fps, b / fps) for a, b in data["gradual"]]
        clips.append(LabelledClip(data["clip"], path, fps, data["frames"], tuple(sorted(spans))))
    return clips
