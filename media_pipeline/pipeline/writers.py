"""Which writer writes the synopsis and chapters: the LLM writer when a key is configured (it
falls back to the local one on any failure), else the local extractive writer.

The only module that knows both writers; neither of them knows the other.
"""

from __future__ import annotations

from collections.abc import Mapping

from .llm import LlmWriter
from .types import Writer
from .write import LocalWriter


def make_writer(settings: Mapping[str, str] | None = None) -> Writer:
    """The LLM writer when `LLM_API_KEY` is set, else the local one."""
    local = LocalWriter()
    if settings and settings.get("LLM_API_KEY"):
        return LlmWriter.from_settings(settings, fallback=local)
    return local
