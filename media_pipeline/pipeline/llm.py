"""Optional writer backed by an OpenAI-compatible chat-completions API (urllib only): OpenAI,
Gemini's OpenAI-compatible endpoint, or any server that speaks the same protocol.

It keeps the local writer's chapter boundaries and sends the dialogue cues and scenes with ids;
the model answers with a synopsis and chapter titles, each citing the ids it rests on. A line
citing an id that was not sent, or none, is dropped; any failure (network, HTTP status,
malformed reply, nothing grounded left) returns the local writeup.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import replace

from .phrases import base_language, clock, join_sentences
from .types import Analysis, Evidence, Scene, Selection, SynopsisSentence, Writer, Writeup

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_TIMEOUT = 60.0
TRANSCRIPT_CHARS = 12_000  # keeps the prompt within a small model's context
MAX_SCENES = 80  # scenes listed in the prompt; more are thinned evenly
MAX_TITLE = 80
MAX_SYNOPSIS = 3000
LANGUAGE_NAMES = {
    "en": "English", "es": "Spanish", "fr": "French", "de": "German", "pt": "Portuguese",
    "it": "Italian", "ja": "Japanese", "ko": "Korean", "zh-hans": "Simplified Chinese",
    "hi": "Hindi", "ar": "Arabic", "ru": "Russian", "he": "Hebrew", "fa": "Persian", "ur": "Urdu",
}  # fmt: skip


class LlmReplyError(ValueError):
    """The model answered, but not with what was asked."""


class LlmWriter:
    def __init__(
        self, *, api_key: str, base_url: str, model: str, timeout: float, fallback: Writer
    ) -> None:
        if not base_url.startswith(("https://", "http://")):
            raise ValueError("LLM_BASE_URL must be an http(s) URL")
        self.api_key, self.model, self.timeout = api_key, model, timeout
        self.fallback = fallback
        base = base_url.rstrip("/")
        # Accept both "https://host" and the SDK-style "https://host/v1" base.
        if not re.search(r"/v\d+[a-z]*(/openai)?$", base):
            base += "/v1"
        self.url = base + "/chat/completions"

    @classmethod
    def from_settings(cls, settings: Mapping[str, str], *, fallback: Writer) -> LlmWriter:
        return cls(
            api_key=settings["LLM_API_KEY"],
            base_url=settings.get("LLM_BASE_URL") or DEFAULT_BASE_URL,
            model=settings.get("LLM_MODEL") or DEFAULT_MODEL,
            timeout=float(settings.get("LLM_TIMEOUT") or DEFAULT_TIMEOUT),
            fallback=fallback,
        )

    def write(
        self,
        *,
        language: str,
        analysis: Analysis,
        scenes: tuple[Scene, ...],
        selection: Selection,
    ) -> Writeup:
        local = self.fallback.write(
            language=language, analysis=analysis, scenes=scenes, selection=selection
        )
        try:
            sentences, titles = self._ask(language, analysis, scenes, local)
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            # urllib's URLError/HTTPError and socket timeouts are OSErrors; the rest is parsing.
            log.warning("LLM writer failed, using the local writeup: %s", exc)
            return local
        chapters = tuple(
            replace(chapter, title=title[0], evidence=title[1]) if title else chapter
            for chapter, title in zip(local.chapters, titles, strict=True)
        )
        return replace(
            local,
            synopsis=join_sentences(language, [s.text for s in sentences]),
            sentences=tuple(sentences),
            chapters=chapters,
            note=None,
            text_language=language,
        )

    def _ask(
        self, language: str, analysis: Analysis, scenes: tuple[Scene, ...], local: Writeup
    ) -> tuple[list[SynopsisSentence], list[tuple[str, Evidence] | None]]:
        body = json.dumps(
            {
                "model": self.model,
                "temperature": 0.3,
                "response_format": {"type": "json_object"},
                "messages": build_messages(language, analysis, scenes, local),
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310 (scheme checked in __init__)
            self.url,
            data=body,
            method="POST",
            headers={
                "Authorization": f"Bearer {self.api_key}",
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            payload = json.loads(response.read(1_000_000))
        content = payload["choices"][0]["message"]["content"]
        return parse_reply(content, len(local.chapters), analysis=analysis, scenes=scenes)


def build_messages(
    language: str, analysis: Analysis, scenes: tuple[Scene, ...], local: Writeup
) -> list[dict[str, str]]:
    name = LANGUAGE_NAMES[base_language(language)]
    count = len(local.chapters)
    system = (
        "You write recaps of films from their dialogue and timeline. Reply with one JSON object "
        'only: {"synopsis": [{"text": "<sentence>", "evidence": ["c4", "s2"]}, ...], '
        '"chapters": [{"title": "<title>", "evidence": ["c9"]}, ...]} with 3 to 8 synopsis '
        f"sentences and exactly {count} chapters whose titles have at most 8 words, all written "
        f"in {name}. Every sentence and title lists in `evidence` the ids of the dialogue cues "
        "(c...) and scenes (s...) it rests on. Use only what they support; name the people and "
        "places the dialogue names, as it spells them; invent nothing."
    )
    chapters = "\n".join(
        f"{i}. {clock(c.source_start)}-{clock(c.source_end)}"
        for i, c in enumerate(local.chapters, 1)
    )
    user = (
        f"Running time: {clock(analysis.duration)}\n"
        f"Chapters:\n{chapters}\n\nScenes:\n{scene_lines(scenes)}\n\n"
        f"Dialogue:\n{transcript(analysis)}"
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _thinned(lines: list[str], budget: float) -> list[str]:
    total = sum(len(line) + 1 for line in lines)
    if total <= budget:
        return lines
    step = total / budget
    return [lines[int(i * step)] for i in range(int(len(lines) / step))]


def scene_lines(scenes: tuple[Scene, ...]) -> str:
    """One line per scene with its id, span and score (how much happens in it, 0 to 1)."""
    lines = [
        f"s{s.index} [{clock(s.start)}-{clock(s.end)}] intensity {s.score:.2f}" for s in scenes
    ]
    return "\n".join(_thinned(lines, MAX_SCENES * 40)) or "(one scene)"


def transcript(analysis: Analysis) -> str:
    """Cue lines with their ids and times, thinned evenly when the film has more than fits in
    the prompt; an id is the cue's place in the movie's track, whatever was thinned."""
    lines = [
        f"c{i} [{clock(c.start)}-{clock(c.end)}] {' '.join(c.text.split())}"
        for i, c in enumerate(analysis.cues)
    ]
    return "\n".join(_thinned(lines, TRANSCRIPT_CHARS)) or "(no dialogue)"


def _evidence(ids: object, analysis: Analysis, scenes: tuple[Scene, ...]) -> Evidence | None:
    """The cited ids as cue spans and scene indices; None when any id was never sent."""
    if not isinstance(ids, list) or not ids:
        return None
    known_scenes = {s.index for s in scenes}
    cues: list[tuple[float, float]] = []
    cited: list[int] = []
    for ref in ids:
        match = re.fullmatch(r"([cs])(\d{1,6})", ref.strip()) if isinstance(ref, str) else None
        if match is None:
            return None
        number = int(match.group(2))
        if match.group(1) == "c" and number < len(analysis.cues):
            cue = analysis.cues[number]
            cues.append((cue.start, cue.end))
        elif match.group(1) == "s" and number in known_scenes:
            cited.append(number)
        else:
            return None
    return Evidence(cues=tuple(dict.fromkeys(cues)), scenes=tuple(dict.fromkeys(cited)))


def parse_reply(
    content: str, chapters: int, *, analysis: Analysis, scenes: tuple[Scene, ...]
) -> tuple[list[SynopsisSentence], list[tuple[str, Evidence] | None]]:
    """The grounded sentences and, per chapter, a grounded title or None (keep the local one).

    A sentence whose evidence is missing or cites an unknown id is dropped; a reply with no
    grounded sentence, the wrong number of chapters or the wrong shape raises LlmReplyError.
    """
    text = content.strip()
    fenced = re.match(r"^```(?:json)?\s*(.*?)\s*```$", text, re.DOTALL)
    data = json.loads(fenced.group(1) if fenced else text)
    if not isinstance(data, dict):
        raise LlmReplyError("reply is not a JSON object")
    synopsis, titles = data.get("synopsis"), data.get("chapters")
    if not isinstance(synopsis, list) or not isinstance(titles, list):
        raise LlmReplyError("synopsis or chapters missing")
    if len(titles) != chapters:
        raise LlmReplyError(f"expected {chapters} chapters")
    sentences = []
    for item in synopsis:
        line = " ".join(str(item.get("text", "")).split()) if isinstance(item, dict) else ""
        evidence = _evidence(item.get("evidence"), analysis, scenes) if line else None
        if evidence:
            sentences.append(SynopsisSentence(line, evidence))
        else:
            log.info("LLM sentence dropped, not grounded in what was sent: %r", line[:80])
    if not sentences or sum(len(s.text) for s in sentences) > MAX_SYNOPSIS:
        raise LlmReplyError("no grounded synopsis sentence, or far too long a synopsis")
    grounded: list[tuple[str, Evidence] | None] = []
    for item in titles:
        if not isinstance(item, dict):
            grounded.append(None)
            continue
        title = " ".join(str(item.get("title", "")).split())[:MAX_TITLE]
        evidence = _evidence(item.get("evidence"), analysis, scenes) if title else None
        grounded.append((title, evidence) if evidence else None)
    return sentences, grounded
