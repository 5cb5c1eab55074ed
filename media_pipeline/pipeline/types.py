"""Values passed between the pipeline stages.

Every stage takes paths and these dataclasses and returns these dataclasses, so a stage can be
run from a plain Python shell. Nothing here imports Django. Times are seconds in the source
movie unless a name says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class PipelineError(Exception):
    """A failure the user can act on; `code` is stable, `message` is English for logs.

    The web layer maps `code` to a translated sentence, so codes never change meaning.
    """

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params


class TransientPipelineError(PipelineError):
    """A failure worth retrying (a killed process, a full disk that may clear)."""


class Stopped(Exception):
    """The caller asked the work to stop (a cancelled job, a lost lease); nothing failed.

    Deliberately not a PipelineError: a stop must never be recorded as a failed movie.
    """


@dataclass(frozen=True)
class SubtitleStream:
    index: int
    codec: str
    language: str | None


@dataclass(frozen=True)
class ProbeResult:
    path: str
    format_name: str
    duration: float
    size_bytes: int
    width: int
    height: int
    fps: float
    video_codec: str
    audio_codec: str | None
    subtitle_streams: tuple[SubtitleStream, ...] = ()
    # The container's first timestamp: stage times count from it, seeks in the file add it.
    start_time: float = 0.0

    @property
    def has_audio(self) -> bool:
        return self.audio_codec is not None


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class SubtitleTrackParse:
    cues: tuple[Cue, ...]
    skipped: int
    encoding: str
    language: str | None = None  # the cues' language when known (a transcript knows it)


@dataclass(frozen=True)
class Transcript:
    """Speech recognised in a movie: cues in source seconds and the language they are in.

    `note` is a stable code saying why there are no cues ("no_model", "no_audio", "no_speech",
    "language_unsupported"); the web layer translates it.
    """

    cues: tuple[Cue, ...]
    language: str | None
    language_probability: float
    note: str | None = None
    speech_seconds: float = 0.0  # what the voice detector kept
    model: str = ""


@dataclass(frozen=True)
class Transition:
    """A shot boundary: `kind` is "cut" (start == end) or "gradual" (dissolve, fade)."""

    start: float
    end: float
    kind: str

    @property
    def at(self) -> float:
        return (self.start + self.end) / 2


@dataclass(frozen=True)
class Analysis:
    duration: float
    fps: float
    frames: int
    transitions: tuple[Transition, ...]
    black: tuple[tuple[float, float], ...]
    # One value per `window` seconds, from the start of the movie.
    window: float
    motion: tuple[float, ...]
    loudness: tuple[float, ...]  # LUFS-like dB per window; silence is a very low number
    cues: tuple[Cue, ...] = ()
    skipped_cues: int = 0
    # Per window: mean luma (0-255) of a 4x3 grid over the picture, to compare shots by look.
    looks: tuple[tuple[int, ...], ...] = ()
    dialogue_language: str | None = None  # language of `cues` when known

    @property
    def cuts(self) -> tuple[float, ...]:
        return tuple(t.at for t in self.transitions)

    @property
    def brightness(self) -> tuple[float, ...]:
        """Mean luma per window (0-255), from `looks`."""
        return tuple(sum(look) / len(look) if look else 0.0 for look in self.looks)


@dataclass(frozen=True)
class Shot:
    start: float
    end: float


@dataclass(frozen=True)
class Scene:
    index: int
    start: float
    end: float
    shots: tuple[Shot, ...]
    score: float = 0.0

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Clip:
    """A span of the source kept in the recap; `recap_start` is where it begins in the recap."""

    start: float
    end: float
    recap_start: float = 0.0

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Selection:
    target: float
    clips: tuple[Clip, ...]
    scenes: tuple[Scene, ...] = ()  # every scene with its score, chosen or not
    # Set when the ending is left out: nothing at or after this source time is in the recap.
    cutoff: float | None = None

    @property
    def duration(self) -> float:
        return sum(c.duration for c in self.clips)


@dataclass(frozen=True)
class Evidence:
    """What a written line rests on: cue spans (source seconds) and scene indices."""

    cues: tuple[tuple[float, float], ...] = ()
    scenes: tuple[int, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.cues or self.scenes)


@dataclass(frozen=True)
class SynopsisSentence:
    text: str
    evidence: Evidence


@dataclass(frozen=True)
class Chapter:
    title: str
    source_start: float
    source_end: float
    recap_start: float
    recap_end: float
    evidence: Evidence = field(default_factory=Evidence)  # what the title rests on


@dataclass(frozen=True)
class Writeup:
    """Synopsis and chapters. `synopsis` is the sentences joined, kept for older readers.

    `note` is a stable code the page translates: "in_movie_language" when the text is in the
    dialogue's language (`text_language`) because the writer could not translate it.
    """

    language: str
    synopsis: str
    chapters: tuple[Chapter, ...]
    sentences: tuple[SynopsisSentence, ...] = ()
    note: str | None = None
    text_language: str | None = None
    include_ending: bool = True


class Writer(Protocol):
    """Writes the synopsis and chapter titles; the local writer and the LLM writer are two."""

    def write(
        self,
        *,
        language: str,
        analysis: Analysis,
        scenes: tuple[Scene, ...],
        selection: Selection,
    ) -> Writeup: ...


@dataclass(frozen=True)
class RenderOutputs:
    video: str
    poster: str
    sprite: str
    thumbnails_vtt: str
    subtitles_vtt: str | None
    duration: float
    timings: dict[str, float] = field(default_factory=dict)
    chapters_vtt: str | None = None
