"""Speech benchmark movies: a long script naming people and places, spoken by eSpeak NG in
scenes of dialogue and scenes without words, over background noise; cached by parameters.

The generator is the test suite's (`tests/media_pipeline/pipeline/speech.py`).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import time
from dataclasses import asdict, dataclass

from media_pipeline.pipeline.types import Cue
from tests.media_pipeline.pipeline.speech import make_speech_movie

PEOPLE = ("Elias", "Julia", "Victor", "Ada")
PLACES = ("Lisbon", "Karsk", "the monastery", "the harbour")
TEMPLATES = (
    "{a} waits for {b} near {p}.",
    "{a} tells {b} that the road to {p} is closed.",
    "The governor is looking for {a} in {p}.",
    "{a} and {b} leave {p} before the storm.",
    "Nobody in {p} has seen {a} since the fire.",
    "{a} finds a letter from {b} at {p}.",
    "The soldiers follow {b} all the way to {p}.",
    "{a} says the fleet will reach {p} tonight.",
    "{b} hides the map under the floor in {p}.",
    "It is cold in {p}, and {a} is tired.",
)
LINES_PER_SCENE = 6
SILENT_SCENE = 25.0  # seconds without a word after each scene of dialogue: about half is speech


@dataclass(frozen=True)
class SpeechSpec:
    name: str
    duration: float
    width: int = 1280  # the picture matters to the whole pipeline only (ASR decodes no video)
    height: int = 720
    seed: int = 5

    @property
    def key(self) -> str:
        made = asdict(self) | {"lines": LINES_PER_SCENE, "silent": SILENT_SCENE, "audio": 48000}
        return hashlib.sha256(json.dumps(made, sort_keys=True).encode()).hexdigest()[:10]


def script(spec: SpeechSpec, count: int) -> list[str]:
    rng = random.Random(spec.seed)
    lines = []
    for _ in range(count):
        a, b = rng.sample(PEOPLE, 2)
        lines.append(rng.choice(TEMPLATES).format(a=a, b=b, p=rng.choice(PLACES)))
    return lines


def ensure_movie(spec: SpeechSpec, folder: str) -> tuple[str, list[Cue], float]:
    """The movie for `spec` (made once), its spoken lines and how long making it took."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"speech-{spec.name}-{spec.key}.mp4")
    truth_path = path + ".json"
    if os.path.exists(path) and os.path.exists(truth_path):
        with open(truth_path, encoding="utf-8") as fh:
            return path, [Cue(**c) for c in json.load(fh)], 0.0
    # About 3.8 s a line with its gap; a scene of six lines, then a scene without words.
    per_scene = LINES_PER_SCENE * 3.8 + SILENT_SCENE
    count = int((spec.duration - 10) / per_scene) * LINES_PER_SCENE
    clock = time.monotonic()
    while True:
        try:
            truth = make_speech_movie(
                path, script(spec, count), duration=spec.duration, pause_every=LINES_PER_SCENE,
                pause=SILENT_SCENE, size=(spec.width, spec.height), seed=spec.seed,
            )  # fmt: skip
            break
        except ValueError:  # the lines came out longer than planned: fewer of them
            count -= LINES_PER_SCENE
    with open(truth_path, "w", encoding="utf-8") as fh:
        json.dump([asdict(c) for c in truth.lines], fh)
    return path, list(truth.lines), time.monotonic() - clock
