"""Shot boundaries on pictures that fool a simple detector: flashes, fades, titles, shots that
keep evolving, and cuts out of fine patterns; each movie made here by ffmpeg."""

from __future__ import annotations

import numpy as np
import pytest

from media_pipeline.pipeline import ffmpeg
from media_pipeline.pipeline.analyze import analyze
from media_pipeline.pipeline.probe import ProbeLimits, probe
from media_pipeline.pipeline.verify_cuts import edge_agreement, same_scene

FPS = 25
SIZE = f"s=320x180:r={FPS}"


def _boundaries(folder, name: str, graph: str) -> list[tuple[float, float, str]]:
    path = str(folder / f"{name}.mp4")
    ffmpeg.run(["-filter_complex", graph, "-map", "[v]", "-c:v", "libx264", "-preset",
                "ultrafast", "-pix_fmt", "yuv420p", "-g", "50", path])  # fmt: skip
    found = analyze(path, probe(path, limits=ProbeLimits())).transitions
    return [(t.start, t.end, t.kind) for t in found]


def _cuts_at(found, *seconds: float) -> bool:
    """Exactly one cut within two frames of each of `seconds`, and nothing else."""
    return len(found) == len(seconds) and all(
        kind == "cut" and abs(start - at) <= 2 / FPS
        for (start, _, kind), at in zip(found, seconds, strict=True)
    )


def test_flashes_and_an_explosion_inside_a_shot_are_not_cuts(tmp_path):
    graph = (
        f"testsrc2={SIZE}:d=8,drawbox=c=white@0.9:t=fill:enable='between(n,50,51)',"
        "drawbox=c=white:t=fill:enable='eq(n,112)',"
        "lutyuv=y='min(255,val*1.8+40)':enable='between(n,150,152)'[v]"
    )
    assert _boundaries(tmp_path, "flashes", graph) == []


@pytest.mark.parametrize("through", ["fadeblack", "fadewhite"])
def test_a_fade_through_black_or_white_is_one_gradual_boundary_at_its_dip(tmp_path, through):
    graph = (
        f"testsrc2={SIZE}:d=4[a];gradients={SIZE}:d=4:seed=1:speed=0.01:c0=0x3060c0:c1=0xe0a040[b];"
        f"[a][b]xfade=transition={through}:duration=1:offset=3[v]"
    )
    found = _boundaries(tmp_path, through, graph)
    assert len(found) == 1
    start, end, kind = found[0]
    assert kind == "gradual"
    assert (start + end) / 2 == pytest.approx(3.5, abs=0.15)  # the darkest (or whitest) frame


def test_a_fade_in_from_black_at_the_start_is_no_boundary(tmp_path):
    assert _boundaries(tmp_path, "fade_in", f"testsrc2={SIZE}:d=6,fade=in:st=0.4:d=1.2[v]") == []


def test_cuts_into_and_out_of_a_title_card_are_found(tmp_path):
    graph = (
        f"testsrc2={SIZE}:d=2.48[a];color=c=0x101840:{SIZE}:d=2,"
        "drawbox=x=60:y=60:w=200:h=18:c=white:t=fill,drawbox=x=90:y=100:w=140:h=18:c=white:t=fill[b];"
        f"gradients={SIZE}:d=2.48:seed=2:c0=0x40a040:c1=0xa04040[c];[a][b][c]concat=n=3:v=1:a=0[v]"
    )
    assert _cuts_at(_boundaries(tmp_path, "title_card", graph), 2.48, 4.48)


def test_a_title_fading_in_and_out_over_a_shot_is_no_boundary(tmp_path):
    graph = (
        f"testsrc2={SIZE}:d=6[a];color=c=white:s=200x30:r={FPS}:d=6,format=yuva420p,"
        "fade=t=in:st=1.5:d=0.5:alpha=1,fade=t=out:st=3.5:d=0.5:alpha=1[t];[a][t]overlay=60:75[v]"
    )
    assert _boundaries(tmp_path, "title_over", graph) == []


@pytest.mark.parametrize(
    ("name", "graph"),
    [
        ("gradient", f"gradients={SIZE}:d=10:seed=6:speed=0.08:c0=0x2040a0:c1=0xe08020:c2=0x20a060"
                     ":nb_colors=3:type=2[v]"),
        ("automaton", f"cellauto={SIZE}:rule=110:random_seed=5,trim=duration=10,"
                      "lutyuv=u=90:v=170[v]"),
        ("slow_zoom", "testsrc2=s=320x180:r=1,trim=end_frame=1,loop=loop=-1:size=1,fps=25,"
                      "scale=w='2*trunc(320*(1.1+0.05*t)/2)':h=-2:eval=frame,crop=320:180,"
                      "trim=duration=10[v]"),
        ("fractal_zoom", f"mandelbrot={SIZE}:start_scale=2.5:end_scale=0.1:end_pts=250,"
                         "trim=duration=10[v]"),
    ],
)  # fmt: skip
def test_a_single_shot_that_keeps_evolving_has_no_boundary(tmp_path, name, graph):
    assert _boundaries(tmp_path, name, graph) == []


def test_cuts_out_of_fine_patterns_are_found(tmp_path):
    # Averaged down, the zone plate's thin rings and the automaton's cells are both a flat
    # grey, like the grey gradient after them; their point samples are not.
    graph = (
        f"zoneplate={SIZE}:precision=8:kx2=400:ky2=400:kt=10,trim=duration=3[a];"
        f"cellauto={SIZE}:rule=150:random_seed=3:random_fill_ratio=0.5,trim=duration=3,"
        f"lutyuv=u=150:v=100[b];gradients={SIZE}:d=3:seed=4:speed=0.02:c0=0x808080:c1=0x8a7a80[c];"
        "[a][b][c]concat=n=3:v=1:a=0[v]"
    )
    assert _cuts_at(_boundaries(tmp_path, "fine", graph), 3.0, 6.0)


def _picture(seed: int, shift: int = 0, gain: float = 1.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 256, (18, 32, 3)).astype(np.float32)
    picture = np.kron(blocks, np.ones((8, 8, 1), np.float32))
    return np.clip(np.roll(picture, shift, axis=1) * gain, 0, 255)


def test_the_closer_look_knows_a_lit_up_scene_from_another_scene():
    scene, brighter = _picture(1), _picture(1, shift=1, gain=1.4)
    other = _picture(2)

    assert edge_agreement(scene, brighter) > 0.5
    assert edge_agreement(scene, other) < 0.3
    assert same_scene([scene], [brighter, other])
    assert not same_scene([scene], [other])
    assert edge_agreement(scene, np.zeros_like(scene)) == 0.0  # the scene gone to black
