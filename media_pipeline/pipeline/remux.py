"""An indexed copy of a movie whose container has no index (MPEG-TS, program streams).

Seeks in such files land by byte estimate, often frames or seconds off, which breaks clip
cutting and frame checks; a stream copy into MP4 costs a read and a write of the file, no
re-encoding. The upload code calls `remux_for_seeking` after the probe; the render does it
itself for a movie that was stored without it.
"""

from __future__ import annotations

from . import ffmpeg
from .probe import ProbeLimits, probe
from .types import ProbeResult


def needs_remux(probed: ProbeResult) -> bool:
    """Whether seeks in the probed movie are unreliable until it is copied into MP4."""
    return ffmpeg.demuxer_name(probed.format_name) in ffmpeg.UNINDEXED_DEMUXERS


def remux_for_seeking(
    path: str, probed: ProbeResult, out: str, *, stop: ffmpeg.StopSignal | None = None
) -> ProbeResult:
    """Copy the video and audio streams of `path` (probed as `probed`) into the MP4 `out`
    and return the copy's probe. Raises PipelineError when ffmpeg cannot copy them."""
    args = ffmpeg.remux_args(path, demuxer=ffmpeg.demuxer_name(probed.format_name), out=out)
    ffmpeg.run(args, timeout=max(600.0, probed.duration), stop=stop)
    return probe(out, limits=ProbeLimits(), stop=stop)
