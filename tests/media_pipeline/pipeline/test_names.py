"""Names of people and places found in dialogue by their capitals."""

from __future__ import annotations

from media_pipeline.pipeline.names import mentions, proper_names


def test_repeated_capitalised_words_inside_sentences_are_names_and_runs_stay_whole():
    lines = [
        "Captain Elias Crane sails into Lisbon at dawn.",
        "Tell Elias Crane the harbour is closed.",
        "The road to Port Halden is long.",
        "We meet in Port Halden tomorrow.",
        "Lisbon sleeps while the storm comes.",
        "Where is the map?",
    ]

    names = proper_names(lines)

    assert set(names) == {"Elias Crane", "Port Halden", "Lisbon"}


def test_sentence_openers_words_also_written_in_lower_case_and_one_offs_are_not_names():
    lines = [
        "Storm clouds gather over the bay.",
        "The storm breaks at night.",
        "We saw a Storm like this once.",  # capitalised once, and written lower case elsewhere
        "I think Anna knows.",  # "I" is always capitalised; Anna is said only once
        "Tomorrow we leave.",
        "Tomorrow never comes.",  # only ever at the start of a sentence
    ]

    assert proper_names(lines) == []


def test_scripts_without_capitals_have_no_names_and_mentions_match_whole_words():
    assert proper_names(["机械的声音", "空中花园在这里", "机械的声音"]) == []
    assert proper_names(["مرحبا يا إيمو", "إيمو هنا"]) == []
    assert mentions("Adam met Ada at the inn.", ["Ada", "Adam", "Eve"]) == ["Ada", "Adam"]
    assert mentions("Adamant, they stayed.", ["Adam"]) == []
