"""Synopsis and chapters: the local extractive writer, and the LLM writer over a fake API."""

from __future__ import annotations

import itertools
import json
import re
import threading
import unicodedata
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest

from media_pipeline.pipeline.llm import LlmWriter
from media_pipeline.pipeline.textrank import pagerank, term_weights, tokenize
from media_pipeline.pipeline.types import Analysis, Clip, Cue, Scene, Selection
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
    def __init__(self, status: int, payload: dict | str) -> None:
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
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"
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


def _llm_write(api: FakeChatApi):
    settings = {"LLM_API_KEY": "sk-test-123", "LLM_BASE_URL": api.url, "LLM_MODEL": "gpt-4o-mini"}
    writer = make_writer(settings)
    assert isinstance(writer, LlmWriter)
    scenes = _scenes()
    return writer.write(
        language="en",
        analysis=_analysis(_story_cues(STORY)),
        scenes=scenes,
        selection=_selection(scenes),
    )


GOOD_REPLY = json.dumps(
    {
        "synopsis": "A lighthouse keeper and his apprentice fight a storm. They save a ship. "
        "The town thanks them.",
        "chapter_titles": ["The storm", "Burning the logbooks", "A new keeper"],
    }
)


@pytest.mark.parametrize("fake_api", [(200, _completion(GOOD_REPLY))], indirect=True)
def test_llm_writer_uses_the_models_synopsis_and_titles_on_local_chapter_bounds(fake_api):
    local, _, _ = _write(_story_cues(STORY))

    writeup = _llm_write(fake_api)

    assert writeup.synopsis.startswith("A lighthouse keeper and his apprentice")
    assert [c.title for c in writeup.chapters] == [
        "The storm", "Burning the logbooks", "A new keeper",
    ]  # fmt: skip
    assert [c.source_start for c in writeup.chapters] == [c.source_start for c in local.chapters]
    sent = fake_api.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["headers"]["Authorization"] == "Bearer sk-test-123"
    assert sent["json"]["model"] == "gpt-4o-mini"
    assert "lighthouse" in sent["json"]["messages"][1]["content"]


@pytest.mark.parametrize(
    "fake_api",
    [
        (200, _completion("Here is your recap: the keeper saves the ship.")),
        (200, _completion(json.dumps({"synopsis": "Too few titles here.", "chapter_titles": []}))),
        (200, "{not json"),
        (500, {"error": {"message": "The server had an error", "type": "server_error"}}),
    ],
    indirect=True,
)
def test_llm_writer_falls_back_to_the_local_writeup_on_a_bad_reply(fake_api):
    local, _, _ = _write(_story_cues(STORY))

    writeup = _llm_write(fake_api)

    assert writeup == local
    assert len(fake_api.requests) == 1


def test_without_a_key_the_local_writer_is_used():
    assert isinstance(make_writer({"LLM_MODEL": "gpt-4o-mini"}), LocalWriter)
    assert isinstance(make_writer(None), LocalWriter)
