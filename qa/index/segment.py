"""Chinese word segmentation for keyword search (the only module importing jieba)."""
from __future__ import annotations

import logging
import re
import tempfile
import threading
from pathlib import Path

import jieba

USER_DICT = Path(__file__).resolve().parents[1] / "data" / "userdict.txt"

# Function words and question words carry no topic; idf would shrink them
# anyway, but dropping them keeps "coverage" features honest.
STOPWORDS = frozenset(
    "的 了 是 在 和 与 及 或 等 为 对 将 把 被 从 以 于 之 其 这 那 该 各 有 也 都 并 而 "
    "到 年 我市 全市 市 我 你 他 们 啥 吗 呢 吧 啊 么 "
    "多少 什么 哪些 哪个 哪里 几 几个 怎么 怎样 如何 是否 是不是 请问 请 一下 "
    "分别 具体 主要 有关 关于 方面 情况 要求 提出 提到 规定 内容".split()
)
_KEEP = re.compile(r"[\w%％.]", re.UNICODE)
_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_tagger = None  # jieba.posseg.POSTokenizer, made on first use (see _new_tagger)
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


def _get_tokenizer() -> jieba.Tokenizer:
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.tmp_dir = _private_cache_dir()
            tokenizer.load_userdict(str(USER_DICT))
            tokenizer.initialize()
            _tokenizer = tokenizer
    return _tokenizer


def tokenize(text: str) -> list[str]:
    """Search-mode jieba tokens (sub-words included), lower-cased, stopwords dropped."""
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


def _new_tagger(tokenizer: jieba.Tokenizer):
    """A part-of-speech tagger over our tokenizer.

    Importing jieba.posseg builds its default tagger, which reads jieba's 349k-line
    dictionary for word tags; POSTokenizer(tokenizer) would read the same file again
    (our tokenizer keeps jieba's default dictionary), about half of a one-shot
    `planqa ask`'s start-up. So the tags are copied; the user dictionary's tags are
    merged in by the tagger on its first cut, as before.
    """
    import jieba.posseg

    tagger = object.__new__(jieba.posseg.POSTokenizer)
    tagger.tokenizer = tokenizer
    tagger.word_tag_tab = dict(jieba.posseg.dt.word_tag_tab)
    return tagger


def place_words(text: str) -> list[tuple[str, int]]:
    """Words jieba tags as place names (``ns``) with their offsets, e.g. [("绵阳市", 0)]."""
    global _tagger
    tokenizer = _get_tokenizer()
    with _lock:
        if _tagger is None:
            _tagger = _new_tagger(tokenizer)
        pairs = list(_tagger.cut(text))
    found: list[tuple[str, int]] = []
    at = 0
    for pair in pairs:
        if pair.flag.startswith("ns"):
            found.append((pair.word, text.find(pair.word, at)))
        at += len(pair.word)
    return found


def words(text: str) -> list[str]:
    """Precise-mode jieba words (no sub-words, no stopword filtering), for reading a question's parts."""
    return [w for w in _get_tokenizer().cut(text) if w.strip()]


# Parts of speech that name things: nouns, verbal nouns, abbreviations, idioms and
# Latin words (jieba's ICTCLAS tags); verbs, numerals and function words frame a
# question rather than name what it asks.
_CONTENT_TAGS = ("n", "vn", "j", "i", "l", "eng")
_LATIN_RUN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+\-]*[A-Za-z][A-Za-z0-9.+\-]*|[A-Za-z]+\d[A-Za-z0-9]*")


def content_words(text: str) -> list[str]:
    """The words of a text that name things (see _CONTENT_TAGS); Latin-and-digit runs
    such as 5G or IPv6 stay whole."""
    global _tagger
    latin = _LATIN_RUN.findall(text)
    rest = _LATIN_RUN.sub(" ", text)
    tokenizer = _get_tokenizer()
    with _lock:
        if _tagger is None:
            _tagger = _new_tagger(tokenizer)
        pairs = list(_tagger.cut(rest))
    found = [p.word for p in pairs if p.flag.startswith(_CONTENT_TAGS) and not p.flag.startswith("ns") and p.word.strip()]
    return list(dict.fromkeys(latin + found))
