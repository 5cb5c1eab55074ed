"""Write stage: synopsis and chapters. The default writer is local and extractive (TextRank over
the subtitle cues, plus the timeline); an LLM writer is used only when a key is configured.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from .names import mentions, proper_names
from .phrases import clock, join_sentences, phrase
from .subtitles import recap_offsets
from .textrank import SENTENCE_END, Sentence, dialogue_sentences, is_cjk, rank_sentences
from .types import (
    Analysis,
    Chapter,
    Clip,
    Evidence,
    Scene,
    Selection,
    SynopsisSentence,
    Writeup,
)

MIN_CHAPTERS, MAX_CHAPTERS = 3, 12
CHAPTER_EVERY = 600.0  # seconds of movie per chapter before the 3..12 clamp
MIN_SYNOPSIS, MAX_SYNOPSIS = 3, 8
TITLE_WORDS, TITLE_CJK_CHARS = 7, 16


class LocalWriter:
    """Extractive synopsis and chapters; needs no network and no model weights.

    Every line carries its evidence: a dialogue line the cue span it was said in and the
    scenes around it, a timeline sentence the scenes it describes. Nothing ungrounded is kept.
    """

    def write(
        self,
        *,
        language: str,
        analysis: Analysis,
        scenes: tuple[Scene, ...],
        selection: Selection,
    ) -> Writeup:
        duration = movie_duration(analysis, scenes, selection)
        sentences = dialogue_sentences(analysis.cues)
        scores = rank_sentences(sentences) if sentences else np.zeros(0)
        names = proper_names([s.text for s in sentences])
        spans = chapter_spans(duration, scenes, selection.clips)
        facts = StructureFacts.of(analysis, scenes, selection, duration)
        chapters = []
        for number, (start, end) in enumerate(spans, 1):
            best = title_line(sentences, scores, start, end, names)
            if best is not None:
                title, evidence = shorten(sentences[best].text), grounding(sentences[best], scenes)
            else:
                title = structural_title(language, number, len(spans), facts.peak, start, end)
                evidence = Evidence(scenes=scenes_between(scenes, start, end))
            chapters.append(
                Chapter(
                    title=title,
                    source_start=start,
                    source_end=end,
                    recap_start=recap_time(start, selection.clips),
                    recap_end=recap_time(end, selection.clips),
                    evidence=evidence,
                )
            )
        said = [
            SynopsisSentence(_as_sentence(sentences[i].text), grounding(sentences[i], scenes))
            for i in synopsis_lines(sentences, scores, duration, names)
        ]
        lines = said
        if len(lines) < MIN_SYNOPSIS:
            # Too little dialogue to summarise: say what the timeline says.
            lines = (lines + facts.sentences(language))[:MAX_SYNOPSIS]
        lines = [line for line in lines if line.evidence]
        spoken = analysis.dialogue_language
        translated = not (said and spoken and _primary(spoken) != _primary(language))
        return Writeup(
            language=language,
            synopsis=join_sentences(language, [line.text for line in lines]),
            chapters=tuple(chapters),
            sentences=tuple(lines),
            note=None if translated else "in_movie_language",
            text_language=language if translated else spoken,
        )


def _primary(language: str) -> str:
    return language.strip().lower().replace("_", "-").split("-")[0]


def grounding(sentence: Sentence, scenes: Sequence[Scene]) -> Evidence:
    """A dialogue line rests on the cues it was said in and the scenes they fall in."""
    return Evidence(
        cues=((round(sentence.start, 3), round(sentence.end, 3)),),
        scenes=scenes_between(scenes, sentence.start, max(sentence.end, sentence.start + 1e-3)),
    )


def scenes_between(scenes: Sequence[Scene], start: float, end: float) -> tuple[int, ...]:
    return tuple(s.index for s in scenes if s.start < end and s.end > start)


def movie_duration(analysis: Analysis, scenes: Sequence[Scene], selection: Selection) -> float:
    ends = [analysis.duration, *(s.end for s in scenes), *(c.end for c in selection.clips)]
    return max(ends)


def chapter_spans(
    duration: float, scenes: Sequence[Scene], clips: Sequence[Clip]
) -> list[tuple[float, float]]:
    """Contiguous spans covering the movie, cut on scene starts near equal divisions.

    A chapter with no recap time is merged into its neighbour while more than three remain,
    so the recap's chapter track has no empty entries.
    """
    count = int(min(MAX_CHAPTERS, max(MIN_CHAPTERS, round(duration / CHAPTER_EVERY))))
    starts = sorted({round(s.start, 3) for s in scenes if 0.5 < s.start < duration - 0.5})
    cuts: list[float] = []
    for i in range(1, count):
        ideal = duration * i / count
        floor = cuts[-1] if cuts else 0.0
        options = [t for t in starts if t > floor + 0.5]
        cut = min(options, key=lambda t: abs(t - ideal)) if options else ideal
        # With too few scenes the ideal point keeps the chapter count.
        if options and abs(cut - ideal) > duration / count / 2:
            cut = ideal
        cuts.append(max(cut, floor + 1e-3))
    bounds = [0.0, *cuts, duration]
    spans = list(itertools.pairwise(bounds))
    i = 0
    while len(spans) > MIN_CHAPTERS and i < len(spans) and clips:
        start, end = spans[i]
        if recap_time(end, clips) - recap_time(start, clips) > 0.05:
            i += 1
            continue
        if i + 1 < len(spans):
            spans[i : i + 2] = [(start, spans[i + 1][1])]
        else:
            spans[i - 1 : i + 1] = [(spans[i - 1][0], end)]
    return spans


def recap_time(source: float, clips: Sequence[Clip]) -> float:
    """Where source time `source` falls in the recap (the next kept moment if it was cut)."""
    for clip, offset in zip(clips, recap_offsets(clips), strict=True):
        if source < clip.start:
            return offset
        if source <= clip.end:
            return offset + source - clip.start
    return sum(c.duration for c in clips)


def title_line(
    sentences: Sequence[Sentence],
    scores: np.ndarray,
    start: float,
    end: float,
    names: Sequence[str] = (),
) -> int | None:
    """Index of the line that titles the span: the most central one spoken in it, weighted up
    for each name its shortened title says."""
    inside = [i for i, s in enumerate(sentences) if start <= s.start < end and scores[i] > 0]
    if not inside:
        return None
    return max(
        inside, key=lambda i: scores[i] * (1 + len(mentions(shorten(sentences[i].text), names)))
    )


def shorten(text: str) -> str:
    text = " ".join(text.split())
    if sum(1 for ch in text if is_cjk(ch)) > len(text) / 2:
        short = text if len(text) <= TITLE_CJK_CHARS else text[:TITLE_CJK_CHARS] + "…"
    else:
        words = text.split(" ")
        short = text if len(words) <= TITLE_WORDS else " ".join(words[:TITLE_WORDS]) + "…"
    return short.rstrip(" .,;:、。،") or text


def structural_title(
    language: str, number: int, count: int, peak: float | None, start: float, end: float
) -> str:
    if number == 1:
        return phrase(language, "opening")
    if number == count:
        return phrase(language, "ending")
    if peak is not None and start <= peak < end:
        return phrase(language, "climax")
    return phrase(language, "part", n=number)


def synopsis_lines(
    sentences: Sequence[Sentence], scores: np.ndarray, duration: float, names: Sequence[str] = ()
) -> list[int]:
    """The most central lines, spread over the movie (one per stretch first), then a line for
    each name the dialogue repeats that none of them says yet; indices in time order."""
    usable = [i for i in range(len(sentences)) if scores[i] > 0]
    if not usable:
        return []
    weight = {i: scores[i] * (1 + 0.5 * len(mentions(sentences[i].text, names))) for i in usable}
    want = min(len(usable), max(MIN_SYNOPSIS, min(MAX_SYNOPSIS - 2, len(usable) // 8)))
    chosen: list[int] = []
    for k in range(want):
        low, high = duration * k / want, duration * (k + 1) / want
        stretch = [i for i in usable if low <= sentences[i].start < high and i not in chosen]
        if stretch:
            chosen.append(max(stretch, key=lambda i: weight[i]))
    for i in sorted(usable, key=lambda i: -weight[i]):
        if len(chosen) >= want:
            break
        if i not in chosen:
            chosen.append(i)
    for name in names:
        if len(chosen) >= MAX_SYNOPSIS:
            break
        if any(mentions(sentences[i].text, [name]) for i in chosen):
            continue
        saying = [i for i in usable if mentions(sentences[i].text, [name])]
        if saying:
            chosen.append(max(saying, key=lambda i: weight[i]))
    return sorted(chosen)


def _as_sentence(text: str) -> str:
    text = " ".join(text.split())
    text = text[0].upper() + text[1:]
    if text[-1] in SENTENCE_END:
        return text
    return text + ("。" if is_cjk(text[-1]) else ".")


class StructureFacts:
    """What the timeline says when nobody speaks: length, scenes, peaks, the recap itself,
    each sentence resting on the scenes it describes."""

    def __init__(
        self, duration: float, scenes: Sequence[Scene], peak: float | None, loud: float | None,
        clips: Sequence[Clip],
    ) -> None:  # fmt: skip
        self.duration, self.scenes, self.peak, self.loud = duration, scenes, peak, loud
        self.clips = clips

    @classmethod
    def of(
        cls, analysis: Analysis, scenes: Sequence[Scene], selection: Selection, duration: float
    ) -> StructureFacts:
        peak = peak_time(analysis.motion, analysis.window)
        loud = peak_time(analysis.loudness, analysis.window)
        if peak is not None and loud is not None and abs(peak - loud) < 5 * analysis.window:
            loud = None  # one moment, said once
        return cls(duration, scenes, peak, loud, selection.clips)

    def _at(self, t: float) -> tuple[int, ...]:
        return scenes_between(self.scenes, t, t + 1e-3)

    def sentences(self, language: str) -> list[SynopsisSentence]:
        every = tuple(s.index for s in self.scenes)
        count = len(self.scenes) or 1
        out = [(phrase(language, "overview", length=clock(self.duration), scenes=count), every)]
        if self.peak is not None:
            out.append((phrase(language, "peak", time=clock(self.peak)), self._at(self.peak)))
        if self.loud is not None:
            out.append((phrase(language, "loud", time=clock(self.loud)), self._at(self.loud)))
        if len(out) < 2:
            ends = tuple(dict.fromkeys(every[:1] + every[-1:]))
            out.append((phrase(language, "quiet"), ends))
        kept = tuple(
            dict.fromkeys(
                i for c in self.clips for i in scenes_between(self.scenes, c.start, c.end)
            )
        )
        recap = sum(c.duration for c in self.clips)
        out.append((phrase(language, "recap", clips=len(self.clips), recap=clock(recap)), kept))
        return [SynopsisSentence(text, Evidence(scenes=scenes)) for text, scenes in out]


def peak_time(values: Sequence[float], window: float) -> float | None:
    """Centre of the strongest stretch (a few windows smoothed), or None for a flat signal."""
    series = np.asarray(values, dtype=np.float64)
    if series.size < 3 or window <= 0 or not np.isfinite(series).all():
        return None
    width = max(1, min(series.size // 10, 5))
    smooth = np.convolve(series, np.ones(width) / width, mode="same")
    top, floor = float(smooth.max()), float(np.median(smooth))
    if top - floor < 1e-6 * max(1.0, abs(top)):
        return None
    # The middle of the plateau around the maximum, not its first window.
    near_top = smooth >= top - 0.01 * (top - floor)
    left = right = int(smooth.argmax())
    while left > 0 and near_top[left - 1]:
        left -= 1
    while right < series.size - 1 and near_top[right + 1]:
        right += 1
    return ((left + right) / 2 + 0.5) * window
