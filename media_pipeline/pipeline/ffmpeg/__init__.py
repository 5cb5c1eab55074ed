"""The one package that owns ffmpeg: `process` starts and supervises it (and guards its
inputs), `commands` and `recap` build its arguments. Callers import everything from here.
"""

from ..types import Stopped
from .commands import (
    analysis_args,
    demuxer_name,
    frames_gray_args,
    poster_args,
    probe_args,
    subtitle_extract_args,
    tail_check_args,
    verify_args,
)
from .process import (
    DEFAULT_TIMEOUT,
    PROTOCOLS,
    Input,
    StopSignal,
    Supervised,
    binary,
    command_line,
    input_url,
    pipe,
    run,
    run_with_progress,
)
from .recap import (
    AUDIO_FADE,
    LOUDNESS_PEAK_DBTP,
    LOUDNESS_TARGET_LUFS,
    SAMPLE_RATE,
    concat_script,
    loudness_filter,
    loudness_scan_args,
    parse_loudness,
    recap_render_args,
)

__all__ = [
    "AUDIO_FADE",
    "DEFAULT_TIMEOUT",
    "LOUDNESS_PEAK_DBTP",
    "LOUDNESS_TARGET_LUFS",
    "PROTOCOLS",
    "SAMPLE_RATE",
    "Input",
    "StopSignal",
    "Stopped",
    "Supervised",
    "analysis_args",
    "binary",
    "command_line",
    "concat_script",
    "demuxer_name",
    "frames_gray_args",
    "input_url",
    "loudness_filter",
    "loudness_scan_args",
    "parse_loudness",
    "pipe",
    "poster_args",
    "probe_args",
    "recap_render_args",
    "run",
    "run_with_progress",
    "subtitle_extract_args",
    "tail_check_args",
    "verify_args",
]
