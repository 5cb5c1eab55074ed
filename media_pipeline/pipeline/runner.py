"""The stages in order, one function each, plus `run_all` for the command line.

The task layer calls the stage functions one by one (each takes and returns dataclasses);
`run_all` chains them in a scratch folder and moves the results into place only on success,
so a refused or failed movie leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace

from . import analyze as analyze_stage
from . import asr_model, story, transcribe
from . import probe as probe_stage
from . import render as render_stage
from . import scenes as scenes_stage
from . import select as select_stage
from .ffmpeg import StopSignal
from .subtitles import extract_embedded, parse_subtitles, write_vtt
from .types import (
    Analysis,
    Cue,
    ProbeResult,
    RenderOutputs,
    Scene,
    Selection,
    SubtitleTrackParse,
    Transcript,
    Writeup,
)
from .writers import make_writer

# `asr_model` when the bundled model should be used: a path of None means "no model".
BUNDLED = "bundled"

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class RecapRun:
    """Everything one run produced, ready for `report()`."""

    probe: ProbeResult
    analysis: Analysis
    scenes: tuple[Scene, ...]
    selection: Selection
    writeup: Writeup
    outputs: RenderOutputs
    timings: dict[str, float] = field(default_factory=dict)
    transcript: Transcript | None = None


def run_probe(
    movie: str,
    *,
    limits: probe_stage.ProbeLimits | None = None,
    stop: StopSignal | None = None,
) -> ProbeResult:
    return probe_stage.probe(movie, limits=limits or probe_stage.ProbeLimits(), stop=stop)


def load_subtitles(
    movie: str,
    probe: ProbeResult,
    *,
    uploaded: str | None,
    work_dir: str,
    language: str | None = None,
    stop: StopSignal | None = None,
) -> SubtitleTrackParse | None:
    """Cues from the uploaded file, else from an embedded text stream (the language's first)."""
    if uploaded:
        return parse_subtitles(uploaded)
    if not probe.subtitle_streams:
        return None
    streams = sorted(probe.subtitle_streams, key=lambda s: s.language != language)
    extracted = extract_embedded(
        movie, probe, streams[0], os.path.join(work_dir, "embedded.vtt"), stop=stop
    )
    return parse_subtitles(extracted)


def run_transcribe(
    movie: str,
    probe: ProbeResult,
    *,
    model_path: str | None = BUNDLED,
    language: str | None = None,
    progress: Callable[[float], None] | None = None,
    stop: StopSignal | None = None,
) -> Transcript:
    """Speech to cues; `model_path` is a model folder, BUNDLED for the shipped one, or None."""
    path = asr_model.default_model_path() if model_path == BUNDLED else model_path
    return transcribe.transcribe(
        movie, probe, model_path=path, language=language, progress=progress, stop=stop
    )


def transcript_track(transcript: Transcript) -> SubtitleTrackParse | None:
    """The transcript as the movie's subtitle track, or None when it heard nothing."""
    if not transcript.cues:
        return None
    return SubtitleTrackParse(transcript.cues, 0, "utf-8", language=transcript.language)


def run_analyze(
    movie: str,
    probe: ProbeResult,
    parsed: SubtitleTrackParse | None = None,
    *,
    progress: Callable[[float], None] | None = None,
    stop: StopSignal | None = None,
) -> Analysis:
    cues = parsed.cues if parsed else ()
    skipped = parsed.skipped if parsed else 0
    analysis = analyze_stage.analyze(
        movie, probe, cues=cues, skipped_cues=skipped, progress=progress, stop=stop
    )
    if parsed is not None and parsed.language:
        analysis = replace(analysis, dialogue_language=parsed.language)
    return analysis


def run_scenes(analysis: Analysis) -> tuple[Scene, ...]:
    return scenes_stage.group_scenes(analysis)


def run_select(
    analysis: Analysis,
    scenes: tuple[Scene, ...],
    *,
    requested: str | int | None = None,
    include_ending: bool = True,
) -> Selection:
    """The recap's clips; without the ending, only from before the last act (`cutoff`)."""
    target = select_stage.target_length(analysis.duration, requested)
    if include_ending:
        return select_stage.select_clips(analysis, scenes, target=target)
    cutoff = story.ending_cutoff(analysis, scenes)
    shown, kept = story.before(analysis, scenes, cutoff)
    selection = select_stage.select_clips(shown, kept, target=target)
    return replace(selection, cutoff=cutoff)


def run_write(
    analysis: Analysis,
    scenes: tuple[Scene, ...],
    selection: Selection,
    *,
    language: str,
    settings: Mapping[str, str] | None = None,
    include_ending: bool = True,
) -> Writeup:
    """Synopsis and chapters; without the ending, the writer never sees the last act (its
    cues included), whose start is the selection's cut-off."""
    if not include_ending:
        cutoff = selection.cutoff
        if cutoff is None:
            cutoff = story.ending_cutoff(analysis, scenes)
        analysis, scenes = story.before(analysis, scenes, cutoff)
    writer = make_writer(settings)
    writeup = writer.write(language=language, analysis=analysis, scenes=scenes, selection=selection)
    return replace(writeup, include_ending=include_ending)


def run_render(
    movie: str,
    probe: ProbeResult,
    selection: Selection,
    *,
    cues: tuple[Cue, ...],
    writeup: Writeup,
    out_dir: str,
    scenes: tuple[Scene, ...] = (),
    progress: Callable[[float], None] | None = None,
    stop: StopSignal | None = None,
) -> RenderOutputs:
    return render_stage.render_recap(
        movie=movie,
        probe=probe,
        selection=selection,
        cues=cues,
        writeup=writeup,
        out_dir=out_dir,
        progress=progress,
        scenes=scenes or selection.scenes,
        stop=stop,
    )


def run_all(
    movie: str,
    out_dir: str,
    *,
    subtitles: str | None = None,
    target: str | int | None = None,
    language: str = "en",
    limits: probe_stage.ProbeLimits | None = None,
    settings: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    stop: StopSignal | None = None,
    asr: bool = True,
    asr_model: str | None = BUNDLED,
    movie_language: str | None = None,
    include_ending: bool = True,
) -> dict:
    """Run every stage on `movie`, write the outputs and report.json into `out_dir`.

    Without a subtitle file or an embedded text track, the speech is transcribed (unless
    `asr` is off) and written as transcript.vtt; `movie_language` forces the spoken language.
    Setting `stop` ends the running ffmpeg at once and raises `Stopped`; nothing is left."""
    timings: dict[str, float] = {}

    def timed(name: str, fn: Callable, *args, **kwargs):
        clock = time.monotonic()
        if progress:
            progress(name, 0.0)
        result = fn(*args, **kwargs)
        timings[name] = round(time.monotonic() - clock, 3)
        if progress:
            progress(name, 1.0)
        return result

    def stage_progress(name: str) -> Callable[[float], None] | None:
        return (lambda f: progress(name, f)) if progress else None

    parent = os.path.dirname(os.path.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix=".recap-", dir=parent)
    try:
        probe = timed("probe", run_probe, movie, limits=limits, stop=stop)
        select_stage.check_fits(target, probe.duration)
        parsed = timed(
            "subtitles", load_subtitles, movie, probe,
            uploaded=subtitles, work_dir=scratch, language=language, stop=stop,
        )  # fmt: skip
        transcript = None
        if parsed is None and asr:
            transcript = timed(
                "transcribe", run_transcribe, movie, probe, model_path=asr_model,
                language=movie_language, progress=stage_progress("transcribe"), stop=stop,
            )  # fmt: skip
            parsed = transcript_track(transcript)
            if transcript.note == "no_audio" and probe.has_audio:
                # The stream decodes to nothing (0 seconds): later stages treat it as absent,
                # and the recap gets a silent track instead of none.
                probe = replace(probe, audio_codec=None)
        analysis = timed(
            "analyze", run_analyze, movie, probe, parsed,
            progress=stage_progress("analyze"), stop=stop,
        )  # fmt: skip
        scenes = timed("scenes", run_scenes, analysis)
        selection = timed(
            "select", run_select, analysis, scenes, requested=target,
            include_ending=include_ending,
        )  # fmt: skip
        writeup = timed(
            "write", run_write, analysis, selection.scenes, selection,
            language=language, settings=settings, include_ending=include_ending,
        )  # fmt: skip
        render_dir = os.path.join(scratch, "out")
        outputs = timed(
            "render", run_render, movie, probe, selection,
            cues=analysis.cues, writeup=writeup, out_dir=render_dir,
            progress=stage_progress("render"), stop=stop,
        )  # fmt: skip
        if transcript is not None and transcript.cues:
            write_vtt(transcript.cues, os.path.join(render_dir, "transcript.vtt"))
        run = RecapRun(
            probe, analysis, selection.scenes, selection, writeup, outputs, timings, transcript
        )
        data = report(run)
        with open(os.path.join(render_dir, "report.json"), "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=2)
        os.makedirs(out_dir, exist_ok=True)
        for name in os.listdir(render_dir):
            os.replace(os.path.join(render_dir, name), os.path.join(out_dir, name))
        return data
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def report(run: RecapRun) -> dict:
    """A JSON-ready summary: source spans in seconds, outputs by file name, stage timings."""
    outputs = {
        key: os.path.basename(value) if isinstance(value, str) else value
        for key, value in asdict(run.outputs).items()
    }
    return {
        "duration": run.analysis.duration,
        "probe": asdict(run.probe) | {"path": os.path.basename(run.probe.path)},
        "cuts": [round(t, 3) for t in run.analysis.cuts],
        "transitions": [asdict(t) for t in run.analysis.transitions],
        "black": [list(span) for span in run.analysis.black],
        "scenes": [
            {
                "index": s.index,
                "start": round(s.start, 3),
                "end": round(s.end, 3),
                "score": s.score,
                "shots": [[round(x.start, 3), round(x.end, 3)] for x in s.shots],
            }
            for s in run.scenes
        ],
        "target": run.selection.target,
        "clips": [[c.start, c.end] for c in run.selection.clips],
        "recap_duration": round(run.selection.duration, 3),
        "include_ending": run.writeup.include_ending,
        "ending_cutoff": run.selection.cutoff,
        "language": run.writeup.language,
        "text_language": run.writeup.text_language,
        "writeup_note": run.writeup.note,
        "synopsis": run.writeup.synopsis,
        "sentences": [asdict(s) for s in run.writeup.sentences],
        "chapters": [asdict(c) for c in run.writeup.chapters],
        "dialogue_language": run.analysis.dialogue_language,
        "transcript": transcript_report(run.transcript),
        "cues": len(run.analysis.cues),
        "skipped_cues": run.analysis.skipped_cues,
        "outputs": outputs,
        "timings": dict(run.timings),
    }


def transcript_report(transcript: Transcript | None) -> dict | None:
    """What speech recognition made of the movie; None when it did not run."""
    if transcript is None:
        return None
    return {
        "language": transcript.language,
        "language_probability": transcript.language_probability,
        "note": transcript.note,
        "cues": len(transcript.cues),
        "speech_seconds": transcript.speech_seconds,
        "model": transcript.model,
        "file": "transcript.vtt" if transcript.cues else None,
    }
