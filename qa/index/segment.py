"""Chinese word segmentation for keyword search (the only module importing jieba)."""
from __future__ import annotations

import logging
import re
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


def _get_tokenizer() -> jieba.Tokenizer:
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
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
