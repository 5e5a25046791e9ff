"""Quotation marks: where a quotation opens and closes, in any mix of « », “ ”, „ “, " ", ‹ ›."""
from __future__ import annotations

import re


MIN_WORDS_ATTRIBUTED = 2  # « erreur » alone is a scare quote, not a statement


MIN_WORDS_UNATTRIBUTED = 6  # without a speaker, only real statements are worth showing


# Closers each opener accepts: scraped and translated text mixes them («…”, “…», „…“, “…“).
_CLOSERS = {"«": "»”“", "“": "”»“", "„": "“”", "‹": "›", "‚": "‘’", '"': '"'}


_ALL_QUOTE_CHARS = "«»“”„‹›\""


def quote_spans(paragraph: str) -> list[tuple[int, int]]:
    """``(open, close)`` character positions of the quotes in ``paragraph`` (close is the closing mark)."""
    spans: list[tuple[int, int]] = []
    straight = [i for i, ch in enumerate(paragraph) if ch == '"']
    position = 0
    while position < len(paragraph):
        ch = paragraph[position]
        if ch == '"':
            following = [i for i in straight if i > position]
            if following:
                spans.append((position, following[0]))
                position = following[0] + 1
                continue
            break
        if ch in _CLOSERS and ch != '"':
            close = _find_close(paragraph, position)
            if close is not None:
                spans.append((position, close))
                position = close + 1
                continue
            if position == 0 or not paragraph[:position].strip():
                # A quote running to the end of its paragraph, its closer lost.
                if len(paragraph[position + 1 :].split()) >= MIN_WORDS_UNATTRIBUTED:
                    spans.append((position, len(paragraph)))
                break
        position += 1
    return spans


def _find_close(paragraph: str, start: int) -> int | None:
    opener = paragraph[start]
    closers = _CLOSERS[opener]
    position = start + 1
    while position < len(paragraph):
        ch = paragraph[position]
        opens_nested = ch == "“" and position + 1 < len(paragraph) and paragraph[position + 1].isalnum()
        if ch in closers and position > start + 1 and not opens_nested:
            return position
        if opens_nested and opener == "“" and re.search(r"[.!?…]\s$", paragraph[max(start, position - 2) : position]):
            # “First paragraph. “Second paragraph,” X said: a new opening mark restarts the quote.
            if _find_close(paragraph, position) is not None:
                return position - 1
        if ch in _CLOSERS and ch != '"' and (ch not in closers or opens_nested):
            inner = _find_close(paragraph, position)
            if inner is not None:
                position = inner + 1
                continue
        position += 1
    return None


def _clean_quote_text(text: str) -> str:
    text = text.strip().strip("\u00a0 ")
    text = re.sub(r"\s+", " ", text)
    return text.strip(" ,;:" + _ALL_QUOTE_CHARS).strip()


def _whole_paragraph(paragraph: str, item: dict) -> bool:
    return not paragraph[: item["open"]].strip() and not paragraph[item["close"] + 1 :].strip(" .,;:!?»”“\"")


def _looks_like_title(text: str) -> bool:
    """“American Pie”, “Larry King Live”: a title in quotation marks, not a statement."""
    words = re.findall(r"[\w’'-]+", text)
    if not words or len(words) > 6 or re.search(r"[.!?,;:]", text):
        return False
    minor = {"of", "the", "a", "an", "and", "in", "on", "de", "du", "des", "la", "le", "les", "et", "à", "di", "del",
             "della", "e", "il", "der", "die", "das", "und", "von", "el", "los", "las", "y"}
    return all(w[:1].isupper() or w.lower() in minor for w in words) and words[0][:1].isupper()


def _quoted_share(sentence: str) -> float:
    spans = quote_spans(sentence)
    return sum(close - open_ for open_, close in spans) / max(1, len(sentence))
