"""Command line: `python -m media_pipeline.pipeline MOVIE --out DIR` makes a recap of MOVIE."""

from __future__ import annotations

import argparse
import json
import sys

from .probe import ProbeLimits
from .runner import run_all
from .types import PipelineError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m media_pipeline.pipeline", description=__doc__)
    parser.add_argument("movie", help="the video file to recap")
    parser.add_argument("--out", required=True, help="folder for the recap and report.json")
    parser.add_argument("--subtitles", help="an SRT or WebVTT file with the dialogue")
    parser.add_argument("--target", default="auto", help="auto, 60, 180, 300 or 600 seconds")
    parser.add_argument("--language", default="en", help="language of the synopsis and chapters")
    parser.add_argument("--max-duration", type=float, help="refuse movies longer than this")
    args = parser.parse_args(argv)

    def show(stage: str, fraction: float) -> None:
        print(f"\r{stage:<10} {fraction:6.1%}", end="", file=sys.stderr, flush=True)

    try:
        data = run_all(
            args.movie,
            args.out,
            subtitles=args.subtitles,
            target=args.target,
            language=args.language,
            limits=ProbeLimits(max_duration=args.max_duration),
            progress=show if sys.stderr.isatty() else None,
        )
    except PipelineError as exc:
        print(f"\nerror [{exc.code}]: {exc.message}", file=sys.stderr)
        return 2
    summary = {k: data[k] for k in ("duration", "recap_duration", "timings")}
    print(json.dumps(summary | {"clips": len(data["clips"]), "out": args.out}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
