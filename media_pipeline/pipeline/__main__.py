"""Command line: `python -m media_pipeline.pipeline MOVIE --out DIR` makes a recap of MOVIE."""

from __future__ import annotations

import argparse
import json
import sys

from .probe import ProbeLimits
from .runner import BUNDLED, run_all
from .types import PipelineError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m media_pipeline.pipeline", description=__doc__)
    parser.add_argument("movie", help="the video file to recap")
    parser.add_argument("--out", required=True, help="folder for the recap and report.json")
    parser.add_argument("--subtitles", help="an SRT or WebVTT file with the dialogue")
    parser.add_argument(
        "--target",
        default="auto",
        help="auto, 60, 180, 300 or 600 seconds (shorter than the movie)",
    )
    parser.add_argument("--language", default="en", help="language of the synopsis and chapters")
    parser.add_argument("--max-duration", type=float, help="refuse movies longer than this")
    parser.add_argument(
        "--asr-model",
        default=BUNDLED,
        help="a CTranslate2 Whisper model folder for speech recognition (default: the bundled one)",
    )
    parser.add_argument(
        "--no-asr", action="store_true", help="never transcribe the speech (no subtitles made)"
    )
    parser.add_argument(
        "--movie-language", help="the language spoken in the movie (default: detected)"
    )
    parser.add_argument(
        "--no-ending",
        action="store_true",
        help="spoiler-free: the recap, synopsis and chapters stop before the last act",
    )
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
            asr=not args.no_asr,
            asr_model=args.asr_model,
            movie_language=args.movie_language,
            include_ending=not args.no_ending,
        )
    except PipelineError as exc:
        print(f"\nerror [{exc.code}]: {exc.message}", file=sys.stderr)
        return 2
    summary = {k: data[k] for k in ("duration", "recap_duration", "timings", "writeup_note")}
    if data["transcript"] is not None:
        summary["transcript"] = data["transcript"]
    print(json.dumps(summary | {"clips": len(data["clips"]), "out": args.out}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
