"""Optional writer backed by an OpenAI-compatible chat-completions API (urllib only).

It keeps the local writer's chapter boundaries and asks the model for a synopsis and chapter
titles; any failure (network, HTTP status, malformed reply) returns the local writeup.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import replace

from .phrases import base_language, clock
from .types import Analysis, Scene, Selection, Writer, Writeup

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_TIMEOUT = 60.0
TRANSCRIPT_CHARS = 12_000  # keeps the prompt within a small model's context
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
            synopsis, titles = self._ask(language, analysis, local)
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            # urllib's URLError/HTTPError and socket timeouts are OSErrors; the rest is parsing.
            log.warning("LLM writer failed, using the local writeup: %s", exc)
            return local
        chapters = tuple(
            replace(chapter, title=title)
            for chapter, title in zip(local.chapters, titles, strict=True)
        )
        return replace(local, synopsis=synopsis, chapters=chapters)

    def _ask(self, language: str, analysis: Analysis, local: Writeup) -> tuple[str, list[str]]:
        body = json.dumps(
            {
                "model": self.model,
                "temperature": 0.3,
                "response_format": {"type": "json_object"},
                "messages": build_messages(language, analysis, local),
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
        return parse_reply(content, len(local.chapters))


def build_messages(language: str, analysis: Analysis, local: Writeup) -> list[dict[str, str]]:
    name = LANGUAGE_NAMES[base_language(language)]
    count = len(local.chapters)
    system = (
        "You write recaps of films from their subtitles and timeline. Reply with one JSON "
        'object only: {"synopsis": "<3 to 8 sentences>", "chapter_titles": ["<title>", ...]} '
        f"with exactly {count} chapter titles of at most 8 words each, all written in {name}. "
        "Use only what the transcript and timeline support; do not invent names or events."
    )
    chapters = "\n".join(
        f"{i}. {clock(c.source_start)}-{clock(c.source_end)}"
        for i, c in enumerate(local.chapters, 1)
    )
    user = (
        f"Running time: {clock(analysis.duration)}\n"
        f"Chapters:\n{chapters}\n\nTranscript:\n{transcript(analysis)}"
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def transcript(analysis: Analysis) -> str:
    """Timestamped cue lines, thinned evenly when the film has more than fits in the prompt."""
    lines = [f"[{clock(c.start)}] {' '.join(c.text.split())}" for c in analysis.cues]
    total = sum(len(line) + 1 for line in lines)
    if total > TRANSCRIPT_CHARS:
        step = total / TRANSCRIPT_CHARS
        lines = [lines[int(i * step)] for i in range(int(len(lines) / step))]
    return "\n".join(lines) or "(no dialogue)"


def parse_reply(content: str, chapters: int) -> tuple[str, list[str]]:
    """Validate the model's JSON; anything off raises LlmReplyError."""
    text = content.strip()
    fenced = re.match(r"^```(?:json)?\s*(.*?)\s*```$", text, re.DOTALL)
    data = json.loads(fenced.group(1) if fenced else text)
    if not isinstance(data, dict):
        raise LlmReplyError("reply is not a JSON object")
    synopsis, titles = data.get("synopsis"), data.get("chapter_titles")
    if not isinstance(synopsis, str) or not 20 <= len(synopsis.strip()) <= MAX_SYNOPSIS:
        raise LlmReplyError("synopsis missing or out of bounds")
    if not isinstance(titles, list) or len(titles) != chapters:
        raise LlmReplyError(f"expected {chapters} chapter titles")
    clean = [" ".join(t.split())[:MAX_TITLE] if isinstance(t, str) else "" for t in titles]
    if not all(clean):
        raise LlmReplyError("a chapter title is empty or not text")
    return " ".join(synopsis.split()), clean
