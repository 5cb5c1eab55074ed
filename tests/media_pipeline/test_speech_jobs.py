"""Recaps that understand the story, through the product: a movie with speech and no subtitle
file gets its transcript as a subtitle track, a synopsis naming who and where, chapter titles
from the dialogue and evidence for every sentence — on the page and in the API; spoiler
control leaves the last act out; movies without usable speech get a recap with a note."""

from __future__ import annotations

import json

import pytest
from django.core.files import File
from django.core.files.base import ContentFile
from django_tenants.utils import tenant_context

from media_pipeline import services
from media_pipeline.models import (
    JobState,
    Movie,
    MovieStatus,
    Recap,
    RecapJob,
    SubtitleSource,
    SubtitleTrack,
)
from media_pipeline.recap_jobs import execute, states
from tests.factories import use_local_storage
from tests.media_pipeline.pipeline.speech import (
    make_corrupt_audio_movie,
    make_music_movie,
    make_speech_movie,
    normalised_words,
)

pytestmark = pytest.mark.django_db

# Six lines naming three people and two places, then a planted last act from 40 s.
LINES = (
    "Captain Julia lands her ship in Lisbon at dawn.",
    "Julia meets the old smuggler Victor at the harbour gate.",
    "Victor says the lighthouse of Lisbon hides a map.",
    "Julia and Victor climb the lighthouse to find the map.",
    "The map shows the way to the island of Madeira.",
    "Julia sails for Madeira before the storm.",
)
NAMES = ("Julia", "Victor", "Lisbon", "Madeira")
ENDING = ("The storm sinks the ship and Victor betrays Julia on the burning island.",)


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    folder = tmp_path_factory.mktemp("speech")
    return make_speech_movie(
        str(folder / "voyage.mp4"), LINES, duration=52, ending=ENDING, ending_at=40
    )


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    use_local_storage(settings, tmp_path / "media")
    settings.WORK_ROOT = tmp_path / "work"


def add_movie(path: str, owner, *, language_chosen: bool = False) -> Movie:
    movie = Movie(
        title="The Voyage", uploader=owner, status=MovieStatus.READY, language="fr",
        language_chosen=language_chosen,
    )  # fmt: skip
    with open(path, "rb") as handle:
        movie.file.save("voyage.mp4", File(handle), save=True)
    return movie


def run_inline(job: RecapJob, captured) -> RecapJob:
    state = job.state
    while state in states.STAGES:
        with captured(execute=False) as callbacks:
            state = execute.run_stage(job.pk, state) or RecapJob.objects.get(pk=job.pk).state
        for callback in callbacks:
            if "send_stage" not in callback.__qualname__:
                callback()
    job.refresh_from_db()
    return job


def test_speech_becomes_subtitles_synopsis_chapters_and_evidence(
    tenant_a, owner_a, story, client_for, django_capture_on_commit_callbacks
):
    with tenant_context(tenant_a):
        movie = add_movie(story.path, owner_a)
        with django_capture_on_commit_callbacks(execute=False):
            job = services.start_recap_job(
                movie=movie, target="auto", language="en", acting_user=owner_a
            )
        job = run_inline(job, django_capture_on_commit_callbacks)
        assert job.state == JobState.DONE, (job.failure_code, job.failure_reason)

        track = SubtitleTrack.objects.get(movie=movie, source=SubtitleSource.SPEECH)
        assert track.cue_count >= 4
        movie.refresh_from_db()
        # The uploader left the language unset: the language heard replaces the default.
        assert (movie.language, movie.detected_language) == ("en", "en")
        assert movie.language_confidence > 0.5

        recap = Recap.objects.get(job=job)
        named = [name for name in NAMES if name in recap.synopsis]
        assert len(named) >= 2, recap.synopsis
        dialogue = set(normalised_words(" ".join(LINES)))
        titles = " ".join(chapter["title"] for chapter in recap.chapters)
        assert set(normalised_words(titles)) & dialogue, titles
        assert recap.sentences and all(
            s["evidence"]["cues"] or s["evidence"]["scenes"] for s in recap.sentences
        )
        report = json.loads(recap.report.read())
        assert [s["text"] for s in report["sentences"]] == [s["text"] for s in recap.sentences]
        assert report["transcript"]["language"] == "en"

    site = client_for(owner_a, host="alpha.localhost")
    page = site.get(f"/recaps/{recap.pk}/").content.decode()
    seekable = [s for s in recap.sentences if s["recap_at"] is not None]
    assert seekable and f'data-seek="{seekable[0]["recap_at"]:.3f}"' in page
    body = site.get(f"/api/v1/recaps/{recap.pk}/").json()
    assert body["sentences"][0]["evidence"] == recap.sentences[0]["evidence"]
    assert body["include_ending"] is True and body["notes"] == []
    links = site.get(f"/api/v1/recaps/{recap.pk}/downloads/").json()
    assert links["report"]
    movie_page = site.get(f"/movies/{movie.pk}/").content.decode()
    assert "Recognised from the speech" in movie_page


def test_without_the_ending_the_last_act_stays_out(
    tenant_a, owner_a, story, client_for, django_capture_on_commit_callbacks
):
    with tenant_context(tenant_a):
        movie = add_movie(story.path, owner_a, language_chosen=True)
    api = client_for(owner_a, host="alpha.localhost")
    with django_capture_on_commit_callbacks(execute=False):
        started = api.post(
            f"/api/v1/movies/{movie.pk}/jobs/",
            {"target": "auto", "language": "en", "include_ending": False},
            content_type="application/json",
        )
    assert started.status_code == 201, started.content
    assert started.json()["include_ending"] is False
    with tenant_context(tenant_a):
        job = run_inline(
            RecapJob.objects.get(pk=started.json()["id"]), django_capture_on_commit_callbacks
        )
        recap = Recap.objects.get(job=job)
    last_act = story.planted[0]
    assert recap.include_ending is False
    assert max(end for _start, end, _at in recap.time_map) <= last_act
    told = recap.synopsis + " ".join(chapter["title"] for chapter in recap.chapters)
    assert not {"betrays", "burning", "sinks"} & set(normalised_words(told))
    assert all(chapter["source_end"] <= last_act for chapter in recap.chapters)
    page = api.get(f"/recaps/{recap.pk}/").content.decode()
    assert "stop before the last act" in page


def test_music_without_speech_gets_a_recap_with_a_note(
    tenant_a, owner_a, tmp_path, client_for, django_capture_on_commit_callbacks
):
    music = make_music_movie(str(tmp_path / "music.mp4"), duration=14)
    with tenant_context(tenant_a):
        movie = add_movie(music, owner_a)
        with django_capture_on_commit_callbacks(execute=False):
            job = services.start_recap_job(
                movie=movie, target="auto", language="en", acting_user=owner_a
            )
        job = run_inline(job, django_capture_on_commit_callbacks)
        assert job.state == JobState.DONE
        recap = Recap.objects.get(job=job)
        assert recap.notes == ["no_speech"]
        assert not SubtitleTrack.objects.filter(movie=movie).exists()
    page = client_for(owner_a, host="alpha.localhost").get(f"/recaps/{recap.pk}/")
    assert "No speech was heard" in page.content.decode()


def test_without_a_speech_model_the_recap_says_so(
    tenant_a, owner_a, story, settings, client_for, django_capture_on_commit_callbacks
):
    settings.ASR_MODEL = "off"
    with tenant_context(tenant_a):
        movie = add_movie(story.path, owner_a)
        with django_capture_on_commit_callbacks(execute=False):
            job = services.start_recap_job(
                movie=movie, target="auto", language="en", acting_user=owner_a
            )
        job = run_inline(job, django_capture_on_commit_callbacks)
        assert job.state == JobState.DONE
        recap = Recap.objects.get(job=job)
        assert recap.notes == ["no_model"]
    body = client_for(owner_a, host="alpha.localhost").get(f"/api/v1/recaps/{recap.pk}/").json()
    assert body["notes"][0]["code"] == "no_model"
    assert "Speech recognition is not available" in body["notes"][0]["message"]


def test_a_corrupt_sound_track_fails_with_a_clear_reason(
    tenant_a, owner_a, tmp_path, client_for, django_capture_on_commit_callbacks
):
    broken = make_corrupt_audio_movie(str(tmp_path / "broken"))
    with tenant_context(tenant_a):
        movie = add_movie(broken, owner_a)
        with django_capture_on_commit_callbacks(execute=False):
            job = services.start_recap_job(
                movie=movie, target="auto", language="en", acting_user=owner_a
            )
        job = run_inline(job, django_capture_on_commit_callbacks)
        assert (job.state, job.failure_code) == (JobState.FAILED, "audio_unreadable")
        assert Movie.objects.get(pk=movie.pk).status == MovieStatus.FAILED
    status = client_for(owner_a, host="alpha.localhost").get(f"/jobs/{job.pk}/").json()
    assert "sound track is damaged" in status["failure"]


AIDA = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nAida waits.\n"


def test_people_correct_a_transcript_and_junk_changes_nothing(tenant_a, owner_a, client_for):
    with tenant_context(tenant_a):
        movie = Movie.objects.create(title="Notes", uploader=owner_a, status=MovieStatus.READY)
        track = SubtitleTrack(movie=movie, language="en", source=SubtitleSource.SPEECH)
        track.file.save("speech.vtt", ContentFile(AIDA))
    site = client_for(owner_a, host="alpha.localhost")
    url = f"/movies/{movie.pk}/subtitles/{track.pk}/"
    assert "Aida waits." in site.get(url).content.decode()
    refused = site.post(url, {"text": "this is not a subtitle file"})
    assert refused.status_code == 400
    assert "could not be read" in refused.content.decode()
    fixed = site.post(url, {"text": "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nAda waits.\n"})
    assert fixed.status_code == 302
    with tenant_context(tenant_a):
        track.refresh_from_db()
        assert "Ada waits." in track.file.read().decode() and track.cue_count == 1
