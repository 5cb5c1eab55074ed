"""The one table of transitions allowed between a recap job's states, the order and progress
bands of its stages, and how the job's state decides its movie's status."""

from __future__ import annotations

from ..models import ACTIVE_STATES, JobState, MovieStatus

# The stages a worker runs, in order; a job's state is the stage it is in (or waits for).
STAGES = (
    JobState.PROBING,
    JobState.TRANSCRIBING,
    JobState.ANALYZING,
    JobState.SELECTING,
    JobState.RENDERING,
    JobState.PUBLISHING,
)
# Where each stage's progress sits on the job's 0–100 bar.
BANDS = {
    JobState.PROBING: (0, 5),
    JobState.TRANSCRIBING: (5, 25),
    JobState.ANALYZING: (25, 60),
    JobState.SELECTING: (60, 65),
    JobState.RENDERING: (65, 95),
    JobState.PUBLISHING: (95, 100),
}
NEXT_STAGE = {
    JobState.QUEUED: JobState.PROBING,
    JobState.PROBING: JobState.TRANSCRIBING,
    JobState.TRANSCRIBING: JobState.ANALYZING,
    JobState.ANALYZING: JobState.SELECTING,
    JobState.SELECTING: JobState.RENDERING,
    JobState.RENDERING: JobState.PUBLISHING,
    JobState.PUBLISHING: JobState.DONE,
}

# The whole state machine. A stage moves on to the next; any active state may fail or be
# canceled; publishing may send the job back to rendering when the render's files are gone
# (another worker's disk). Ended jobs never move again: a retry is a new job.
_END = (JobState.FAILED, JobState.CANCELED)
TRANSITIONS: dict[str, frozenset[str]] = {
    JobState.QUEUED: frozenset({JobState.PROBING, *_END}),
    JobState.PROBING: frozenset({JobState.TRANSCRIBING, *_END}),
    JobState.TRANSCRIBING: frozenset({JobState.ANALYZING, *_END}),
    JobState.ANALYZING: frozenset({JobState.SELECTING, *_END}),
    JobState.SELECTING: frozenset({JobState.RENDERING, *_END}),
    JobState.RENDERING: frozenset({JobState.PUBLISHING, *_END}),
    JobState.PUBLISHING: frozenset({JobState.DONE, JobState.RENDERING, *_END}),
    JobState.DONE: frozenset(),
    JobState.FAILED: frozenset(),
    JobState.CANCELED: frozenset(),
}

# Failures that say something about the movie itself, not about our machines: only these make
# the movie's own status "failed". A full disk or a lost worker leaves the movie as it was.
MOVIE_FAULTS = frozenset(
    {
        "empty_file",
        "not_a_video",
        "playlist_refused",
        "container_not_allowed",
        "codec_not_allowed",
        "no_video_stream",
        "video_too_small",
        "video_too_large",
        "truncated",
        "decode_failed",
        "too_long",
        "subtitles_unreadable",
        "audio_unreadable",
        "empty_selection",
    }
)


def can_retry(*, job_state: str, failure_code: str = "") -> bool:
    """Whether a new job with the same options may succeed where this one ended: a canceled
    job, or a failure of our machines. A fault of the movie itself fails the same way again."""
    if job_state == JobState.CANCELED:
        return True
    return job_state == JobState.FAILED and failure_code not in MOVIE_FAULTS


class IllegalTransition(Exception):
    """A move the table does not allow (e.g. cancelling a finished job)."""

    def __init__(self, current: str, wanted: str) -> None:
        super().__init__(f"a {current} job cannot become {wanted}")
        self.current = current
        self.wanted = wanted


def check_transition(current: str, wanted: str) -> None:
    if wanted not in TRANSITIONS.get(current, frozenset()):
        raise IllegalTransition(current, wanted)


def movie_status_for(*, job_state: str, failure_code: str = "", has_recap: bool) -> str:
    """The movie's status once its latest job is in `job_state`."""
    if job_state in ACTIVE_STATES:
        return MovieStatus.PROCESSING
    if job_state == JobState.FAILED and failure_code in MOVIE_FAULTS:
        return MovieStatus.FAILED
    return MovieStatus.DONE if has_recap or job_state == JobState.DONE else MovieStatus.READY
