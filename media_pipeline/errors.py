"""Translated, actionable sentences for the pipeline's stable error codes."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .pipeline.types import PipelineError


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
        # Ours to fix, not the movie's: the movie stays as it was, ready for another try.
        "disk_full": _(
            "Our servers ran out of working space. We have been told and will try again; "
            "your movie is fine."
        ),
        "recap_corrupt": _(
            "The recap could not be made in one piece. It will be made again automatically."
        ),
    }
    return messages.get(error.code, _("Processing failed. Try again, or contact support."))
