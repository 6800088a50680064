"""Chinese word segmentation for keyword search (the only module importing jieba)."""
from __future__ import annotations

import importlib
import io
import logging
import re
import shutil
import sys
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

import jieba

from qa.index import lexicon

USER_DICT = Path(__file__).resolve().parents[1] / "data" / "userdict.txt"

# Function words and question words carry no topic; idf would shrink them
# anyway, but dropping them keeps "coverage" features honest.
STOPWORDS = frozenset(
    "的 了 是 在 和 与 及 或 等 为 对 将 把 被 从 以 于 之 其 这 那 该 各 有 也 都 并 而 "  # noqa: SIM905 - a word list reads best as words
    "到 年 我市 全市 市 我 你 他 们 啥 吗 呢 吧 啊 么 "
    "多少 什么 哪些 哪个 哪里 几 几个 怎么 怎样 如何 是否 是不是 请问 请 一下 "
    "分别 具体 主要 有关 关于 方面 情况 要求 提出 提到 规定 内容".split()
)
_KEEP = re.compile(r"[\w%％.]", re.UNICODE)
_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_tagger = None  # jieba.posseg.POSTokenizer, made on first use (see _new_tagger)
_word_tags = None  # word -> part-of-speech tag, set with _tokenizer
LEXICON_PREFIX = "lexicon-"  # + the source key: one folder per jieba version and user dictionary
# jieba caches its parsed dictionary in world-writable /tmp by default and loads it
# unverified (issue 15); ours lives in the index folder, or a private user folder.
_cache_dir: Path | None = None


def use_cache_dir(folder: Path) -> None:
    """Keep jieba's dictionary cache in `folder` (the index folder's `jieba/`); call before first use."""
    global _cache_dir
    with _lock:
        _cache_dir = folder


def _private_cache_dir() -> str:
    folder = _cache_dir or Path.home() / ".cache" / "planqa" / "jieba"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.mkdtemp(prefix="planqa-jieba-"))  # private (0700); costs ~1 s a start
    return str(folder)


def _lexicon_source(tokenizer: jieba.Tokenizer) -> str:
    with tokenizer.get_dict_file() as handle:
        default = handle.read()
    return lexicon.source_key([jieba.__version__.encode(), default, USER_DICT.read_bytes()])


def _get_tokenizer() -> jieba.Tokenizer:
    """Our jieba tokenizer: jieba's dictionary plus USER_DICT.

    From the lexicon in the cache folder when there is one (memory-mapped, ~20 ms), else
    jieba's own start-up (~0.7 s, marshalled cache) and the tagger's word tags parsed from
    dict.txt (~0.5 s), after which the lexicon is written for the next process.
    """
    global _tokenizer, _word_tags
    with _lock:
        if _tokenizer is None:
            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.tmp_dir = _private_cache_dir()
            source = _lexicon_source(tokenizer)
            folder = Path(tokenizer.tmp_dir) / f"{LEXICON_PREFIX}{source[:16]}"
            table = lexicon.load(folder, source)
            if table is None:
                _word_tags = _read_dictionaries(tokenizer, folder, source)
            else:
                tokenizer.FREQ, tokenizer.total = lexicon.Overlay(table, "freq"), table.total
                tokenizer.initialized = True  # FREQ and total are what initialize() would set
                _word_tags = lexicon.Overlay(table, "tag")
            _tokenizer = tokenizer
    return _tokenizer


def _read_dictionaries(tokenizer: jieba.Tokenizer, folder: Path, source: str) -> dict[str, str]:
    """Start `tokenizer` the jieba way and return the default word tags; write the lexicon of both."""
    tokenizer.load_userdict(str(USER_DICT))
    tokenizer.initialize()
    holder = object.__new__(_posseg().POSTokenizer)
    holder.tokenizer = tokenizer
    holder.load_word_tag(tokenizer.get_dict_file())
    tags = holder.word_tag_tab
    try:
        lexicon.write(folder, tokenizer.FREQ, {**tags, **tokenizer.user_word_tag_tab}, tokenizer.total, source)
        for stale in folder.parent.glob(f"{LEXICON_PREFIX}*"):
            if stale != folder and stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
    except OSError:
        pass  # a read-only cache folder: the next process reads the dictionaries again
    return tags


def load_in_memory() -> None:
    """Hold the dictionary in plain dicts: ~0.5 s and ~110 MB once, then ~25x faster lookups.

    For processes that segment much text (index builds). Answering keeps the mapped
    lexicon: a question's thousand lookups cost ~1 ms, and app instances share its pages.
    """
    global _word_tags
    tokenizer = _get_tokenizer()
    with _lock:
        if isinstance(tokenizer.FREQ, lexicon.Overlay):
            tokenizer.FREQ = tokenizer.FREQ.to_dict()
        if isinstance(_word_tags, lexicon.Overlay):
            _word_tags = _word_tags.to_dict()
            if _tagger is not None:
                _tagger.word_tag_tab = _word_tags


def tokenize(text: str) -> list[str]:
    """Search-mode jieba tokens (sub-words included), lower-cased, stopwords dropped."""
    return list(_tokens(text)) if len(text) <= _CACHED_CHARS else _search_tokens(text)


# Answering one question cuts the same short strings (the question, its words) many
# times; long texts (chunks at index build) are not kept. Cleared when words are added.
_CACHED_CHARS = 200


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_search_tokens(text))


def _search_tokens(text: str) -> list[str]:
    tokens = []
    for token in _get_tokenizer().cut_for_search(text):
        token = token.strip().lower()
        if token and token not in STOPWORDS and _KEEP.search(token) and not re.fullmatch(r"[.%％]+", token):
            tokens.append(token)
    return tokens


def add_words(words: list[str]) -> None:
    """Teach the segmenter extra words (e.g. city names found in user documents)."""
    tokenizer = _get_tokenizer()
    with _lock:
        for word in words:
            tokenizer.add_word(word, freq=80)
    _forget_cuts()


def _forget_cuts() -> None:
    """Cached cuts were made with the old dictionary."""
    for cached in (_tokens, _places, _words, _content, _cuts):
        cached.cache_clear()


def _posseg():
    """jieba.posseg, imported without letting its default tagger parse jieba's dictionary.

    `import jieba.posseg` makes a module-level tagger over jieba's default tokenizer, which
    reads the 349k-line dict.txt for word tags (~0.5 s). We never use that tagger (ours
    takes its tags from the lexicon), so during the import jieba's default tokenizer hands
    it an empty dictionary; jieba.posseg.cut() would tag every word "x", and nothing calls it.
    """
    if "jieba.posseg" not in sys.modules:
        jieba.dt.get_dict_file = io.BytesIO
        try:
            importlib.import_module("jieba.posseg")
        finally:
            del jieba.dt.get_dict_file
    return sys.modules["jieba.posseg"]


def _new_tagger(tokenizer: jieba.Tokenizer):
    """A part-of-speech tagger over our tokenizer, with the word tags _get_tokenizer read.

    The user dictionary's tags are merged in by the tagger on its first cut (or are in
    the lexicon already).
    """
    tagger = object.__new__(_posseg().POSTokenizer)
    tagger.tokenizer = tokenizer
    tagger.word_tag_tab = _word_tags
    return tagger


def place_words(text: str) -> list[tuple[str, int]]:
    """Words jieba tags as place names (``ns``) with their offsets, e.g. [("绵阳市", 0)]."""
    return list(_places(text))


@lru_cache(maxsize=2048)
def _places(text: str) -> tuple[tuple[str, int], ...]:
    global _tagger
    tokenizer = _get_tokenizer()
    with _lock:
        if _tagger is None:
            _tagger = _new_tagger(tokenizer)
        # the dictionary's tags only: its HMM guesses at unknown words cost ~0.5 ms a question
        # and found no place the dictionary misses (dev questions, Shaanxi's counties)
        pairs = list(_tagger.cut(text, HMM=False))
    found: list[tuple[str, int]] = []
    at = 0
    for pair in pairs:
        if pair.flag.startswith("ns"):
            found.append((pair.word, text.find(pair.word, at)))
        at += len(pair.word)
    return tuple(found)


def word_tag(word: str) -> str:
    """jieba's dictionary tag of a word (v 建立, vn 建设, d 积极, n 平台), '' when unlisted."""
    global _tagger
    tokenizer = _get_tokenizer()
    with _lock:
        if _tagger is None:
            _tagger = _new_tagger(tokenizer)
    return _tagger.word_tag_tab.get(word, "")


def is_verb(word: str) -> bool:
    """Whether jieba's dictionary tags the word a plain verb (v: 建立, 完善; not vn: 建设)."""
    return word_tag(word) == "v"


def words(text: str) -> list[str]:
    """Precise-mode jieba words (no sub-words, no stopword filtering), for reading a question's parts."""
    return list(_words(text)) if len(text) <= _CACHED_CHARS else [w for w in _get_tokenizer().cut(text) if w.strip()]


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    return tuple(w for w in _get_tokenizer().cut(text) if w.strip())


def has_word(text: str, word: str) -> bool:
    """Whether the text uses the word as a word: an occurrence inside one jieba word
    ("手机" in "手机用户") or spanning whole words ("移动电话" over 移动|电话) counts; one that
    straddles two words counts not ("广电" in 推广|电子, "金保" in 资金|保障). Only a few
    characters around an occurrence are cut (word boundaries are local)."""
    start = text.find(word)
    while start >= 0:
        end = start + len(word)
        left = max(0, start - _AROUND)
        cuts = {left + c for c in _cuts(text[left:end + _AROUND])}
        if not any(start < c < end for c in cuts) or (start in cuts and end in cuts):
            return True
        start = text.find(word, start + 1)
    return False


_AROUND = 8


@lru_cache(maxsize=4096)
def _cuts(text: str) -> tuple[int, ...]:
    """Offsets between precise-mode jieba words (0 and len(text) included)."""
    cuts, at = [0], 0
    for piece in _get_tokenizer().cut(text):
        at += len(piece)
        cuts.append(at)
    return tuple(cuts)


# Parts of speech that name things: nouns, verbal nouns, abbreviations, idioms and
# Latin words (jieba's ICTCLAS tags); verbs, numerals and function words frame a
# question rather than name what it asks.
_CONTENT_TAGS = ("n", "vn", "j", "i", "l", "eng")
_LATIN_RUN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+\-]*[A-Za-z][A-Za-z0-9.+\-]*|[A-Za-z]+\d[A-Za-z0-9]*")


def content_words(text: str) -> list[str]:
    """The words of a text that name things (see _CONTENT_TAGS); Latin-and-digit runs
    such as 5G or IPv6 stay whole."""
    return list(_content(text))


@lru_cache(maxsize=2048)
def _content(text: str) -> tuple[str, ...]:
    global _tagger
    latin = _LATIN_RUN.findall(text)
    rest = _LATIN_RUN.sub(" ", text)
    tokenizer = _get_tokenizer()
    with _lock:
        if _tagger is None:
            _tagger = _new_tagger(tokenizer)
        pairs = list(_tagger.cut(rest))
    found = [p.word for p in pairs if p.flag.startswith(_CONTENT_TAGS) and not p.flag.startswith("ns") and p.word.strip()]
    return tuple(dict.fromkeys(latin + found))
