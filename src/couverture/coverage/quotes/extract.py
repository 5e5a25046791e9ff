"""All quotes of one article with their speakers: quotations and reported speech, paragraph by
paragraph, the last speaker carried forward for pronouns and roles."""
from __future__ import annotations

from ...analyze.entities import extract_entities
from ...analyze.sentences import split_sentences
from .. import speech
from .attribution import _attribute_span, _chain, _resolve_pronoun
from .marks import MIN_WORDS_ATTRIBUTED, MIN_WORDS_UNATTRIBUTED, _clean_quote_text, _looks_like_title, _whole_paragraph, quote_spans
from .names import NameBook, Speaker
from .reported import QuoteMention, _reported
from .roles import _role_referent


def extract_quotes(text: str, lang: str, article_id: str = "", names: list[str] | None = None,
                   story_names: NameBook | None = None) -> list[QuoteMention]:
    """All quotes of one article with their speakers (``names``: the article's entity texts)."""
    if names is None:
        names = [e.text for e in extract_entities(split_sentences(text), lang)]
    book = NameBook(names, fallback=story_names, lang=lang, text=text)
    mentions: list[QuoteMention] = []
    last: dict | None = None  # the last speaker: name, role, position in text
    continuation: dict | None = None  # the speaker of a quote that ended the previous paragraph
    offset = 0
    for paragraph in text.split("\n"):
        para_start = offset
        offset += len(paragraph) + 1
        if not paragraph.strip():
            continue
        spans = quote_spans(paragraph)
        reported, said_clauses = _reported(paragraph, para_start, lang, book, article_id, last)
        found = [_attribute_span(paragraph, spans, open_at, close_at, lang, book) for open_at, close_at in spans]
        for item in found:
            if item["speaker"] is None:
                inside = next((sp for a, b, sp in said_clauses if a <= item["open"] and item["close"] <= b + 1
                               and not speech.patterns(lang)["verb"].search(paragraph[a : item["open"]])), None)
                if inside is not None:
                    item["speaker"], item["how"] = inside, "reported"
        _chain(paragraph, found, lang)
        for item in found:
            speaker: Speaker | None = item["speaker"]
            position = para_start + item["open"]
            if speaker is not None and speaker.pronoun:
                speaker = _resolve_pronoun(text, position, item, para_start, paragraph, last, book)
                item["how"] = "pronoun" if speaker else None
            if speaker is not None and not speaker.name and speaker.phrase:
                referent = _role_referent(speaker.phrase, lang, book, position, last)
                if referent:  # "a admis le sélectionneur", "le chef du Kremlin a fait valoir que « … »"
                    speaker, item["how"] = Speaker(name=referent, role=speaker.role), "role"
            quote_text = " […] ".join(_clean_quote_text(p) for p in item["parts"] if _clean_quote_text(p))
            if not quote_text:
                continue
            name = book.complete(speaker.name) if speaker and speaker.name and not speaker.organisation else (
                speaker.name if speaker else None)
            role = speaker.role if speaker else None
            if name is None and continuation is not None and item is found[0] and _whole_paragraph(paragraph, item):
                # A paragraph that is only a quote continues the quote of the paragraph before it.
                name, role, item["how"] = continuation["name"], continuation["role"], "continues"
            words = len(quote_text.split())
            if words < (MIN_WORDS_ATTRIBUTED if name else MIN_WORDS_UNATTRIBUTED) or _looks_like_title(quote_text):
                continue
            if name and not (speaker is not None and speaker.organisation):
                last = {"name": name, "role": role, "end": para_start + item["sentence_end"]}
            mentions.append(QuoteMention(article_id=article_id, lang=lang, text=quote_text, speaker=name, role=role,
                                         kind="direct", how=item["how"] if name else None, start=position,
                                         parts=[_clean_quote_text(p) for p in item["parts"]]))
        # The next paragraph may continue this one's last quote, if this paragraph ends with it.
        tail = found[-1] if found else None
        continuation = None
        if tail is not None and mentions and mentions[-1].start == para_start + tail["open"] and mentions[-1].speaker:
            rest = paragraph[tail["sentence_end"] + 1 :].strip()
            if len(rest.split()) < 4 or mentions[-1].how == "next":
                continuation = {"name": mentions[-1].speaker, "role": mentions[-1].role}
        quoted = [(m.start - para_start, m.start - para_start + len(m.text)) for m in mentions
                  if m.kind == "direct" and m.speaker and m.start >= para_start]
        reported = [r for r in reported if not _overlaps_quotes(paragraph, r, quoted)]
        mentions.extend(reported)
        if reported and (last is None or reported[-1].start >= last["end"]):
            clause_end = max((b for a, b, sp in said_clauses if sp.name == reported[-1].speaker), default=0)
            last = {"name": reported[-1].speaker, "role": reported[-1].role, "end": para_start + clause_end}
    mentions.sort(key=lambda m: m.start)
    return mentions


def _overlaps_quotes(paragraph: str, mention: QuoteMention, spans) -> bool:
    """A reported clause that contains a quotation is shown as that quotation instead."""
    at = paragraph.find(mention.text)
    if at < 0:
        return False
    end = at + len(mention.text)
    covered = sum(max(0, min(end, close) - max(at, open_)) for open_, close in spans)
    return covered >= 0.5 * (end - at)
