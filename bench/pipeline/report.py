"""Targets checked against the references measured in the same run, and the Markdown report."""

from __future__ import annotations

ANALYZE_MAX, ANALYZE_AIM = 1.3, 1.0
F1_MIN = 0.95
F1_MIN_REAL = 0.92
SPEEDUP_MIN, SPEEDUP_AIM = 1.5, 2.0
WHOLE_MAX = 1.3
RSS_MAX_MIB = 400.0
RSS_SPREAD = 0.10


def _target(name: str, movie: str, value: str, met: bool, aim: bool | None = None) -> dict:
    return {"target": name, "movie": movie, "value": value, "met": met, "aim_met": aim}


def _worker_mib(result: dict) -> float:
    return max(result["analyze"]["rss"]["worker_mib"], result["whole"]["rss"]["worker_mib"])


def check_targets(results: list[dict]) -> list[dict]:
    """One row per target and movie: the measured value, MET or not, and the aim where one is."""
    rows = []
    for r in results:
        name, ratios = r["movie"]["name"], r["ratios"]
        ratio = ratios["analyze_vs_decode"]
        rows.append(
            _target(
                f"analyze <= {ANALYZE_MAX}x bare decode (aim <= {ANALYZE_AIM}x)",
                name,
                f"{r['analyze']['best']:.2f}s / {r['decode']['best']:.2f}s = {ratio:.2f}x",
                ratio <= ANALYZE_MAX,
                ratio <= ANALYZE_AIM,
            )
        )
        ours, theirs = r["analyze"]["accuracy"]["f1"], r["scenedetect"]["accuracy"]["f1"]
        rows.append(
            _target(
                f"F1 >= {F1_MIN} and >= PySceneDetect's",
                name,
                f"ours {ours:.3f}, PySceneDetect {theirs:.3f}",
                ours >= F1_MIN and ours >= theirs,
            )
        )
        speed = ratios["scenedetect_vs_analyze"]
        rows.append(
            _target(
                f">= {SPEEDUP_MIN}x faster than PySceneDetect (aim {SPEEDUP_AIM}x)",
                name,
                f"{r['scenedetect']['best']:.2f}s / {r['analyze']['best']:.2f}s = {speed:.2f}x",
                speed >= SPEEDUP_MIN,
                speed >= SPEEDUP_AIM,
            )
        )
        whole = ratios["whole_vs_reference"]
        reference = r["decode"]["best"] + r["encode"]["best"]
        rows.append(
            _target(
                f"whole pipeline <= {WHOLE_MAX}x (bare decode + bare encode of recap)",
                name,
                f"{r['whole']['best']:.2f}s / {reference:.2f}s = {whole:.2f}x",
                whole <= WHOLE_MAX,
            )
        )
        worker = _worker_mib(r)
        rows.append(
            _target(
                f"worker peak RSS <= {RSS_MAX_MIB:.0f} MB",
                name,
                f"{worker:.1f} MiB (analyze {r['analyze']['rss']['worker_mib']:.1f}, "
                f"whole pipeline {r['whole']['rss']['worker_mib']:.1f})",
                worker <= RSS_MAX_MIB,
            )
        )
    if len(results) >= 2:
        short, long = results[0], results[-1]
        a, b = _worker_mib(short), _worker_mib(long)
        spread = abs(b - a) / a
        rows.append(
            _target(
                f"worker peak RSS within {RSS_SPREAD:.0%} between movies",
                f"{short['movie']['name']} vs {long['movie']['name']}",
                f"{a:.1f} vs {b:.1f} MiB: {spread:+.1%}",
                spread <= RSS_SPREAD,
            )
        )
    return rows


def check_sets(summary: list[dict], rows: list[dict]) -> list[dict]:
    """Accuracy targets per set, and the speech rule per movie with dialogue."""
    out = []
    for s in summary:
        ours, theirs = s["ours"]["f1"], s["scenedetect"]["f1"]
        floor = {"real": F1_MIN_REAL, "story-tuning": F1_MIN, "story-held-out": F1_MIN}.get(
            s["set"]
        )
        name = f"F1 >= {floor} and >= PySceneDetect's" if floor else "F1 >= PySceneDetect's"
        met = ours >= theirs and (floor is None or ours >= floor)
        out.append(_target(name, s["title"], f"ours {ours:.3f}, PySceneDetect {theirs:.3f}", met))
        if s["set"] == "real":
            found = s["single_shot_false_cuts"]
            out.append(
                _target("no false cut on single-shot clips", s["title"], str(found), not found)
            )
    for r in rows:
        if "speech" in r:
            v = r["speech"]
            out.append(
                _target(
                    "0 clips cut inside speech where a move <= 1.5 s avoids it",
                    f"{r['set']}: {r['name']}",
                    f"{v['violations']} of {v['boundaries']} clip boundaries "
                    f"({v['inside_speech']} inside speech)",
                    v["violations"] == 0,
                )
            )
    return out


def _set_tables(data: dict) -> list[str]:
    lines = [
        "| set | movies | true boundaries | ours P / R / F1 | PySceneDetect P / R / F1 |",
        "|---|---|---|---|---|",
    ]

    def prf(a: dict) -> str:
        return f"{a['precision']:.3f} / {a['recall']:.3f} / **{a['f1']:.3f}**"

    for s in data["sets"]:
        lines.append(
            f"| {s['title']} | {s['movies']} | {s['ours']['truth']} | {prf(s['ours'])} | "
            f"{prf(s['scenedetect'])} |"
        )
    lines += [
        "",
        "| set | movie | true | ours: found, matched, F1 | PySceneDetect: found, matched, F1 "
        "| clip boundaries in speech (avoidable) |",
        "|---|---|---|---|---|---|",
    ]
    for r in data["accuracy"]:
        o, t = r["ours"], r["scenedetect"]
        v = r.get("speech")
        said = f"{v['inside_speech']} of {v['boundaries']} ({v['violations']})" if v else "-"
        lines.append(
            f"| {r['set']} | {r['name']} | {r['truth']} | {o['found']}, {o['matched']}, "
            f"{o['f1']:.3f} | {t['found']}, {t['matched']}, {t['f1']:.3f} | {said} |"
        )
    return lines


def _runs(part: dict) -> str:
    runs = part["runs"]
    best = f"{part['best']:.2f}"
    return best if len(runs) == 1 else f"{best} (runs: {', '.join(f'{s:.2f}' for s in runs)})"


def _acc(a: dict) -> str:
    return (
        f"P {a['precision']:.3f} / R {a['recall']:.3f} / F1 {a['f1']:.3f} "
        f"({a['matched']} of {a['truth']} true, {a['found']} found)"
    )


def _rss(r: dict) -> str:
    return (
        f"worker {r['worker_mib']:.0f} / largest ffmpeg child {r['largest_ffmpeg_mib']:.0f} / "
        f"tree {r['tree_peak_mib']:.0f}"
    )


def _cpu(r: dict, top: str, bottom: str, ratio: str) -> str:
    return f"{r[top]['cpu']:.1f} / {r[bottom]['cpu']:.1f} = {r['cpu_ratios'][ratio]:.2f}x"


def _table(results: list[dict]) -> list[str]:
    rows: list[tuple[str, list[str]]] = [
        ("movie", [f"{r['movie']['duration']:.0f}s {r['movie']['width']}x{r['movie']['height']}"
                   f" @{r['movie']['fps']:g}, {r['movie']['size_mb']:.0f} MB" for r in results]),
        ("truth boundaries", [f"{r['movie']['hard_cuts']} cuts + {r['movie']['dissolves']}"
                              " dissolves" for r in results]),
        ("rounds (best of)", [str(r["repeat"]) for r in results]),
        ("bare decode `ffmpeg -i F -f null -` (s)", [_runs(r["decode"]) for r in results]),
        ("ours: probe + analyze (s)", [_runs(r["analyze"]) for r in results]),
        ("  of which probe (s)", [f"{r['analyze']['probe_seconds']:.2f}" for r in results]),
        ("  **analyze / bare decode**", [f"**{r['ratios']['analyze_vs_decode']:.2f}x**"
                                         for r in results]),
        ("  CPU s: analyze / bare decode", [_cpu(r, "analyze", "decode", "analyze_vs_decode")
                                            for r in results]),
        ("  analyze peak RSS (MiB)", [_rss(r["analyze"]["rss"]) for r in results]),
        ("  ours boundaries", [_acc(r["analyze"]["accuracy"]) for r in results]),
        ("PySceneDetect ContentDetector (s)", [_runs(r["scenedetect"]) for r in results]),
        ("  **PySceneDetect / ours (speed-up)**",
         [f"**{r['ratios']['scenedetect_vs_analyze']:.2f}x**" for r in results]),
        ("  CPU s: PySceneDetect / ours", [_cpu(r, "scenedetect", "analyze",
                                                "scenedetect_vs_analyze") for r in results]),
        ("  PySceneDetect boundaries", [_acc(r["scenedetect"]["accuracy"]) for r in results]),
        ("  PySceneDetect peak RSS (MiB)", [_rss(r["scenedetect"]["rss"]) for r in results]),
        ("whole pipeline `run_all` (s)", [_runs(r["whole"]) for r in results]),
        ("  stage timings (s)", [", ".join(f"{k} {v:.2f}" for k, v in
                                           r["whole"]["stage_timings"].items()) for r in results]),
        ("  recap", [f"{r['whole']['recap_duration']:.1f}s in {r['whole']['clips']} clips, "
                     f"{r['encode']['size'][0]}x{r['encode']['size'][1]}" for r in results]),
        ("  bare encode of the recap's length (s)", [_runs(r["encode"]) for r in results]),
        ("  reference: decode + encode (s)",
         [f"{r['decode']['best'] + r['encode']['best']:.2f}" for r in results]),
        ("  **whole / reference**", [f"**{r['ratios']['whole_vs_reference']:.2f}x**"
                                     for r in results]),
        ("  CPU s: whole / (decode + encode)",
         [f"{r['whole']['cpu']:.1f} / ({r['decode']['cpu']:.1f} + {r['encode']['cpu']:.1f}) = "
          f"{r['cpu_ratios']['whole_vs_reference']:.2f}x" for r in results]),
        ("  load average at start / end", [" / ".join(f"{x[0]:.1f}" for x in r["load"])
                                           for r in results]),
        ("  whole pipeline peak RSS (MiB)", [_rss(r["whole"]["rss"]) for r in results]),
    ]  # fmt: skip
    lines = [
        "| measure | " + " | ".join(r["movie"]["name"] for r in results) + " |",
        "|---|" + "---|" * len(results),
    ]
    lines += [f"| {label} | " + " | ".join(cells) + " |" for label, cells in rows]
    return lines


def render(data: dict) -> str:
    """The run as Markdown: machine, the measured table, the targets, the optional clip table."""
    m = data["machine"]
    lines = [
        f"Command: `{data['command']}` — started {data['started']}, "
        f"took {data['wall_seconds']:.0f}s",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores; RAM {m['memory_gib']} GiB; {m['os']}",
        f"- Python {m['python']}, numpy {m['numpy']}; {m['ffmpeg']}",
        f"- PySceneDetect {m['scenedetect']}, OpenCV {m['opencv']}",
        f"- load average before {tuple(round(x, 2) for x in m['load_before'])}, "
        f"after {tuple(round(x, 2) for x in m['load_after'])}",
        "",
        *(_table(data["movies"]) if data["movies"] else []),
        "",
        *(_set_tables(data) if data.get("sets") else []),
        "",
        "| target | movie | measured | result |",
        "|---|---|---|---|",
    ]
    for t in data["targets"]:
        verdict = "MET" if t["met"] else "NOT MET"
        if t["aim_met"] is not None:
            verdict += " (aim met)" if t["aim_met"] else " (aim not met)"
        lines.append(f"| {t['target']} | {t['movie']} | {t['value']} | {verdict} |")
    if data.get("testdata"):
        lines += [
            "",
            "| clip | frames | bare decode (s) | probe + analyze (s) | ratio | worker RSS (MiB) |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {c['clip']} | {c['frames']} | {c['decode']:.3f} | {c['analyze']:.3f} | "
            f"{c['ratio']:.2f}x | {c['worker_mib']:.0f} |"
            for c in data["testdata"]
        ]
    return "\n".join(lines) + "\n"
