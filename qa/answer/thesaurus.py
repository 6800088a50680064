"""The plan-domain thesaurus: everyday words a user types <-> the official terms plans use.

``qa/data/thesaurus.txt`` holds one equivalence group a line, official term first
(``移动电话 手机 手机用户``). The groups are general to Chinese e-government and
informatization plans, not read off any question.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from qa.errors import PlanQAError

THESAURUS_FILE = Path(__file__).resolve().parents[1] / "data" / "thesaurus.txt"
TECHNOLOGIES_FILE = Path(__file__).resolve().parents[1] / "data" / "technologies.txt"


# Thesaurus words are at most this long, so a text's words are found by looking up its
# pieces (a question has a few hundred, the thesaurus thousands of words).
LONGEST_WORD = 16


def parse_thesaurus(text: str, source: str = "thesaurus") -> dict[str, tuple[str, ...]]:
    """word -> the other words of its group.

    Raises:
        PlanQAError: a group of one word, a word in two groups, or a word longer than
            LONGEST_WORD characters (naming the line).
    """
    table: dict[str, tuple[str, ...]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        group = line.split()
        if len(group) < 2:
            raise PlanQAError(f"{source}:{number}: a group needs at least two words, got {line!r}")
        for word in group:
            if len(word) > LONGEST_WORD:
                raise PlanQAError(f"{source}:{number}: {word!r} is longer than {LONGEST_WORD} characters")
            if word in table:
                raise PlanQAError(f"{source}:{number}: {word!r} is already in another group")
            table[word] = tuple(w for w in group if w != word)
    return table


@lru_cache(maxsize=1)
def load_thesaurus(path: Path = THESAURUS_FILE) -> dict[str, tuple[str, ...]]:
    """The bundled thesaurus (empty when the file is absent)."""
    if not path.is_file():
        return {}
    return parse_thesaurus(path.read_text(encoding="utf-8"), str(path))


@lru_cache(maxsize=1)
def load_officials(path: Path = THESAURUS_FILE) -> dict[str, str]:
    """word -> the official term its group starts with (the term itself for that term)."""
    table = load_thesaurus(path)
    heads: dict[str, str] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            group = line.split()
            if group and not line.startswith("#") and group[0] in table:
                heads.update((word, group[0]) for word in group)
    return heads


@lru_cache(maxsize=2048)
def _pieces(text: str) -> frozenset[str]:
    """Every substring of two to LONGEST_WORD characters (one answer asks of the same text often)."""
    return frozenset(text[i:i + n] for n in range(2, LONGEST_WORD + 1) for i in range(len(text) - n + 1))


def thesaurus_words(text: str, table: dict[str, tuple[str, ...]]) -> list[str]:
    """The thesaurus words a text contains, longest matches only ("固定电话用户", not
    also its part "固定电话")."""
    found = sorted((p for p in _pieces(text) if p in table), key=lambda w: (text.find(w), -len(w), w))
    return [w for w in found if not any(w != other and w in other for other in found)]


def phrase_synonyms(text: str, table: dict[str, tuple[str, ...]], tokenize) -> dict[str, tuple[str, ...]]:
    """The thesaurus for one question: each word a thesaurus phrase of the question is cut
    into (网上买卖 -> 网上, 买卖) also has the phrase's equivalents (电子商务), so a
    sentence holding an equivalent holds the phrase's words; tokens of two characters or more."""
    extra: dict[str, tuple[str, ...]] = {}
    for phrase in thesaurus_words(text, table):
        for token in tokenize(phrase):
            if len(token) >= 2 and token != phrase:
                extra[token] = extra.get(token, ()) + table[phrase]
    if not extra:
        return table
    return {**table, **{t: table.get(t, ()) + syns for t, syns in extra.items()}}


def expansions(text: str, table: dict[str, tuple[str, ...]]) -> list[str]:
    """Equivalents of the thesaurus words a text contains (longest matches only)."""
    return [syn for w in thesaurus_words(text, table) for syn in table[w] if syn not in text]


@lru_cache(maxsize=1)
def load_technologies(path: Path = TECHNOLOGIES_FILE) -> tuple[str, ...]:
    """Named technologies (``qa/data/technologies.txt``), longest first; empty when absent."""
    if not path.is_file():
        return ()
    terms = {w for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#") for w in line.split()}
    return tuple(sorted(terms, key=lambda w: (-len(w), w)))
