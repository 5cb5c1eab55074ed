"""The measured side of the benchmark: one stage run in a fresh process, result as JSON.

`python -m bench.pipeline.worker analyze|scenedetect|select|run_all MOVIE [SRT [OUT_DIR]]` runs
the stage once, like a worker would, and prints one JSON line: the stage's wall time, what it
found, and the peak RSS of this process and of its largest ffmpeg child (getrusage).
"""

from __future__ import annotations

import json
import resource
import sys
import time


def _peaks() -> dict[str, int]:
    """Peak resident set sizes in KiB: this process, and the largest child it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    hwm = own
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except OSError:
        pass
    return {"self_kib": own, "self_hwm_kib": hwm, "children_kib": children}


def run_analyze(movie: str) -> dict:
    """probe + analyze, as the analyzing stage of a job runs them."""
    from media_pipeline.pipeline import analyze, probe

    clock = time.perf_counter()
    probed = probe.probe(movie, limits=probe.ProbeLimits())
    probed_at = time.perf_counter()
    result = analyze.analyze(movie, probed)
    done = time.perf_counter()
    return {
        "seconds": done - clock,
        "probe_seconds": probed_at - clock,
        "analyze_seconds": done - probed_at,
        "frames": result.frames,
        "boundaries": [t.at for t in result.transitions],
        "gradual": sum(1 for t in result.transitions if t.kind == "gradual"),
    }


def run_select(movie: str, srt: str | None) -> dict:
    """probe, analyze with the movie's cues, scenes and select ("auto"): what the recap keeps."""
    from media_pipeline.pipeline import runner

    clock = time.perf_counter()
    probed = runner.run_probe(movie)
    parsed = runner.load_subtitles(movie, probed, uploaded=srt, work_dir=".")
    analysis = runner.run_analyze(movie, probed, parsed)
    scenes = runner.run_scenes(analysis)
    selection = runner.run_select(analysis, scenes, requested="auto")
    return {
        "seconds": time.perf_counter() - clock,
        "frames": analysis.frames,
        "boundaries": [t.at for t in analysis.transitions],
        "gradual": sum(1 for t in analysis.transitions if t.kind == "gradual"),
        "clips": [[c.start, c.end] for c in selection.clips],
        "cues": [[c.start, c.end] for c in analysis.cues],
    }


def run_scenedetect(movie: str) -> dict:
    """PySceneDetect's ContentDetector with its defaults, via the one-call API."""
    import scenedetect
    from scenedetect import ContentDetector, detect

    clock = time.perf_counter()
    scenes = detect(movie, ContentDetector())
    done = time.perf_counter()
    return {
        "seconds": done - clock,
        "boundaries": [start.get_seconds() for start, _end in scenes[1:]],
        "version": scenedetect.__version__,
    }


def run_whole(movie: str, srt: str, out_dir: str) -> dict:
    """Every stage via `runner.run_all`, target "auto", the synth dialogue as uploaded SRT."""
    from media_pipeline.pipeline import runner

    clock = time.perf_counter()
    report = runner.run_all(movie, out_dir, subtitles=srt, target="auto")
    done = time.perf_counter()
    return {
        "seconds": done - clock,
        "recap_duration": report["recap_duration"],
        "clips": len(report["clips"]),
        "clip_spans": report["clips"],
        "timings": report["timings"],
        "boundaries": [t["start"] / 2 + t["end"] / 2 for t in report["transitions"]],
    }


def main(argv: list[str]) -> int:
    kind, movie, *rest = argv
    if kind == "analyze":
        result = run_analyze(movie)
    elif kind == "scenedetect":
        result = run_scenedetect(movie)
    elif kind == "select":
        result = run_select(movie, rest[0] if rest else None)
    elif kind == "run_all":
        result = run_whole(movie, rest[0], rest[1])
    else:
        raise SystemExit(f"unknown benchmark {kind!r}")
    result["rss"] = _peaks()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
