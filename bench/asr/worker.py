"""The measured side of the speech benchmark: one stage in a fresh process, JSON out.

`python -m bench.asr.worker transcribe MOVIE` loads the bundled model and transcribes;
`python -m bench.asr.worker whole MOVIE OUT` runs every stage with speech recognition.
"""

from __future__ import annotations

import json
import sys
import time

from bench.pipeline.worker import _peaks


def run_transcribe(movie: str) -> dict:
    from media_pipeline.pipeline import asr_model, probe, transcribe

    clock = time.perf_counter()
    path = asr_model.default_model_path()
    asr_model.load_model(path)
    loaded = time.perf_counter()
    probed = probe.probe(movie, limits=probe.ProbeLimits())
    started = time.perf_counter()
    result = transcribe.transcribe(movie, probed, model_path=path)
    done = time.perf_counter()
    return {
        "load_seconds": loaded - clock,
        "seconds": done - started,
        "duration": probed.duration,
        "language": result.language,
        "language_probability": result.language_probability,
        "note": result.note,
        "speech_seconds": result.speech_seconds,
        "cues": [[c.start, c.end, c.text] for c in result.cues],
    }


def run_whole(movie: str, out_dir: str) -> dict:
    from media_pipeline.pipeline import runner

    clock = time.perf_counter()
    report = runner.run_all(movie, out_dir, target="auto")
    return {
        "seconds": time.perf_counter() - clock,
        "recap_duration": report["recap_duration"],
        "timings": report["timings"],
        "synopsis": report["synopsis"],
        "titles": [c["title"] for c in report["chapters"]],
        "sentences": len(report["sentences"]),
        "grounded": sum(
            1 for s in report["sentences"] if s["evidence"]["cues"] or s["evidence"]["scenes"]
        ),
    }


def main(argv: list[str]) -> int:
    kind, *args = argv
    result = run_transcribe(*args) if kind == "transcribe" else run_whole(*args)
    print(json.dumps(result | {"peaks": _peaks()}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
