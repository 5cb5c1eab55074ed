"""Language-neutral extractive text tools: sentences from cues, tokens for any script, and
TextRank (TF-IDF cosine graph + PageRank power iteration) in numpy, with the graph kept
implicit so memory grows with the words, not with the square of the sentences.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .types import Cue

# Sentence ends in the product's scripts: Latin, Arabic (؟ ۔), Devanagari (।), CJK (。！？).
SENTENCE_END = ".!?…。！？؟۔।"
# Latin-style ends need a space after them ("3.5", "..." mid-line are not ends); CJK ones do not.
_SPLIT = re.compile(r"(?<=[.!?…؟۔।])[\"'»”’)\]]*\s+|(?<=[。！？])")
_CONTINUES = (",", "、", "，", "،", ";", "-", "–", "—")
_ELLIPSIS = ("...", "…")
# Whole-cue sound descriptions and music notes: "[ Both screaming ]", "(laughs)", "♪ ... ♪".
_DESCRIPTION = re.compile(r"^\s*(\[[^\]]*\]|\([^)]*\)|♪[^♪]*♪?|♫[^♫]*♫?)\s*$")
_SPEAKER = re.compile(r"^\s*-\s*|^[A-Z][A-Z .']{1,20}:\s+")
# Cues further apart than this are not one utterance even without a full stop between them.
MERGE_GAP = 1.5
DAMPING = 0.85


@dataclass(frozen=True)
class Sentence:
    text: str
    start: float
    end: float


def is_cjk(ch: str) -> bool:
    """Han, kana: scripts written without spaces, tokenised by characters and bigrams."""
    code = ord(ch)
    return (
        0x3040 <= code <= 0x30FF  # hiragana, katakana
        or 0x3400 <= code <= 0x4DBF
        or 0x4E00 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x2FFFF
    )


def _is_word_char(ch: str) -> bool:
    # Letters, digits and combining marks: Devanagari vowel signs and Arabic harakat are marks.
    return unicodedata.category(ch)[0] in "LMN"


def tokenize(text: str) -> list[str]:
    """Lower-cased words; CJK runs become bigrams (or the lone character)."""
    tokens: list[str] = []
    word: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if word:
            tokens.append("".join(word))
            word.clear()
        if run:
            if len(run) == 1:
                tokens.append(run[0])
            tokens.extend(run[i] + run[i + 1] for i in range(len(run) - 1))
            run.clear()

    for ch in unicodedata.normalize("NFKC", text).casefold():
        if is_cjk(ch):
            if word:
                flush()
            run.append(ch)
        elif _is_word_char(ch):
            if run:
                flush()
            word.append(ch)
        else:
            flush()
    flush()
    return [t for t in tokens if len(t) > 1 or is_cjk(t)]


def content_length(text: str) -> int:
    """Words for spaced scripts, characters/2 for CJK: how much a sentence says."""
    cjk = sum(1 for ch in text if is_cjk(ch))
    words = len(re.findall(r"[^\W\d_]\w*", "".join(" " if is_cjk(c) else c for c in text)))
    return words + cjk // 2


def dialogue_sentences(cues: Iterable[Cue]) -> list[Sentence]:
    """Spoken sentences from cues: descriptions dropped, cue fragments of one sentence joined."""
    pieces: list[tuple[str, float, float]] = []
    for cue in cues:
        lines = [_SPEAKER.sub("", line).strip() for line in cue.text.split("\n")]
        text = " ".join(line for line in lines if line and not _DESCRIPTION.match(line))
        if not text:
            continue
        if pieces and cue.start - pieces[-1][2] <= MERGE_GAP and _continues(pieces[-1][0], text):
            prev_text, prev_start, _ = pieces[-1]
            glue = "" if is_cjk(prev_text[-1]) else " "
            joined = prev_text.rstrip(".…-–— ") + glue + text.lstrip(".…-–— ")
            pieces[-1] = (joined, prev_start, cue.end)
            continue
        pieces.append((text, cue.start, cue.end))
    sentences = []
    seen: set[str] = set()
    for text, start, end in pieces:
        for part in _SPLIT.split(text):
            part = part.strip(" -–—").lstrip(".…")
            key = part.casefold()
            if part and key not in seen:
                seen.add(key)
                sentences.append(Sentence(text=part, start=start, end=end))
    return sentences


def _continues(previous: str, following: str) -> bool:
    """A cue continues into the next one when it ends on a comma or dash, trails off into a
    cue that picks up, or (in cased scripts) stops on a word before a lower-case start."""
    if previous.endswith(_CONTINUES):
        return True
    if previous.endswith(_ELLIPSIS):
        # "we can see the..." + "...the gardens" is one sentence; "see..." + "At the" is not.
        return following.startswith(_ELLIPSIS) or following[:1].islower()
    return previous[-1].isalpha() and following[:1].islower()


@dataclass(frozen=True)
class TermWeights:
    """Unit-length TF-IDF vectors of n sentences, stored sparsely (one entry per distinct
    shared token of a sentence): memory grows with the words said, never with n squared."""

    n: int
    rows: np.ndarray  # sentence of each entry
    columns: np.ndarray  # token of each entry
    values: np.ndarray  # its weight in the unit vector
    vocabulary: int
    norms_squared: np.ndarray  # each sentence with itself: 1, or 0 without shared tokens

    def times(self, x: np.ndarray) -> np.ndarray:
        """U @ x: one number per sentence."""
        return np.bincount(self.rows, weights=self.values * x[self.columns], minlength=self.n)

    def transposed_times(self, v: np.ndarray) -> np.ndarray:
        """U.T @ v: one number per token."""
        return np.bincount(
            self.columns, weights=self.values * v[self.rows], minlength=self.vocabulary
        )

    def similarity_times(self, v: np.ndarray) -> np.ndarray:
        """S @ v for the cosine similarity S = U U.T with a zero diagonal, never built."""
        return self.times(self.transposed_times(v)) - self.norms_squared * v


def term_weights(docs: Sequence[Sequence[str]]) -> TermWeights:
    """Cosine-ready TF-IDF vectors; words in one sentence only cannot link two, so only words
    shared by two or more sentences are kept."""
    n = len(docs)
    frequency = Counter(token for doc in docs for token in set(doc))
    column = {t: i for i, t in enumerate(t for t, df in frequency.items() if df >= 2)}
    rows: list[int] = []
    columns: list[int] = []
    values: list[float] = []
    for row, doc in enumerate(docs):
        entries = [
            (column[token], (1 + math.log(count)) * math.log(n / frequency[token]))
            for token, count in Counter(doc).items()
            if token in column
        ]
        norm = math.sqrt(sum(w * w for _, w in entries))
        for col, weight in entries if norm > 0 else ():
            rows.append(row)
            columns.append(col)
            values.append(weight / norm)
    row_of = np.asarray(rows, dtype=np.intp)
    weight = np.asarray(values, dtype=np.float64)
    return TermWeights(
        n=n,
        rows=row_of,
        columns=np.asarray(columns, dtype=np.intp),
        values=weight,
        vocabulary=len(column),
        norms_squared=np.bincount(row_of, weights=weight**2, minlength=n),
    )


def pagerank(
    weights: TermWeights, *, damping: float = DAMPING, iterations: int = 100
) -> np.ndarray:
    """Stationary scores of the cosine-similarity graph of `weights`; a sentence without
    edges jumps anywhere, as in the original PageRank."""
    n = weights.n
    if n == 0:
        return np.zeros(0)
    out_weight = weights.similarity_times(np.ones(n))
    linked = out_weight > 1e-12
    inverse = np.where(linked, 1.0 / np.where(linked, out_weight, 1.0), 0.0)
    scores = np.full(n, 1.0 / n)
    for _ in range(iterations):
        # transition.T @ scores, with rows divided by their weight and isolated rows uniform.
        spread = weights.similarity_times(scores * inverse) + scores[~linked].sum() / n
        updated = (1 - damping) / n + damping * spread
        if np.abs(updated - scores).sum() < 1e-8:
            return updated
        scores = updated
    return scores


def rank_sentences(sentences: Sequence[Sentence]) -> np.ndarray:
    """TextRank score per sentence, scaled so a longer, informative line wins ties."""
    docs = [tokenize(s.text) for s in sentences]
    scores = pagerank(term_weights(docs))
    # Very short lines ("Oh!", "Nope.") are central by accident, never informative.
    lengths = np.array([min(content_length(s.text), 12) for s in sentences], dtype=np.float64)
    return scores * np.sqrt(np.maximum(lengths, 1)) * (lengths >= 3)
