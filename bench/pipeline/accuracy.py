"""Shot-boundary precision, recall and F1 against a movie's truth (generated or hand-labelled).

A detected boundary matches a hard cut within +-TOLERANCE seconds, or a dissolve anywhere in
its span widened by TOLERANCE; each truth boundary is matched at most once (closest pairs
first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bench.synth import SynthTruth

TOLERANCE = 0.5


@dataclass(frozen=True)
class Score:
    found: int
    truth: int
    matched: int

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.truth if self.truth else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {
            "found": self.found,
            "truth": self.truth,
            "matched": self.matched,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def truth_spans(truth: SynthTruth) -> list[tuple[float, float]]:
    """Every true boundary as a span: (t, t) for a hard cut, (start, end) for a dissolve."""
    return sorted([(t, t) for t in truth.cuts] + [tuple(span) for span in truth.dissolves])


def score(found: Sequence[float], truth: SynthTruth, tolerance: float = TOLERANCE) -> Score:
    return score_spans(found, truth_spans(truth), tolerance)


def score_spans(
    found: Sequence[float], spans: Sequence[tuple[float, float]], tolerance: float = TOLERANCE
) -> Score:
    """Match `found` instants to true boundaries given as spans ((t, t) for a cut)."""
    pairs = []
    for i, at in enumerate(found):
        for j, (start, end) in enumerate(spans):
            gap = max(start - at, at - end, 0.0)
            if gap <= tolerance:
                pairs.append((gap, i, j))
    used_found: set[int] = set()
    used_truth: set[int] = set()
    for _gap, i, j in sorted(pairs):
        if i not in used_found and j not in used_truth:
            used_found.add(i)
            used_truth.add(j)
    return Score(found=len(found), truth=len(spans), matched=len(used_truth))


def pooled(scores: Sequence[Score]) -> Score:
    """One score over several movies: their matches, detections and truths added up."""
    return Score(
        found=sum(s.found for s in scores),
        truth=sum(s.truth for s in scores),
        matched=sum(s.matched for s in scores),
    )
