"""Transcribe stage: the movie's speech as timed cues in the language spoken, with faster-whisper.

ffmpeg decodes the audio to 16 kHz mono floats on a pipe; the samples are read into a buffer of
a few minutes, Silero VAD finds the speech in it, the window is cut in a silence, its speech is
transcribed and the buffer moves on. Memory stays flat in the movie's length: one window of
samples, never the whole track. Nothing usable (no model, no audio, no speech, a language the
model does not know) ends with no cues and a note code, never an exception.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import asr_model, ffmpeg
from .types import Cue, PipelineError, ProbeResult, Stopped, Transcript

log = logging.getLogger(__name__)

RATE = 16_000  # what Whisper hears
WINDOW = 240.0  # seconds of audio transcribed at a time
LOOKAHEAD = 45.0  # read past the window so a sentence running over it ends inside the buffer
READ_BYTES = 1 << 16
MAX_SPEECH = 30.0  # Whisper hears 30 s at a time: longer VAD chunks are split
# 30-second pieces encoded and decoded together: two take ~12% less CPU than one at a time for
# ~70 MB more; four save 5% more for ~300 MB (each holds its attention matrices).
BATCH = 2
# Below this detection probability the speech is in no language the model knows well enough:
# a transcript would be noise in the wrong language. Between it and UNSURE_LANGUAGE, the first
# window's words must also be likely (mean log-probability per token) or the same holds.
MIN_LANGUAGE_PROBABILITY = 0.3
UNSURE_LANGUAGE = 0.7
MIN_UNSURE_LOGPROB = -0.8
# A segment the model itself doubts this much is music or noise heard as words.
MIN_AVG_LOGPROB = -1.0
MAX_NO_SPEECH_PROB = 0.6
MIN_AUDIO = 0.1  # seconds; less is an empty audio stream
CUE_MAX = 7.0  # longer segments are split at sentence ends, so subtitles stay readable
_SENTENCE = re.compile(r"(?<=[.!?…。！？؟।])\s+")
_WORDLESS = re.compile(r"^[\W_♪♫]*$")


@dataclass
class _Window:
    """Speech chunks of the buffer, in samples from its start, ready to transcribe."""

    chunks: list[dict]
    keep_from: int  # samples before this are done with


def transcribe(
    path: str,
    probe: ProbeResult,
    *,
    model_path: str | None,
    language: str | None = None,
    beam_size: int = 1,
    threads: int = 2,
    progress: Callable[[float], None] | None = None,
    stop: ffmpeg.StopSignal | None = None,
) -> Transcript:
    """Speech in `path` as cues; `language` forces the spoken language (else it is detected).

    Setting `stop` kills the decode at once and raises `Stopped` at the next read or segment.
    A corrupt audio stream raises PipelineError("audio_unreadable").
    """
    if not probe.has_audio:
        return Transcript((), None, 0.0, note="no_audio")
    if not model_path or not asr_model.is_model_folder(model_path):
        return Transcript((), None, 0.0, note="no_model")
    model = asr_model.load_model(model_path, threads)
    name = model_path.rstrip("/").rsplit("/", 1)[-1]
    if language and not _supported(model, language):
        return Transcript((), language, 0.0, note="language_unsupported", model=name)
    run = _Run(model, language, beam_size, stop, progress, probe.duration)
    args = ffmpeg.asr_audio_args(path, demuxer=ffmpeg.demuxer_name(probe.format_name), rate=RATE)
    with tempfile.TemporaryFile() as errors:
        with ffmpeg.pipe(
            args, timeout=max(1800.0, probe.duration * 2), stderr=errors, stop=stop
        ) as proc:
            finished = _read(proc.stdout, run)
            if finished:
                proc.wait()
        if finished:  # else the language is known to be unusable and the decode was cut short
            _check_decode(proc, errors, run.samples_read, probe)
    if run.samples_read < MIN_AUDIO * RATE:
        return Transcript((), None, 0.0, note="no_audio", model=name)
    if progress is not None:
        progress(1.0)
    speech = round(run.speech_samples / RATE, 3)
    if run.unsupported:
        return Transcript((), run.language, run.probability, "language_unsupported", speech, name)
    if not run.cues:
        return Transcript((), run.language, run.probability, "no_speech", speech, name)
    return Transcript(tuple(run.cues), run.language, run.probability, None, speech, name)


def _supported(model, language: str) -> bool:
    code = language.lower().split("-")[0].split("_")[0]
    return code in set(model.supported_languages)


class _Run:
    """What one transcription has gathered so far, window after window."""

    def __init__(
        self, model, language: str | None, beam_size: int, stop, progress, duration: float
    ) -> None:
        self.model, self.beam_size, self.stop = model, beam_size, stop
        self.progress, self.duration, self.reported = progress, max(duration, 1.0), 0.0
        self.language = language.lower().split("-")[0] if language else None
        self.probability = 1.0 if language else 0.0
        self.unsupported = False
        self.cues: list[Cue] = []
        self.samples_read = 0
        self.speech_samples = 0

    def check_stop(self) -> None:
        if self.stop is not None and self.stop.is_set():
            raise Stopped("the transcription was stopped on request")

    def tell(self, seconds: float) -> None:
        """Report progress (transcribed up to `seconds` of the movie) every 1% or so; the
        callback may raise to cancel, as the job layer's does."""
        fraction = min(seconds / self.duration, 0.99)
        if self.progress is not None and fraction - self.reported >= 0.01:
            self.progress(fraction)
            self.reported = fraction

    def window(self, audio: np.ndarray, offset: float, final: bool) -> int:
        """Transcribe the speech of `audio` (starting at `offset` s) that is complete; return
        how many samples are done with."""
        cut = _speech_window(audio, final)
        if cut.chunks and not self.unsupported:
            self._transcribe(audio, cut.chunks, offset)
        return cut.keep_from

    def _transcribe(self, audio: np.ndarray, chunks: list[dict], offset: float) -> None:
        from faster_whisper import BatchedInferencePipeline
        from faster_whisper.vad import SpeechTimestampsMap, collect_chunks

        speech = np.concatenate(collect_chunks(audio, chunks, sampling_rate=RATE)[0])
        self.speech_samples += speech.size
        detecting = self.language is None
        if detecting:
            language, probability, _ = self.model.detect_language(
                audio=speech, language_detection_segments=3
            )
            self.language, self.probability = language, round(float(probability), 4)
            if probability < MIN_LANGUAGE_PROBABILITY:
                self.unsupported = True
                return
        times = SpeechTimestampsMap(chunks, RATE)
        segments, _ = BatchedInferencePipeline(self.model).transcribe(
            speech,
            language=self.language,
            beam_size=self.beam_size,
            batch_size=BATCH,
            clip_timestamps=_pieces(chunks),
            without_timestamps=False,
            vad_filter=False,
        )
        weighted = heard = 0.0
        for segment in segments:
            self.check_stop()
            weighted += segment.avg_logprob * (segment.end - segment.start)
            heard += segment.end - segment.start
            text = " ".join(segment.text.split())
            if _WORDLESS.match(text) or segment.avg_logprob < MIN_AVG_LOGPROB:
                continue
            if segment.no_speech_prob > MAX_NO_SPEECH_PROB:
                continue
            start = offset + times.get_original_time(segment.start)
            end = offset + times.get_original_time(segment.end, is_end=True)
            self.cues.extend(split_cue(start, max(end, start + 0.2), text))
            self.tell(end)
        unsure = detecting and self.probability < UNSURE_LANGUAGE
        if unsure and heard and weighted / heard < MIN_UNSURE_LOGPROB:
            self.unsupported = True
            self.cues.clear()


def _pieces(chunks: list[dict]) -> list[dict]:
    """The speech of `chunks`, laid end to end, as pieces of at most MAX_SPEECH seconds that
    start and end at chunk edges (in seconds of that speech-only audio)."""
    pieces: list[dict] = []
    at = 0.0
    for chunk in chunks:
        length = (chunk["end"] - chunk["start"]) / RATE
        if pieces and at + length - pieces[-1]["start"] <= MAX_SPEECH:
            pieces[-1]["end"] = at + length
        else:
            pieces.append({"start": at, "end": at + length})
        at += length
    return pieces


def _speech_window(audio: np.ndarray, final: bool) -> _Window:
    """The speech chunks of the buffer that end before the window's edge (all of them at the
    end of the stream), and where the next window starts: in a silence, never mid-word."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    chunks = get_speech_timestamps(audio, VadOptions(max_speech_duration_s=MAX_SPEECH), RATE)
    if final:
        return _Window(chunks, audio.size)
    edge = int(WINDOW * RATE)
    ready = [c for c in chunks if c["start"] < edge and c["end"] < audio.size - RATE]
    later = [c for c in chunks if c not in ready]
    keep_from = later[0]["start"] if later else max(edge, ready[-1]["end"] if ready else 0)
    return _Window(ready, keep_from)


def _read(stream, run: _Run) -> bool:
    """Feed the decoded samples to `run` window by window; False when it stopped before the
    end of the stream (the language is known to be unusable: the rest need not be decoded)."""
    capacity = int((WINDOW + LOOKAHEAD) * RATE)
    buffer = np.empty(capacity, dtype=np.float32)
    filled = 0
    offset = 0.0  # source seconds at buffer[0]
    pending = b""
    while True:
        run.check_stop()
        data = stream.read(min(READ_BYTES, (capacity - filled) * 4))
        final = not data
        if final:  # a stop kills the decode: its end is no end of the movie
            run.check_stop()
        if data:
            data = pending + data
            usable = len(data) - len(data) % 4
            pending = data[usable:]
            samples = np.frombuffer(data[:usable], dtype="<f4")
            buffer[filled : filled + samples.size] = samples
            filled += samples.size
            run.samples_read += samples.size
        if filled == capacity or (final and filled):
            done = run.window(buffer[:filled], offset, final)
            buffer[: filled - done] = buffer[done:filled]
            filled -= done
            offset += done / RATE
            run.tell(offset)
            if run.unsupported and not final:
                return False
        if final:
            return True


def _check_decode(proc: ffmpeg.Supervised, errors, samples: int, probe: ProbeResult) -> None:
    proc.raise_if_interrupted()
    errors.seek(0)
    tail = errors.read()[-2000:].decode("utf-8", "replace")
    # A stream that decodes to far less than it claims, with decoder errors on the way, is
    # damaged; an empty stream that decodes cleanly is just empty.
    broken = samples < 0.5 * probe.duration * RATE and "rror" in tail
    if proc.returncode != 0 or broken:
        raise PipelineError("audio_unreadable", f"the audio could not be decoded: {tail}")


def split_cue(start: float, end: float, text: str) -> list[Cue]:
    """One cue per sentence when a segment is long, its time shared out by length."""
    parts = [p for p in _SENTENCE.split(text) if p.strip()]
    if end - start <= CUE_MAX or len(parts) < 2:
        return [Cue(round(start, 3), round(end, 3), text)]
    total = sum(len(p) for p in parts)
    cues, at = [], start
    for part in parts:
        length = (end - start) * len(part) / total
        cues.append(Cue(round(at, 3), round(at + length, 3), part))
        at += length
    return cues
