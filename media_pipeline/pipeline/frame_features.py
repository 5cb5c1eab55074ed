"""What the shot detector sees of each frame, and how far apart two frames are.

Each frame arrives as two tiny pictures stacked in one yuv420p frame: the luma averaged over
areas (the structure) on top, point samples with their colour below (a fine pattern keeps its
spread of values there, where averaging turns it grey). Features of the last few seconds are
kept in arrays indexed by frame number, and dropped as the decode moves on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

AREA_W, AREA_H = 64, 36  # both pictures; the point samples' chroma is half that
FRAME_BYTES = AREA_W * AREA_H * 2 * 3 // 2
HIST_WEIGHT = 30.0  # distance units per unit of histogram distance (0-2)
# A blank frame: flat (also in its point samples) and near black or white.
BLANK_SPREAD, BLANK_DARK, BLANK_LIGHT = 4.0, 40.0, 215.0
_NAMES = ("S", "G", "C", "P", "H", "sd", "psd", "mu", "blank", "d", "event")


@dataclass
class FrameWindow:
    """Per-frame features of the last few seconds, as arrays indexed from `first`; distances
    take global frame numbers."""

    first: int = 0
    S: np.ndarray = field(default_factory=lambda: np.zeros((0, 576), np.float32))  # 32x18 luma
    G: np.ndarray = field(default_factory=lambda: np.zeros((0, 144), np.float32))  # 16x9 luma
    C: np.ndarray = field(default_factory=lambda: np.zeros((0, 288), np.float32))  # 16x9 U, V
    P: np.ndarray = field(default_factory=lambda: np.zeros((0, 1152), np.uint8))  # 32x18 U, V
    H: np.ndarray = field(default_factory=lambda: np.zeros((0, 32), np.float32))  # histograms
    sd: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))  # area luma
    psd: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))  # point samples
    mu: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    blank: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    d: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))  # vs previous frame
    event: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))

    @property
    def end(self) -> int:
        return self.first + self.S.shape[0]

    def extend(self, parts: dict[str, np.ndarray]) -> None:
        for name, value in parts.items():
            setattr(self, name, np.concatenate([getattr(self, name), value]))

    def drop_before(self, frame: int) -> None:
        cut = max(0, frame - self.first)
        if cut:
            for name in _NAMES:
                setattr(self, name, getattr(self, name)[cut:])
            self.first += cut

    def _i(self, frame):
        """Array positions of global frame numbers."""
        return np.asarray(frame) - self.first

    def distance(self, a, b) -> np.ndarray:
        """How different frames a and b look: luma, colour and the point samples' histogram
        (8-bit levels; arrays of frame numbers broadcast)."""
        t, a, b = self, self._i(a), self._i(b)
        luma = np.abs(t.S[a] - t.S[b]).mean(axis=-1)
        colour = 0.5 * np.abs(t.C[a] - t.C[b]).mean(axis=-1)
        return luma + colour + HIST_WEIGHT * self._hist_at(a, b)

    def _hist_at(self, a, b) -> np.ndarray:
        return np.abs(self.H[a] - self.H[b]).sum(axis=-1)

    def hist_distance(self, a, b) -> np.ndarray:
        """Colour-histogram distance of the point samples, 0 (same) to 2 (disjoint)."""
        return self._hist_at(self._i(a), self._i(b))

    def coarse_distance(self, a, b) -> np.ndarray:
        """Like `distance` on a coarser 16x9 luma, without the histogram: for blends."""
        t, a, b = self, self._i(a), self._i(b)
        return np.abs(t.G[a] - t.G[b]).mean(axis=-1) + 0.5 * np.abs(t.C[a] - t.C[b]).mean(axis=-1)

    def shape_distance(self, a: int, b: int) -> float:
        """Luma difference once brightness and contrast are taken out (a fade keeps it low)."""
        t, i, j = self, a - self.first, b - self.first
        zi = (t.S[i] - t.mu[i]) / max(float(t.sd[i]), 1.0)
        zj = (t.S[j] - t.mu[j]) / max(float(t.sd[j]), 1.0)
        return float(np.abs(zi - zj).mean()) * math.sqrt(max(t.sd[i], 1.0) * max(t.sd[j], 1.0))

    def spread(self, a: int, b: int) -> float:
        """Share of the picture's 8x6 cells that changed, leaving out cells dark in both."""
        t, i, j = self, a - self.first, b - self.first
        luma = np.abs(t.S[i] - t.S[j]).reshape(6, 3, 8, 4).mean(axis=(1, 3))
        points = np.abs(t.P[i].astype(np.float32) - t.P[j])
        colour = points.reshape(2, 6, 3, 8, 4).mean(axis=(2, 4)).sum(axis=0)
        lit = (t.S[i].reshape(6, 3, 8, 4).mean(axis=(1, 3)) > 20) | (
            t.S[j].reshape(6, 3, 8, 4).mean(axis=(1, 3)) > 20
        )
        if not lit.any():
            return 0.0
        return float((((luma + 0.5 * colour) >= 10) & lit).sum() / lit.sum())


def _histogram(values: np.ndarray, shift: int) -> np.ndarray:
    """Per row, the share of `values` (uint8) in each of 256 >> shift bins."""
    n, bins = values.shape[0], 256 >> shift
    index = (values >> shift).astype(np.intp) + np.arange(n)[:, None] * bins
    counts = np.bincount(index.ravel(), minlength=n * bins).reshape(n, bins)
    return counts.astype(np.float32) / values.shape[1]


def _halve(planes: np.ndarray) -> np.ndarray:
    """2x2 block means of the last two axes, by strided sums (much cheaper than .mean)."""
    wide = planes.astype(np.float32)
    total = (
        wide[..., ::2, ::2] + wide[..., 1::2, ::2] + wide[..., ::2, 1::2] + wide[..., 1::2, 1::2]
    )
    return total * np.float32(0.25)


def features(chunk: np.ndarray) -> dict[str, np.ndarray]:
    """The per-frame features of `chunk`, raw frames of FRAME_BYTES (see the module doc)."""
    n = chunk.shape[0]
    luma = chunk[:, : AREA_W * AREA_H * 2].reshape(n, AREA_H * 2, AREA_W)
    chroma = chunk[:, AREA_W * AREA_H * 2 :].reshape(n, 2, AREA_H, AREA_W // 2)
    small = _halve(luma[:, :AREA_H])
    S = small.reshape(n, -1)
    G = _halve(small).reshape(n, -1)
    points = chroma[:, :, AREA_H // 2 :]  # (n, U/V, 18, 32), uint8
    C = _halve(points).reshape(n, -1)
    point_luma = luma[:, AREA_H:].reshape(n, -1)
    H = np.concatenate(
        [
            0.5 * _histogram(point_luma[:, ::2], 4),  # every other sample is plenty
            0.25 * _histogram(points[:, 0].reshape(n, -1), 5),
            0.25 * _histogram(points[:, 1].reshape(n, -1), 5),
        ],
        axis=1,
    )
    sd = S.std(axis=1)
    mu = S.mean(axis=1)
    psd = point_luma.std(axis=1, dtype=np.float32)
    blank = (sd <= BLANK_SPREAD) & (psd <= 2 * BLANK_SPREAD)
    blank &= (mu <= BLANK_DARK) | (mu >= BLANK_LIGHT)
    return {
        "S": S, "G": G, "C": C, "P": points.reshape(n, -1), "H": H,
        "sd": sd, "psd": psd, "mu": mu, "blank": blank,
    }  # fmt: skip
