"""Names of people and places in the dialogue: in scripts with capital letters, a word written
with a capital where a sentence does not start, that comes back, and is never written in
lower case, is a name; runs of such words make one name ("Elias Crane", "Port Halden").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# Capitalised in English whatever their place; never names on their own.
_ALWAYS_CAPITAL = frozenset({"I", "I'm", "I'll", "I've", "I'd", "OK", "Mr", "Mrs", "Ms", "Dr"})


def _capitalised(word: str) -> bool:
    return word[0].isupper() and not word.isupper() and word not in _ALWAYS_CAPITAL


def _words(sentence: str) -> list[tuple[str, bool]]:
    """Each word with whether it opens the sentence (its capital then says nothing)."""
    return [(m.group(), i == 0) for i, m in enumerate(_WORD.finditer(sentence))]


def proper_names(sentences: Sequence[str], *, limit: int = 8) -> list[str]:
    """The names the dialogue repeats, most mentioned first."""
    inside: Counter[str] = Counter()  # capitalised, not opening a sentence
    capital: Counter[str] = Counter()  # capitalised anywhere
    lower: set[str] = set()
    for sentence in sentences:
        for word, opening in _words(sentence):
            if _capitalised(word):
                capital[word] += 1
                if not opening:
                    inside[word] += 1
            elif word[0].islower():
                lower.add(word.casefold())
    single = {w for w in inside if capital[w] >= 2 and w.casefold() not in lower}
    runs: Counter[str] = Counter()
    for sentence in sentences:
        run: list[str] = []
        for word, opening in [*_words(sentence), ("", False)]:
            # A run starts at a known name and takes the capitalised words after it.
            if word and (word in single or (run and _capitalised(word) and not opening)):
                run.append(word)
                continue
            if run:
                runs[" ".join(run)] += 1
                run = []
            if word in single:
                run.append(word)
    names: Counter[str] = Counter()
    for phrase, count in runs.items():
        # "Elias Crane" once and "Elias" four times: the name is Elias, said five times.
        if count >= 2 or " " not in phrase:
            names[phrase] += count
        else:
            names[phrase.split(" ")[0]] += count
    ranked = sorted(names, key=lambda n: (-names[n], n))
    return [n for n in ranked if not any(n != m and n in m.split(" ") for m in ranked)][:limit]


def mentions(text: str, names: Sequence[str]) -> list[str]:
    """The names `text` says, as whole words."""
    return [n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text)]
