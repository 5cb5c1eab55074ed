"""Synopsis and chapters: the local extractive writer, and the LLM writer over a fake API."""

from __future__ import annotations

import itertools
import json
import re
import threading
import unicodedata
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest

from media_pipeline.pipeline.codec import from_json, to_json
from media_pipeline.pipeline.llm import LlmWriter
from media_pipeline.pipeline.phrases import clock
from media_pipeline.pipeline.textrank import pagerank, term_weights, tokenize
from media_pipeline.pipeline.types import Analysis, Clip, Cue, Scene, Selection, Writeup
from media_pipeline.pipeline.write import LocalWriter
from media_pipeline.pipeline.writers import make_writer

STORY = [
    "The old lighthouse keeper watches the storm roll in.",
    "Mara, the ship is coming too close to the rocks!",
    "I have kept this light burning for forty years.",
    "Nobody comes to the lighthouse anymore.",
    "The ship's captain signals for help with a red lantern.",
    "We need to light the lamp before the ship hits the rocks.",
    "The lamp oil is gone, the storm broke the tank.",
    "Then we burn the old logbooks of the lighthouse.",
    "Forty years of storms are written in these books.",
    "The light is burning again, the ship turns away from the rocks.",
    "The captain and his crew reach the harbour safely.",
    "In the morning the town thanks the lighthouse keeper.",
    "Mara decides to stay and learn to keep the light.",
    "The keeper hands her the key to the lighthouse.",
]
SENTENCE_END = re.compile(r"(?<=[.!?…。！？؟])\s*")


def _analysis(cues: tuple[Cue, ...], duration: float = 600.0) -> Analysis:
    windows = int(duration)
    motion = tuple(5.0 + (40.0 if 400 <= i < 420 else 0.0) for i in range(windows))
    loudness = tuple(-30.0 + (15.0 if 100 <= i < 110 else 0.0) for i in range(windows))
    return Analysis(
        duration=duration, fps=24.0, frames=windows * 24, transitions=(), black=(),
        window=1.0, motion=motion, loudness=loudness, cues=cues,
    )  # fmt: skip


def _scenes(duration: float = 600.0, count: int = 24) -> tuple[Scene, ...]:
    step = duration / count
    return tuple(
        Scene(index=i, start=i * step, end=(i + 1) * step, shots=(), score=float(i % 5))
        for i in range(count)
    )


def _selection(scenes: tuple[Scene, ...], every: int = 3) -> Selection:
    clips, position = [], 0.0
    for scene in scenes[::every]:
        clip = Clip(start=scene.start + 2, end=scene.start + 8, recap_start=position)
        clips.append(clip)
        position += clip.duration
    return Selection(target=position, clips=tuple(clips))


def _story_cues(lines: list[str], duration: float = 600.0) -> tuple[Cue, ...]:
    step = duration / (len(lines) + 1)
    return tuple(
        Cue(start=(i + 1) * step, end=(i + 1) * step + 3, text=t) for i, t in enumerate(lines)
    )


def _write(cues: tuple[Cue, ...], language: str = "en", duration: float = 600.0):
    scenes = _scenes(duration)
    selection = _selection(scenes)
    writeup = LocalWriter().write(
        language=language, analysis=_analysis(cues, duration), scenes=scenes, selection=selection
    )
    return writeup, scenes, selection


def _sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(text) if s.strip()]


def _scripts(text: str) -> set[str]:
    return {unicodedata.name(ch).split(" ")[0] for ch in text if ch.isalpha()}


def test_extractive_synopsis_has_three_to_eight_sentences_drawn_from_the_cues():
    writeup, _, _ = _write(_story_cues(STORY))

    sentences = _sentences(writeup.synopsis)
    assert 3 <= len(sentences) <= 8
    assert all(s in STORY for s in sentences)
    # Spread over the film: one from the first and one from the last third at least.
    assert any(s in STORY[:5] for s in sentences)
    assert any(s in STORY[-5:] for s in sentences)


def test_chapters_are_ordered_contiguous_on_scene_boundaries_and_map_into_the_recap():
    writeup, scenes, selection = _write(_story_cues(STORY))

    chapters = writeup.chapters
    assert 3 <= len(chapters) <= 12
    assert chapters[0].source_start == 0.0
    assert chapters[-1].source_end == 600.0
    scene_starts = {round(s.start, 3) for s in scenes}
    for before, after in itertools.pairwise(chapters):
        assert before.source_end == after.source_start
        assert round(after.source_start, 3) in scene_starts
        assert before.recap_end == pytest.approx(after.recap_start)
    for chapter in chapters:
        assert chapter.title.strip()
        assert 0.0 <= chapter.recap_start < chapter.recap_end <= selection.duration + 1e-9
    assert chapters[-1].recap_end == pytest.approx(selection.duration)


def test_chapter_titles_come_from_central_lines_of_each_span():
    writeup, _, _ = _write(_story_cues(STORY))

    for chapter in writeup.chapters:
        assert any(line.startswith(chapter.title.rstrip("…")) for line in STORY)


def test_a_long_movie_gets_more_chapters_but_never_more_than_twelve():
    duration = 3 * 3600.0
    scenes = _scenes(duration, count=60)
    writeup = LocalWriter().write(
        language="en",
        analysis=_analysis(_story_cues(STORY, duration), duration),
        scenes=scenes,
        selection=_selection(scenes, every=1),
    )

    assert len(writeup.chapters) == 12


def test_chapters_the_recap_skips_entirely_are_merged_into_their_neighbours():
    duration = 3 * 3600.0
    scenes = _scenes(duration, count=60)
    selection = _selection(scenes[:10], every=1)  # the recap only covers the first half hour
    writeup = LocalWriter().write(
        language="en", analysis=_analysis((), duration), scenes=scenes, selection=selection
    )

    assert len(writeup.chapters) == 3
    assert all(c.recap_end > c.recap_start for c in writeup.chapters[:-1])


def test_japanese_dialogue_gives_japanese_synopsis_and_titles():
    lines = [
        "左に見えるのは空中庭園だ", "右に見えるのは首刈り機だ", "すべて安全、完璧に安全だ",
        "イーモ、ここは危ない", "機械の声を聞くんだ", "君は聞き方を知る必要がある",
        "これは遊びじゃない", "我々はここでは、たやすく死ぬ", "なぜここの美しさが見えない？",
        "そこには何もないんだから", "空中庭園はここにある", "機械の声はもう聞こえない",
    ]  # fmt: skip
    writeup, _, _ = _write(_story_cues(lines), language="ja")

    assert 3 <= len(_sentences(writeup.synopsis)) <= 8
    for chapter in writeup.chapters:
        assert _scripts(chapter.title) & {"CJK", "HIRAGANA", "KATAKANA"}


def test_arabic_dialogue_gives_arabic_synopsis_and_titles():
    lines = [
        "أنا بخير، قم يا إيمو", "المكان هنا غير آمن، لنذهب", "عليك أن تتعلم الإصغاء يا إيمو",
        "هذا ليس ضربا من اللهو", "نحن هنا يمكن أن نموت بسهولة", "أنصت إلى صوت الآلة",
        "لا أرى ذلك لأنه لا يوجد شيء هناك", "لماذا يجب علي أن أسلم حياتي للآلة",
        "إلى جنبك الأيسر يمكنك أن ترى حدائق بابل", "هل تعجبك حدائق بابل المعلقة؟",
    ]  # fmt: skip
    writeup, _, _ = _write(_story_cues(lines), language="ar")

    assert _scripts(writeup.synopsis) == {"ARABIC"}
    for chapter in writeup.chapters:
        assert _scripts(chapter.title) == {"ARABIC"}


def test_a_movie_without_dialogue_still_gets_chapters_and_a_structural_synopsis():
    writeup, _, selection = _write(())

    assert len(writeup.chapters) >= 3
    assert writeup.chapters[0].title == "Opening"
    assert writeup.chapters[-1].title == "Ending"
    sentences = _sentences(writeup.synopsis)
    assert 3 <= len(sentences) <= 8
    assert "24 scenes" in writeup.synopsis
    assert "6:50" in writeup.synopsis  # motion peaks in 400..420 s: centre of the smoothed peak
    assert f"{len(selection.clips)} key moments" in writeup.synopsis


def test_structural_text_is_written_in_the_requested_language_with_english_fallback():
    french, _, _ = _write((), language="fr")
    unknown, _, _ = _write((), language="sw")

    assert "24 scènes" in french.synopsis
    assert french.chapters[0].title == "Ouverture"
    assert unknown.chapters[0].title == "Opening"


def test_sound_descriptions_and_short_exclamations_are_not_synopsis_material():
    cues = _story_cues(["[ Thunder rumbles ]", "Oh!", "♪ sea shanty ♪", *STORY])
    writeup, _, _ = _write(cues)

    assert "Thunder" not in writeup.synopsis
    assert "Oh!" not in writeup.synopsis
    assert "shanty" not in writeup.synopsis


def test_cjk_is_tokenised_in_bigrams_and_indic_words_stay_whole():
    assert tokenize("機械の声") == ["機械", "械の", "の声"]
    assert tokenize("तुम मेरे प्रति") == ["तुम", "मेरे", "प्रति"]
    assert tokenize("Hello, WORLD") == ["hello", "world"]


def test_textrank_on_the_implicit_graph_matches_dense_pagerank():
    """The cosine graph is never built; the scores are those of the textbook dense version."""
    docs = [tokenize(line) for line in STORY] + [["lonely", "words"], []]
    weights = term_weights(docs)
    unit = np.zeros((weights.n, weights.vocabulary))
    unit[weights.rows, weights.columns] = weights.values
    similarity = unit @ unit.T
    np.fill_diagonal(similarity, 0.0)
    out = similarity.sum(axis=1, keepdims=True)
    transition = np.where(out > 0, similarity / np.where(out > 0, out, 1.0), 1.0 / weights.n)
    dense = np.full(weights.n, 1.0 / weights.n)
    for _ in range(200):
        dense = 0.15 / weights.n + 0.85 * (transition.T @ dense)

    scores = pagerank(weights)
    assert np.allclose(scores, dense, atol=1e-9)
    assert scores.sum() == pytest.approx(1.0)
    # The two lines sharing no word with the story are the least central, and equal.
    assert scores[-1] == scores[-2] == pytest.approx(scores.min())
    assert scores[-1] < 0.5 * scores[:-2].min()


def test_every_local_line_rests_on_the_cue_it_was_said_in_and_its_scenes():
    cues = _story_cues(STORY)
    writeup, scenes, _ = _write(cues)

    spans = {(c.start, c.end) for c in cues}
    assert writeup.sentences and writeup.synopsis == " ".join(s.text for s in writeup.sentences)
    for sentence in writeup.sentences:
        (span,) = sentence.evidence.cues
        assert span in spans
        assert all(
            scenes[i].start < span[1] and scenes[i].end > span[0] for i in sentence.evidence.scenes
        )
    for chapter in writeup.chapters:
        (span,) = chapter.evidence.cues
        assert chapter.source_start <= span[0] < chapter.source_end


def test_timeline_sentences_rest_on_the_scenes_they_describe():
    writeup, scenes, selection = _write(())

    assert all(s.evidence.scenes and not s.evidence.cues for s in writeup.sentences)
    peak = next(s for s in writeup.sentences if "peaks" in s.text)
    assert peak.evidence.scenes == (16,)  # 6:50 falls in the 17th of 24 scenes of 25 s
    recap = next(s for s in writeup.sentences if "key moments" in s.text)
    kept = {s.index for s in scenes for c in selection.clips if s.start < c.end and s.end > c.start}
    assert set(recap.evidence.scenes) == kept
    for chapter in writeup.chapters:
        assert chapter.evidence.scenes


NAMED = [
    "We sail at dawn, the wind is right.",
    "Elias Crane says the harbour is closed.",
    "The soldiers are looking for Elias everywhere.",
    "Nobody has seen the map since the fire.",
    "Tell Julia that the ship leaves tonight.",
    "The road to Karsk is guarded by soldiers.",
    "Julia hides the letter in a book.",
    "The governor of Karsk wants the map.",
    "It is cold and the rain does not stop.",
    "Victor writes that the fleet is ready.",
    "We have three days before the attack.",
    "They say Victor is still alive.",
    "The storm hides the ship from the soldiers.",
    "At home, everyone waits for news.",
]


def test_the_synopsis_and_titles_name_the_people_and_places_the_dialogue_repeats():
    writeup, _, _ = _write(_story_cues(NAMED))

    for name in ("Elias", "Julia", "Karsk", "Victor"):
        assert name in writeup.synopsis
    titled = " ".join(c.title for c in writeup.chapters)
    assert sum(name in titled for name in ("Elias", "Julia", "Karsk", "Victor")) >= 2


def test_dialogue_the_writer_cannot_translate_is_flagged_as_in_the_movies_language():
    lines = [
        "Le phare est éteint depuis la tempête.", "Mara veut rallumer la lampe ce soir.",
        "Le navire approche des rochers.", "Il faut brûler les vieux carnets du phare.",
        "La lumière brille de nouveau sur la mer.", "Le village remercie le gardien du phare.",
    ]  # fmt: skip
    scenes = _scenes()
    analysis = replace(_analysis(_story_cues(lines)), dialogue_language="fr")
    writeup = LocalWriter().write(
        language="en", analysis=analysis, scenes=scenes, selection=_selection(scenes)
    )
    same = LocalWriter().write(
        language="fr-ca", analysis=analysis, scenes=scenes, selection=_selection(scenes)
    )

    assert writeup.note == "in_movie_language" and writeup.text_language == "fr"
    assert any(s.text in lines for s in writeup.sentences)
    assert same.note is None and same.text_language == "fr-ca"


def test_a_writeup_with_evidence_survives_the_jobs_json_and_an_older_one_still_loads():
    writeup, _, _ = _write(_story_cues(STORY))
    older = {"language": "en", "synopsis": "Old.", "chapters": [
        {"title": "Opening", "source_start": 0, "source_end": 5, "recap_start": 0, "recap_end": 1}
    ]}  # fmt: skip

    assert from_json(Writeup, json.loads(json.dumps(to_json(writeup)))) == writeup
    loaded = from_json(Writeup, older)
    assert loaded.sentences == () and loaded.include_ending and not loaded.chapters[0].evidence


# --- the LLM writer, against a local fake of the chat-completions API ---


def _completion(content: str) -> dict:
    """The shape OpenAI's /v1/chat/completions returns."""
    return {
        "id": "chatcmpl-9x2Yb7",
        "object": "chat.completion",
        "created": 1730000000,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 812, "completion_tokens": 96, "total_tokens": 908},
        "system_fingerprint": "fp_0ba0d124f1",
    }


class FakeChatApi:
    def __init__(self, status: int, payload: dict | str, prefix: str = "/v1") -> None:
        self.requests: list[dict] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                api.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "json": json.loads(body)}
                )
                data = payload if isinstance(payload, str) else json.dumps(payload)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(data.encode())

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}{prefix}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_api(request):
    status, payload = request.param
    api = FakeChatApi(status, payload)
    yield api
    api.close()


def _llm_write(api: FakeChatApi, model: str = "gpt-4o-mini"):
    settings = {"LLM_API_KEY": "sk-test-123", "LLM_BASE_URL": api.url, "LLM_MODEL": model}
    writer = make_writer(settings)
    assert isinstance(writer, LlmWriter)
    scenes = _scenes()
    return writer.write(
        language="en",
        analysis=_analysis(_story_cues(STORY)),
        scenes=scenes,
        selection=_selection(scenes),
    )


def _reply(synopsis: list[tuple[str, list[str]]], titles: list[tuple[str, list[str]]]) -> str:
    return json.dumps(
        {
            "synopsis": [{"text": text, "evidence": ids} for text, ids in synopsis],
            "chapters": [{"title": title, "evidence": ids} for title, ids in titles],
        }
    )


GOOD_REPLY = _reply(
    [
        ("The lighthouse keeper and Mara face a storm.", ["c0", "c1", "s2"]),
        ("They burn the old logbooks to light the lamp.", ["c7"]),
        ("The town thanks the keeper, and Mara stays.", ["c11", "c12"]),
    ],
    [("The storm", ["c1"]), ("Burning the logbooks", ["c7", "s11"]), ("A new keeper", ["c13"])],
)
STORY_CUES = _story_cues(STORY)


@pytest.mark.parametrize("fake_api", [(200, _completion(GOOD_REPLY))], indirect=True)
def test_llm_writer_keeps_the_models_sentences_with_the_cues_and_scenes_they_cite(fake_api):
    local, _, _ = _write(STORY_CUES)

    writeup = _llm_write(fake_api)

    assert [s.text for s in writeup.sentences] == [
        "The lighthouse keeper and Mara face a storm.",
        "They burn the old logbooks to light the lamp.",
        "The town thanks the keeper, and Mara stays.",
    ]
    assert writeup.synopsis == " ".join(s.text for s in writeup.sentences)
    first = writeup.sentences[0].evidence
    assert first.cues == (
        (STORY_CUES[0].start, STORY_CUES[0].end),
        (STORY_CUES[1].start, STORY_CUES[1].end),
    )
    assert first.scenes == (2,)
    assert [c.title for c in writeup.chapters] == [
        "The storm",
        "Burning the logbooks",
        "A new keeper",
    ]
    assert writeup.chapters[1].evidence.scenes == (11,)
    assert [c.source_start for c in writeup.chapters] == [c.source_start for c in local.chapters]
    sent = fake_api.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["headers"]["Authorization"] == "Bearer sk-test-123"
    assert sent["json"]["model"] == "gpt-4o-mini"
    prompt = sent["json"]["messages"][1]["content"]
    # The cues go out with their ids and times, the scenes with theirs.
    assert f"c7 [{clock(STORY_CUES[7].start)}-{clock(STORY_CUES[7].end)}] {STORY[7]}" in prompt
    assert "s11 [" in prompt
    assert "evidence" in sent["json"]["messages"][0]["content"]


UNGROUNDED = _reply(
    [
        ("The keeper watches the storm.", ["c0"]),
        ("A dragon attacks the harbour.", ["c99"]),  # no such cue was sent
        ("The keeper was a pirate once.", []),
        ("The ship is saved.", ["s3", "x1"]),
    ],
    [("The storm", ["c1"]), ("Dragons", ["c404"]), ("A new keeper", ["s23"])],
)


@pytest.mark.parametrize("fake_api", [(200, _completion(UNGROUNDED))], indirect=True)
def test_llm_lines_citing_unknown_or_no_evidence_are_dropped(fake_api):
    local, _, _ = _write(STORY_CUES)

    writeup = _llm_write(fake_api)

    assert [s.text for s in writeup.sentences] == ["The keeper watches the storm."]
    assert "dragon" not in writeup.synopsis.lower() and "pirate" not in writeup.synopsis
    # A title resting on an unknown cue keeps the local title and its evidence.
    assert writeup.chapters[1] == local.chapters[1]
    assert writeup.chapters[0].title == "The storm"
    assert writeup.chapters[2].title == "A new keeper"
    assert writeup.chapters[2].evidence.scenes == (23,)


def _gemini_completion(content: str) -> dict:
    """The shape Gemini's OpenAI-compatible endpoint returns (no fingerprint, no logprobs)."""
    return {
        "choices": [
            {
                "finish_reason": "stop",
                "index": 0,
                "message": {"content": content, "role": "assistant"},
            }
        ],
        "created": 1740000000,
        "id": "gTrqZ4aLBYqFm9IP2ZyMiQc",
        "model": "gemini-2.0-flash",
        "object": "chat.completion",
        "usage": {"completion_tokens": 131, "prompt_tokens": 1044, "total_tokens": 1175},
    }


def test_the_llm_writer_works_against_geminis_openai_compatible_endpoint():
    # Gemini fences its JSON in a Markdown code block even when asked for JSON.
    api = FakeChatApi(
        200, _gemini_completion(f"```json\n{GOOD_REPLY}\n```"), prefix="/v1beta/openai/"
    )
    try:
        writeup = _llm_write(api, model="gemini-2.0-flash")
    finally:
        api.close()

    assert len(writeup.sentences) == 3
    assert all(s.evidence.cues for s in writeup.sentences)
    sent = api.requests[0]
    assert sent["path"] == "/v1beta/openai/chat/completions"
    assert sent["json"]["model"] == "gemini-2.0-flash"
    assert sent["headers"]["Authorization"] == "Bearer sk-test-123"


@pytest.mark.parametrize(
    "fake_api",
    [
        (200, _completion("Here is your recap: the keeper saves the ship.")),
        (200, _completion(_reply([("Too few chapters here.", ["c0"])], []))),
        # The old shape, with nothing cited: not one sentence is grounded.
        (
            200,
            _completion(
                json.dumps(
                    {"synopsis": "The keeper saves the ship.", "chapter_titles": ["A", "B", "C"]}
                )
            ),
        ),
        (
            200,
            _completion(_reply([("All invented.", ["c500"])], [("A", []), ("B", []), ("C", [])])),
        ),
        (200, "{not json"),
        (500, {"error": {"message": "The server had an error", "type": "server_error"}}),
    ],
    indirect=True,
)
def test_llm_writer_falls_back_to_the_local_writeup_on_a_bad_reply(fake_api):
    local, _, _ = _write(STORY_CUES)

    writeup = _llm_write(fake_api)

    assert writeup == local
    assert len(fake_api.requests) == 1


def test_without_a_key_the_local_writer_is_used():
    assert isinstance(make_writer({"LLM_MODEL": "gpt-4o-mini"}), LocalWriter)
    assert isinstance(make_writer(None), LocalWriter)
