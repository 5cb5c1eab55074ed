"""The subtitle tracks of a movie: uploaded files, the transcript of its speech, and edits people
make to a track's text. Every track is parsed before it is kept; junk changes nothing."""

from __future__ import annotations

import tempfile
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils.translation import gettext as _

from compliance.services import record_event

from .errors import UploadError, user_message
from .models import Movie, SubtitleSource, SubtitleTrack
from .pipeline.subtitles import MAX_BYTES as MAX_SUBTITLE_BYTES
from .pipeline.subtitles import parse_subtitles, parse_subtitles_text, vtt_text
from .pipeline.types import Cue, PipelineError
from .roles import require_uploader
from .storage import staging_dir


def add_subtitle_track(
    *, movie: Movie, uploaded_file: UploadedFile, language: str, user: Any
) -> SubtitleTrack:
    """Keep an SRT/WebVTT file for `movie` after parsing it; junk is refused and nothing stays."""
    require_uploader(user=user)
    if language not in settings.LANGUAGE_CODES:
        raise UploadError(_("Choose the language of the subtitles."), 400)
    if uploaded_file.size is None or uploaded_file.size > MAX_SUBTITLE_BYTES:
        raise UploadError(
            _("This subtitle file is larger than %(mb)d MB. Upload an SRT or WebVTT text file.")
            % {"mb": MAX_SUBTITLE_BYTES // 1024**2},
            400,
        )
    with tempfile.NamedTemporaryFile(dir=staging_dir(), suffix=".sub") as copy:
        for chunk in uploaded_file.chunks():
            copy.write(chunk)
        copy.flush()
        try:
            parsed = parse_subtitles(copy.name)
        except PipelineError as exc:
            raise UploadError(user_message(exc), 400) from exc
        copy.seek(0)
        head = copy.read(64).lstrip(b"\xef\xbb\xbf")
        extension = ".vtt" if head.startswith(b"WEBVTT") else ".srt"
        copy.seek(0)
        with transaction.atomic():
            track = SubtitleTrack(
                movie=movie,
                language=language,
                cue_count=len(parsed.cues),
                skipped_cues=parsed.skipped,
            )
            track.file.save(f"subtitles{extension}", File(copy), save=False)
            try:
                track.save()
                record_event(
                    action="movie.subtitles_added",
                    actor=user,
                    tenant=connection.tenant,
                    target=f"movie:{movie.pk}",
                    data={"track": track.pk, "language": language, "cues": track.cue_count},
                )
            except BaseException:
                default_storage.delete(track.file.name)
                raise
    return track


def product_language(code: str | None) -> str | None:
    """Our language code for a recogniser's ("zh" → "zh-hans"), or None when we have none."""
    if not code:
        return None
    if code in settings.LANGUAGE_CODES:
        return code
    return next((ours for ours in settings.LANGUAGE_CODES if ours.split("-")[0] == code), None)


def keep_speech_track(
    *, movie: Movie, cues: tuple[Cue, ...], language: str | None, confidence: float
) -> SubtitleTrack:
    """The movie's speech as its subtitle track (WebVTT, stored like an uploaded one), replacing
    an earlier transcript; the detected language becomes the movie's when the uploader left it
    unset. Runs again safely: a second take of the stage leaves one track."""
    ours = product_language(language)
    with transaction.atomic():
        locked = Movie.objects.select_for_update().get(pk=movie.pk)
        old = list(locked.subtitle_tracks.filter(source=SubtitleSource.SPEECH))
        track = SubtitleTrack(
            movie=locked,
            language=ours or locked.language,
            source=SubtitleSource.SPEECH,
            cue_count=len(cues),
        )
        track.file.save("speech.vtt", ContentFile(vtt_text(cues).encode()), save=False)
        try:
            track.save()
        except BaseException:
            default_storage.delete(track.file.name)
            raise
        names = [t.file.name for t in old]
        SubtitleTrack.objects.filter(pk__in=[t.pk for t in old]).delete()
        locked.detected_language = language or ""
        locked.language_confidence = confidence
        if ours and not locked.language_chosen:
            locked.language = ours
        locked.save(update_fields=["detected_language", "language_confidence", "language"])
        transaction.on_commit(lambda: [default_storage.delete(name) for name in names])
    movie.language = locked.language
    return track


def edit_track_text(*, track: SubtitleTrack, text: str, user: Any) -> SubtitleTrack:
    """Replace a track's cues with corrected WebVTT or SRT text (a transcript's mistakes, a
    name spelled wrong); text that does not parse is refused and the track stays as it was."""
    require_uploader(user=user)
    if len(text.encode()) > MAX_SUBTITLE_BYTES:
        raise UploadError(
            _("This subtitle file is larger than %(mb)d MB. Upload an SRT or WebVTT text file.")
            % {"mb": MAX_SUBTITLE_BYTES // 1024**2},
            400,
        )
    try:
        parsed = parse_subtitles_text(text)
    except PipelineError as exc:
        raise UploadError(user_message(exc), 400) from exc
    with transaction.atomic():
        locked = SubtitleTrack.objects.select_for_update().get(pk=track.pk)
        previous = locked.file.name
        locked.file.save("subtitles.vtt", ContentFile(vtt_text(parsed.cues).encode()), save=False)
        locked.cue_count, locked.skipped_cues = len(parsed.cues), parsed.skipped
        locked.save(update_fields=["file", "cue_count", "skipped_cues"])
        record_event(
            action="movie.subtitles_edited",
            actor=user,
            tenant=connection.tenant,
            target=f"movie:{locked.movie_id}",
            data={"track": locked.pk, "cues": locked.cue_count},
        )
        transaction.on_commit(lambda: default_storage.delete(previous))
    return locked
