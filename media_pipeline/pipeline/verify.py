"""The last check before a recap is published: it opens, decodes to its last frame without an
error, lasts as long as planned and carries sound when it should.

One full decode of the recap (never of the movie), so it is cheap enough to run on every one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from . import ffmpeg
from .probe import parse_header, stream_fps
from .types import PipelineError, TransientPipelineError

DURATION_SLACK, DURATION_SHARE = 0.5, 0.02  # seconds, share of the expected duration
FRAME_SLACK = 2  # a frame at each end may fall either side of a rounded duration
MAX_ERRORS_KEPT = 5
_LEVEL_PREFIX = re.compile(r"^\[info\] ", re.M)
_ERROR_LINE = re.compile(r"^(?:\[[^\]\n]*\] )*\[(?:error|fatal|panic)\] (?P<text>.*)$", re.M)


@dataclass(frozen=True)
class RecapCheck:
    """What the decode found. `problem` is the stable code of the first check that failed:
    `recap_unreadable`, `recap_frame_count`, `recap_decode_error`, `recap_duration` or
    `recap_no_audio`; None when the recap is fit to publish."""

    problem: str | None
    duration: float | None = None  # as the container states it
    frames: int = 0  # video frames decoded
    expected_frames: int = 0  # the container's duration times the video's frame rate
    has_audio: bool = False
    errors: tuple[str, ...] = ()  # the first decoder messages, for the logs

    @property
    def ok(self) -> bool:
        return self.problem is None

    def raise_if_broken(self) -> None:
        """TransientPipelineError("recap_corrupt"): this attempt's output is unusable, while
        another attempt may well produce a good one."""
        if self.problem is not None:
            detail = "; ".join(self.errors) or f"{self.frames}/{self.expected_frames} frames"
            raise TransientPipelineError(
                "recap_corrupt", f"{self.problem}: {detail}", problem=self.problem
            )


def verify_recap(
    path: str,
    *,
    expected_duration: float,
    expect_audio: bool,
    stop: ffmpeg.StopSignal | None = None,
) -> RecapCheck:
    """Decode every frame of `path` and compare it with what the render was asked for.

    The duration must be within max(0.5 s, 2 %) of `expected_duration`; the decoded frames
    within FRAME_SLACK of the container's duration times the frame rate (a file cut short, or
    a clobbered one, keeps its full-length index but not its frames).
    """
    frames = [0]
    done = ffmpeg.run_with_progress(
        ffmpeg.verify_args(path),
        on_frames=lambda count: frames.__setitem__(0, count),
        timeout=120.0 + 2 * expected_duration,
        stop=stop,
        check=False,
    )
    stderr = done.stderr.decode("utf-8", "replace")
    errors = tuple(m["text"].strip() for m in _ERROR_LINE.finditer(stderr))[:MAX_ERRORS_KEPT]
    # The input's listing only: the null output lists its own streams after "Stream mapping".
    header = _LEVEL_PREFIX.sub("", stderr).split("Stream mapping:")[0]
    try:
        _format, duration, streams = parse_header(header)
    except PipelineError:
        return RecapCheck("recap_unreadable", errors=errors)
    video = next((s for s in streams if s["kind"] == "Video"), None)
    has_audio = any(s["kind"] == "Audio" for s in streams)
    if video is None or duration is None or done.returncode != 0:
        return RecapCheck("recap_unreadable", duration, frames[0], 0, has_audio, errors)
    expected_frames = round(duration * stream_fps(video["rest"]))
    found = RecapCheck(None, duration, frames[0], expected_frames, has_audio, errors)
    if abs(frames[0] - expected_frames) > FRAME_SLACK:
        return replace(found, problem="recap_frame_count")
    if errors:
        return replace(found, problem="recap_decode_error")
    if abs(duration - expected_duration) > max(DURATION_SLACK, DURATION_SHARE * expected_duration):
        return replace(found, problem="recap_duration")
    if expect_audio and not has_audio:
        return replace(found, problem="recap_no_audio")
    return found
