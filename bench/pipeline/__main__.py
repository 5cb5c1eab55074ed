"""`python -m bench.pipeline [--quick] [--out bench/out]`: speed, memory and accuracy of the
recap pipeline against bare ffmpeg and PySceneDetect, all measured in one run on the same files.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

from . import accuracy, machine, measure, movies, report, sets

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LONG_MOVIE = 20 * 60  # seconds; longer movies are measured `--long-repeat` times


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _mib(kib: int) -> float:
    return round(kib / 1024, 1)


def bench_movie(movie: movies.BenchMovie, *, repeat: int, out_dir: str) -> dict:
    """Every measurement on one movie, `repeat` rounds interleaved; best time and worst RSS."""
    spec, truth = movie.spec, movie.truth
    runs: dict[str, list[dict]] = {k: [] for k in ("decode", "analyze", "scenedetect", "whole")}
    encode_runs: list[dict] = []
    recap_dir = os.path.join(out_dir, "recaps", spec.key)
    size = measure.output_size(spec.width, spec.height)
    load = [os.getloadavg()]
    for round_no in range(1, repeat + 1):
        _log(f"[{spec.name}] round {round_no}/{repeat}: bare decode")
        t = measure.bare_decode(movie.path)
        runs["decode"].append(
            {"seconds": t.seconds, "cpu": t.cpu_seconds, "tree_peak_kib": t.tree_peak_kib}
        )
        for kind, args in (
            ("analyze", (movie.path,)),
            ("scenedetect", (movie.path,)),
            ("whole", (movie.path, movie.srt, recap_dir)),
        ):
            _log(f"[{spec.name}] round {round_no}/{repeat}: {kind}")
            worker_kind = "run_all" if kind == "whole" else kind
            t, result = measure.run_worker(worker_kind, *args, cwd=ROOT)
            result.update(
                process_seconds=t.seconds, cpu=t.cpu_seconds, tree_peak_kib=t.tree_peak_kib
            )
            runs[kind].append(result)
        recap_seconds = runs["whole"][-1]["recap_duration"]
        _log(f"[{spec.name}] round {round_no}/{repeat}: bare encode of {recap_seconds:.1f}s")
        with tempfile.TemporaryDirectory() as scratch:
            t = measure.bare_encode(
                recap_seconds, size, spec.fps, os.path.join(scratch, "encode.mp4")
            )
        encode_runs.append(
            {"seconds": t.seconds, "cpu": t.cpu_seconds, "tree_peak_kib": t.tree_peak_kib}
        )

    load.append(os.getloadavg())

    def best(items: list[dict]) -> float:
        return round(min(r["seconds"] for r in items), 3)

    def cpu(items: list[dict]) -> float:
        return round(min(r["cpu"] for r in items), 3)

    def rss(items: list[dict]) -> dict:
        return {
            "worker_mib": _mib(max(r["rss"]["self_hwm_kib"] for r in items)),
            "largest_ffmpeg_mib": _mib(max(r["rss"]["children_kib"] for r in items)),
            "tree_peak_mib": _mib(max(r["tree_peak_kib"] for r in items)),
        }

    own_row = sets.item(
        "own",
        spec.name,
        accuracy.truth_spans(truth),
        {"boundaries": runs["analyze"][0]["boundaries"], "clips": runs["whole"][-1]["clip_spans"]},
        runs["scenedetect"][0],
        [(c.start, c.end) for c in truth.cues],
    )
    ours = accuracy.score(runs["analyze"][0]["boundaries"], truth)
    theirs = accuracy.score(runs["scenedetect"][0]["boundaries"], truth)
    stable = all(r["boundaries"] == runs["analyze"][0]["boundaries"] for r in runs["analyze"])
    decode, analyzed, detected = (
        best(runs["decode"]),
        best(runs["analyze"]),
        best(runs["scenedetect"]),
    )
    whole, encode = best(runs["whole"]), best(encode_runs)
    cpu_of = {k: cpu(v) for k, v in runs.items()} | {"encode": cpu(encode_runs)}
    return {
        "movie": {
            "name": spec.name,
            "file": os.path.relpath(movie.path, ROOT),
            "duration": truth.duration,
            "width": spec.width,
            "height": spec.height,
            "fps": spec.fps,
            "size_mb": round(os.path.getsize(movie.path) / 1e6, 1),
            "hard_cuts": len(truth.cuts),
            "dissolves": len(truth.dissolves),
            "cues": len(truth.cues),
            "generated_seconds": movie.extra.get("generated_seconds"),
        },
        "repeat": repeat,
        "decode": {
            "best": decode,
            "runs": [round(r["seconds"], 3) for r in runs["decode"]],
            "cpu": cpu_of["decode"],
        },
        "analyze": {
            "best": analyzed,
            "runs": [round(r["seconds"], 3) for r in runs["analyze"]],
            "cpu": cpu_of["analyze"],
            "probe_seconds": round(min(r["probe_seconds"] for r in runs["analyze"]), 3),
            "process_seconds": round(min(r["process_seconds"] for r in runs["analyze"]), 3),
            "frames": runs["analyze"][0]["frames"],
            "rss": rss(runs["analyze"]),
            "accuracy": ours.as_dict(),
            "gradual_found": runs["analyze"][0]["gradual"],
            "deterministic": stable,
        },
        "scenedetect": {
            "best": detected,
            "runs": [round(r["seconds"], 3) for r in runs["scenedetect"]],
            "cpu": cpu_of["scenedetect"],
            "rss": rss(runs["scenedetect"]),
            "accuracy": theirs.as_dict(),
        },
        "whole": {
            "best": whole,
            "runs": [round(r["seconds"], 3) for r in runs["whole"]],
            "cpu": cpu_of["whole"],
            "recap_duration": runs["whole"][-1]["recap_duration"],
            "clips": runs["whole"][-1]["clips"],
            "stage_timings": min(
                (r["timings"] for r in runs["whole"]), key=lambda t: sum(t.values())
            ),
            "rss": rss(runs["whole"]),
        },
        "encode": {
            "best": encode,
            "runs": [round(r["seconds"], 3) for r in encode_runs],
            "cpu": cpu_of["encode"],
            "size": list(size),
        },
        "ratios": {
            "analyze_vs_decode": round(analyzed / decode, 3),
            "scenedetect_vs_analyze": round(detected / analyzed, 3),
            "whole_vs_reference": round(whole / (decode + encode), 3),
        },
        "cpu_ratios": {
            "analyze_vs_decode": round(cpu_of["analyze"] / cpu_of["decode"], 3),
            "scenedetect_vs_analyze": round(cpu_of["scenedetect"] / cpu_of["analyze"], 3),
            "whole_vs_reference": round(cpu_of["whole"] / (cpu_of["decode"] + cpu_of["encode"]), 3),
        },
        "load": load,
        "accuracy_row": own_row,
    }


def accuracy_only(prepared: list[movies.BenchMovie]) -> list[dict]:
    """The own generator's movies scored without timing anything: one select run each."""
    rows = []
    for movie in prepared:
        _log(f"[own] {movie.spec.name}: ours, PySceneDetect")
        ours = measure.run_worker("select", movie.path, movie.srt, cwd=ROOT)[1]
        theirs = measure.run_worker("scenedetect", movie.path, cwd=ROOT)[1]
        cues = [(c.start, c.end) for c in movie.truth.cues]
        spans = accuracy.truth_spans(movie.truth)
        rows.append(sets.item("own", movie.spec.name, spans, ours, theirs, cues))
    return rows


def bench_testdata(folder: str, *, repeat: int) -> list[dict]:
    """Bare decode vs probe+analyze on real clips, read in place."""
    rows = []
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        _log(f"[testdata] {name}")
        decode = min(measure.bare_decode(path).seconds for _ in range(repeat))
        results = [measure.run_worker("analyze", path, cwd=ROOT)[1] for _ in range(repeat)]
        analyzed = min(r["seconds"] for r in results)
        rows.append(
            {
                "clip": name,
                "decode": round(decode, 3),
                "analyze": round(analyzed, 3),
                "ratio": round(analyzed / decode, 3),
                "frames": results[0]["frames"],
                "worker_mib": _mib(max(r["rss"]["self_hwm_kib"] for r in results)),
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pipeline", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2-min 720p + 5-min 480p smoke run")
    parser.add_argument("--out", default=os.path.join("bench", "out"), help="cache and results")
    parser.add_argument("--repeat", type=int, default=2, help="rounds per movie up to 20 min")
    parser.add_argument("--long-repeat", type=int, default=1, help="rounds for longer movies")
    parser.add_argument(
        "--testdata", help="the real clips: scored against bench/labels, and analyze timed"
    )
    parser.add_argument(
        "--accuracy", action="store_true", help="accuracy of every set only; time nothing"
    )
    args = parser.parse_args(argv)

    out_dir = os.path.abspath(args.out)
    os.makedirs(out_dir, exist_ok=True)
    started = time.time()
    info = machine.describe()
    info["load_before"] = os.getloadavg()
    specs = movies.QUICK if args.quick else movies.FULL
    prepared = [movies.ensure_movie(spec, out_dir, log=_log) for spec in specs]
    results, rows = [], []
    if args.accuracy:
        rows = accuracy_only(prepared)
    else:
        for movie in prepared:
            repeat = args.long_repeat if movie.spec.duration > LONG_MOVIE else args.repeat
            results.append(bench_movie(movie, repeat=repeat, out_dir=out_dir))
            rows.append(results[-1]["accuracy_row"])
    rows += sets.run_story_and_real(out_dir, args.testdata, root=ROOT, log=_log)
    extra = bench_testdata(args.testdata, repeat=3) if args.testdata and not args.accuracy else []
    info["load_after"] = os.getloadavg()
    data = {
        "command": " ".join(["python -m bench.pipeline", *(argv or sys.argv[1:])]),
        "quick": args.quick,
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(started)),
        "wall_seconds": round(time.time() - started, 1),
        "machine": info,
        "movies": results,
        "targets": report.check_targets(results) + report.check_sets(sets.summary(rows), rows),
        "testdata": extra,
        "sets": sets.summary(rows),
        "accuracy": rows,
    }
    name = "accuracy" if args.accuracy else "results"
    with open(os.path.join(out_dir, f"{name}.json"), "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2)
    text = report.render(data)
    with open(os.path.join(out_dir, f"{name}.md"), "w", encoding="utf-8") as fh:
        fh.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
