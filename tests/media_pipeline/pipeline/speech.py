"""Speech test movies: a known script spoken by eSpeak NG over background sound, on shots made
by ffmpeg's generated sources. The script and its timings are the truth to score against.

eSpeak NG comes from the `espeakng-loader` wheel (its library and voice data), driven through
ctypes, so nothing is downloaded and no system package is needed. The benchmark in
`bench/asr/` makes its long movies with the same functions.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import subprocess
import threading
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from bench.synth import make_movie
from media_pipeline.pipeline import ffmpeg
from media_pipeline.pipeline.types import Cue

RATE = 22_050  # eSpeak NG's own rate
BLOCK = 60.0  # seconds of sound mixed at a time, so a long movie is made in flat memory
_SYNCHRONOUS, _RATE_PARAMETER, _UTF8 = 2, 1, 1
_lock = threading.Lock()

STORY = (
    "Captain Elias Crane sails into Lisbon harbour at dawn.",
    "Julia waits for him on the old stone pier.",
    "Elias tells Julia that her brother Victor is alive.",
    "Victor was last seen in the mountains near Karsk.",
    "Julia wants to leave Lisbon tonight and find Victor.",
    "The governor of Karsk has closed every road into the valley.",
    "Elias knows a secret path through the forest.",
    "At the inn, a woman named Ada sells them a map of Karsk.",
    "Ada warns Julia that the governor pays for information.",
    "Crossing the forest takes three long days.",
    "Victor left a letter for Julia at the monastery.",
    "The letter says the governor is building a fleet to attack Lisbon.",
)
STORY_NAMES = ("Elias", "Julia", "Victor", "Lisbon", "Karsk", "Ada")
# Spoken only in the last act of the spoiler movie, over its planted magenta shots.
ENDING = (
    "The fortress explodes and the governor falls into the burning sea.",
    "Victor dies in the fire while the fleet sinks.",
)


@dataclass(frozen=True)
class SpeechTruth:
    path: str
    duration: float
    lines: tuple[Cue, ...]  # each line with the span it is spoken in
    planted: tuple[float, float] | None = None  # the last act's distinctive shots

    @property
    def words(self) -> list[str]:
        return [w for line in self.lines for w in normalised_words(line.text)]


def normalised_words(text: str) -> list[str]:
    """Lower-case words without punctuation, British and American spellings made one."""
    words = "".join(ch if ch.isalnum() or ch == "'" else " " for ch in text.lower()).split()
    return [w.replace("harbour", "harbor").strip("'") for w in words if w.strip("'")]


def word_recall(truth: Sequence[str], heard: Sequence[str]) -> float:
    """Share of the script's words found in order in what was heard (longest common
    subsequence), so a word counts once and only where it was said."""
    if not truth:
        return 1.0
    previous = [0] * (len(heard) + 1)
    for word in truth:
        current = [0]
        for j, other in enumerate(heard):
            current.append(previous[j] + 1 if word == other else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1] / len(truth)


@cache
def _espeak() -> tuple[ctypes.CDLL, int]:
    import espeakng_loader

    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    rate = lib.espeak_Initialize(_SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), 0)
    if rate != RATE:
        raise RuntimeError(f"eSpeak NG did not start (rate {rate})")
    return lib, rate


_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


def speak(text: str, *, voice: str = "en-us", words_per_minute: int = 150) -> np.ndarray:
    """`text` spoken by eSpeak NG: float32 samples at RATE, peaks near 0.5."""
    lib, _ = _espeak()
    pieces: list[np.ndarray] = []

    @_CALLBACK
    def collect(wav, count, _events):
        if count > 0:
            pieces.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0

    data = text.encode("utf-8")
    with _lock:
        lib.espeak_SetSynthCallback(collect)
        if lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise ValueError(f"eSpeak NG has no voice {voice!r}")
        lib.espeak_SetParameter(_RATE_PARAMETER, words_per_minute, 0)
        lib.espeak_Synth(data, len(data) + 1, 0, 0, 0, _UTF8, None, None)
        lib.espeak_Synchronize()
    samples = np.concatenate(pieces) if pieces else np.zeros(0, np.int16)
    return samples.astype(np.float32) / 32768.0


def timed_lines(
    lines: Sequence[str],
    *,
    start: float,
    gap: float = 1.2,
    voice: str = "en-us",
    pause_every: int = 0,
    pause: float = 0.0,
) -> list[tuple[Cue, np.ndarray]]:
    """Each line spoken after the previous one with `gap` seconds between them, and `pause`
    seconds more after every `pause_every` lines (a scene without words)."""
    out, at = [], start
    spoken: dict[str, np.ndarray] = {}  # a line said again is synthesised once
    for number, text in enumerate(lines, 1):
        audio = spoken.get(text)
        if audio is None:
            audio = spoken[text] = speak(text, voice=voice)
        end = at + audio.size / RATE
        out.append((Cue(round(at, 3), round(end, 3), text), audio))
        at = end + gap + (pause if pause_every and number % pause_every == 0 else 0.0)
    return out


def _background(kind: str, start: float, count: int, rng: np.random.Generator) -> np.ndarray:
    t = start + np.arange(count) / RATE
    if kind == "noise":  # rumble and hiss: white noise plus a low-passed copy of it
        white = rng.standard_normal(count).astype(np.float32)
        return np.convolve(white, 0.9 ** np.arange(64, dtype=np.float32), mode="same") + white
    if kind == "music":  # a chord changing every two seconds, with a slow tremolo
        roots = np.array([220.0, 196.0, 174.6, 246.9])[(t // 2).astype(int) % 4]
        chord = sum(np.sin(2 * np.pi * roots * ratio * t) for ratio in (1.0, 1.26, 1.5))
        return (chord / 3 * (0.7 + 0.3 * np.sin(2 * np.pi * 0.5 * t))).astype(np.float32)
    return np.zeros(count, np.float32)


def write_soundtrack(
    path: str,
    duration: float,
    spoken: Sequence[tuple[Cue, np.ndarray]],
    *,
    background: str = "noise",
    background_db: float = -20.0,
    loud_from: float | None = None,
    loud_db: float = -6.0,
    seed: int = 1,
) -> str:
    """A 16-bit mono WAV: the spoken lines over `background` at `background_db` (relative to
    the speech's level); from `loud_from` on, at `loud_db` instead (a climax)."""
    rng = np.random.default_rng(seed)
    speech_rms = 0.12
    level = speech_rms * 10 ** (background_db / 20)
    total = round(duration * RATE)
    with wave.open(path, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        for first in range(0, total, round(BLOCK * RATE)):
            count = min(round(BLOCK * RATE), total - first)
            noise = _background(background, first / RATE, count, rng)
            noise *= level / max(float(np.sqrt(np.mean(noise**2))), 1e-9)
            if loud_from is not None:
                at = np.arange(first, first + count) / RATE
                boost = 10 ** ((loud_db - background_db) / 20)
                noise = np.where(at >= loud_from, noise * boost, noise)
            block = noise
            for cue, audio in spoken:
                lo, hi = round(cue.start * RATE), round(cue.start * RATE) + audio.size
                if hi <= first or lo >= first + count:
                    continue
                a, b = max(lo, first), min(hi, first + count)
                block[a - first : b - first] += audio[a - lo : b - lo]
            out.writeframes((np.clip(block, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def _ffmpeg(*args: str, timeout: float = 600) -> None:
    subprocess.run(
        [ffmpeg.binary(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", *args],
        check=True,
        capture_output=True,
        timeout=timeout,
    )


def make_speech_movie(
    path: str,
    lines: Sequence[str],
    *,
    duration: float,
    start: float = 1.0,
    gap: float = 1.2,
    voice: str = "en-us",
    background: str = "noise",
    background_db: float = -20.0,
    ending: Sequence[str] = (),
    ending_at: float | None = None,
    shot_length: float = 6.0,
    pause_every: int = 0,
    pause: float = 0.0,
    size: tuple[int, int] = (320, 180),
    seed: int = 3,
) -> SpeechTruth:
    """A movie of `duration` seconds whose soundtrack speaks `lines` from `start` on.

    With `ending`, the last act from `ending_at` is planted: magenta shots full of motion, a
    loud soundtrack, and the `ending` lines spoken over it.
    """
    spoken = timed_lines(
        lines, start=start, gap=gap, voice=voice, pause_every=pause_every, pause=pause
    )
    act = ending_at if ending else None
    if act is not None:
        spoken += timed_lines(ending, start=act + 1.0, gap=gap, voice=voice)
    if spoken and spoken[-1][0].end > duration - 0.5:
        raise ValueError("the script does not fit in the movie")
    if act is not None and lines and spoken[len(lines) - 1][0].end > act:
        raise ValueError("the story runs into the planted ending")
    base = os.path.splitext(path)[0]
    pictures, sound = f"{base}.video.mp4", f"{base}.sound.wav"
    story_length = act if act is not None else duration
    make_movie(
        pictures, duration=story_length, shots=max(1, round(story_length / shot_length)),
        width=size[0], height=size[1], with_audio=False, seed=seed,
    )  # fmt: skip
    write_soundtrack(sound, duration, spoken, background=background,
                     background_db=background_db, loud_from=act, seed=seed)  # fmt: skip
    try:
        if act is None:
            _ffmpeg("-i", pictures, "-i", sound, "-map", "0:v", "-map", "1:a", "-c:v", "copy",
                    "-c:a", "aac", "-ar", "48000", "-b:a", "96k", "-shortest", path)  # fmt: skip
        else:
            planted = (
                f"color=c=magenta:s={size[0]}x{size[1]}:r=25:d={duration - act:.3f},"
                "noise=alls=90:allf=t,format=yuv420p"
            )
            _ffmpeg("-i", pictures, "-f", "lavfi", "-i", planted, "-i", sound,
                    "-filter_complex", "[0:v][1:v]concat=n=2:v=1:a=0[v]",
                    "-map", "[v]", "-map", "2:a", "-c:v", "libx264", "-preset", "ultrafast",
                    "-crf", "30", "-pix_fmt", "yuv420p", "-g", "100", "-c:a", "aac",
                    "-ar", "48000", "-b:a", "96k", "-t", f"{duration:.3f}", path)  # fmt: skip
    finally:
        for temporary in (pictures, sound):
            if os.path.exists(temporary):
                os.remove(temporary)
    return SpeechTruth(
        path=path,
        duration=duration,
        lines=tuple(cue for cue, _ in spoken),
        planted=(act, duration) if act is not None else None,
    )


def make_music_movie(path: str, *, duration: float, background: str = "music") -> str:
    """Shots over a soundtrack without a word: music, or `silence` (an all-zero track)."""
    truth = make_speech_movie(path, (), duration=duration, background=background)
    return truth.path


def make_empty_audio_movie(path: str, *, duration: float = 4.0) -> str:
    """A Matroska movie whose audio stream exists but holds no samples (0 seconds)."""
    silence = f"{os.path.splitext(path)[0]}.empty.wav"
    with wave.open(silence, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
    try:
        _ffmpeg("-f", "lavfi", "-i", f"testsrc2=s=160x90:r=12:d={duration}", "-i", silence,
                "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "ultrafast",
                "-c:a", "flac", path)  # fmt: skip
    finally:
        os.remove(silence)
    return path


def make_corrupt_audio_movie(base: str) -> str:
    """Video with an AAC stream whose frames after the first two are random bytes."""
    tone = f"{base}.aac"
    _ffmpeg("-f", "lavfi", "-i", "sine=f=300:d=6:r=16000", "-c:a", "aac", "-f", "adts", tone)
    with open(tone, "rb") as handle:
        data = bytearray(handle.read())
    noise = hashlib.sha256(b"seed").digest() * 64
    at, frame = 0, 0
    while at + 7 <= len(data):
        length = ((data[at + 3] & 3) << 11) | (data[at + 4] << 3) | (data[at + 5] >> 5)
        if frame >= 2:
            data[at + 7 : at + length] = noise[frame : frame + length - 7]
        at, frame = at + length, frame + 1
    with open(tone, "wb") as out:
        out.write(data)
    path = f"{base}.mkv"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x90:r=12:d=6", "-i", tone,
            "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "ultrafast",
            "-c:a", "copy", path)  # fmt: skip
    return path
