"""Translated, actionable refusals: the pipeline's stable error codes as sentences, and the
errors uploads answer with."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .pipeline.types import PipelineError


class UploadError(Exception):
    """A refusal the person can act on: a translated `message` and the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class UploadRefused(UploadError):
    """The finished upload is not a movie we accept; the upload has been discarded."""

    def __init__(self, message: str) -> None:
        super().__init__(message, 422)


def note_message(code: str, *, language_name: str = "") -> str:
    """What the recap page says about how a recap was made, for the pipeline's note codes."""
    notes = {
        "no_model": _(
            "Speech recognition is not available here, so this recap was made without the "
            "dialogue. Upload a subtitle file to get a synopsis from what is said."
        ),
        "no_audio": _("This movie has no sound, so the recap was made from the pictures alone."),
        "no_speech": _(
            "No speech was heard in this movie (silence or music only), so the synopsis comes "
            "from the pictures and the sound."
        ),
        "language_unsupported": _(
            "The speech is in a language we cannot recognise yet, so the recap was made "
            "without the dialogue. Upload a subtitle file to add it."
        ),
        "in_movie_language": _(
            "The synopsis and chapters are in the movie's language (%(language)s): they could "
            "not be translated without the optional writing service."
        )
        % {"language": language_name},
    }
    return notes.get(code, "")


def user_message(error: PipelineError) -> str:
    """What to tell the person; the English `error.message` is for the logs only."""
    messages = {
        "empty_file": _("The file is empty. Choose the movie file again."),
        "not_a_video": _("This file is not a video we can read. Upload an MP4, MKV, MOV or WebM."),
        "playlist_refused": _(
            "Playlists and streaming manifests are not accepted. Upload the video file itself."
        ),
        "container_not_allowed": _(
            "This video format is not supported. Upload an MP4, MKV, MOV or WebM."
        ),
        "codec_not_allowed": _(
            "This video uses a codec we do not support. Convert it to H.264 and upload it again."
        ),
        "no_video_stream": _("This file has no picture (audio only). Upload a video."),
        "video_too_small": _("The picture is too small to make a recap (at least 64×64 pixels)."),
        "video_too_large": _("The picture is too large (at most 7680×4320 pixels)."),
        "truncated": _(
            "The file is incomplete or damaged. Upload it again, or export it once more."
        ),
        "decode_failed": _("The video could not be decoded. Export it again and re-upload it."),
        "too_long": _(
            "This movie is longer than your plan allows. Upgrade the plan or upload a shorter cut."
        ),
        "subtitles_unreadable": _(
            "The subtitle file could not be read. Upload an SRT or WebVTT text file."
        ),
        "empty_selection": _("No scenes could be chosen for the recap of this movie."),
        "ffmpeg_timeout": _("Processing took too long and was stopped. Try again later."),
        "ffmpeg_killed": _("Processing was interrupted. It will be retried automatically."),
        "attempts_exhausted": _(
            "This movie could not be processed after several attempts. Contact support."
        ),
        "audio_unreadable": _(
            "The movie's sound track is damaged and cannot be read. Export the movie again."
        ),
        # Ours to fix, not the movie's: the movie stays as it was, ready for another try.
        "disk_full": _(
            "Our servers ran out of working space. We have been told and will try again; "
            "your movie is fine."
        ),
        "recap_corrupt": _(
            "The recap could not be made in one piece, even after several tries. Try again "
            "later; if it happens again, contact support."
        ),
    }
    return messages.get(error.code, _("Processing failed. Try again, or contact support."))
