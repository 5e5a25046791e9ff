"""Reported speech: "X a déclaré que …", "…, X said.", "Lo ha detto X", German indirect speech
in the subjunctive, and the quote mention they all give."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...analyze.sentences import split_sentences
from .. import speech
from .attribution import _CONTINUATION_CLAUSE, _CONTRAST, _inverted_subject, _subject_phrase
from .marks import _ALL_QUOTE_CHARS, _quoted_share
from .names import NameBook, Speaker, _PREPOSITIONS, _person_names_in, parse_speaker
from .roles import _role_referent


@dataclass
class QuoteMention:
    """One quote in one article."""

    article_id: str
    lang: str
    text: str
    speaker: str | None
    role: str | None
    kind: str  # "direct" (between quotation marks) or "reported" (speech verb + clause)
    how: str | None  # where the speaker was found: inserted, after, before, next, pronoun, chain, continues, reported
    start: int  # character offset in the article text
    parts: list[str] = field(default_factory=list)  # the pieces around an inserted attribution

    @property
    def words(self) -> int:
        return len(self.text.split())

    def to_json(self) -> dict:
        return {"article_id": self.article_id, "lang": self.lang, "text": self.text, "speaker": self.speaker,
                "role": self.role, "kind": self.kind}


_THAT_AFTER = 6  # words allowed between the verb and "that": "said Friday that", "a affirmé jeudi au Vietnam que", "advirtió este jueves a Corea del Sur de que"


def _said_in(sentence: str, pats, lang: str, book: NameBook) -> tuple[Speaker | None, str | None]:
    """(speaker, clause) of one sentence of reported speech, the speaker maybe a role not
    yet resolved to a name; (None, None) when the sentence reports nobody."""
    body = sentence.rstrip(" .!?")
    verb = pats["verb"].search(body)
    # "Según el mandatario ruso, el acuerdo …", "Selon Jean Dupont, …": the source leads.
    lead = re.match(r"^(?:selon|d['’]après|according\s+to|secondo|según)\s+([^,;:]{3,80}?),\s*(.+)$", body, re.I)
    if lead is not None and (verb is None or verb.start() > lead.start(2)):
        verb = None
    elif verb is None:
        return None, None
    subject = re.split(r"[:;]", body[: verb.start()])[-1].strip() if verb else ""
    rest = body[verb.end():] if verb else ""
    clause = speaker = None
    after_that = None
    stripped = rest.lstrip(" ,")
    for skip in range(_THAT_AFTER + 1):
        # "said that", "said Friday that", "told reporters that", "a déclaré jeudi que"
        head = re.match(rf"^(?:[\w’'.-]+,?\s+){{{skip}}}", stripped)  # German: "sagte am Montag, dass"
        if head is None or any(w.lower() in ("and", "et", "e", "und", "y", "but", "mais") for w in head.group(0).split()):
            break
        marker = pats["that"].match(stripped[head.end():])
        if marker:
            after_that = stripped[head.end() + marker.end():]
            break
    first_word = rest.split()[0].lower().strip(",") if rest.split() else ""
    if after_that is None and lang == "de":
        # "X sagte, es gebe …", "X schrieb auf der Plattform Y, es handle sich …": indirect speech
        # in the Konjunktiv I after a comma, without "dass".
        after_that = _konjunktiv_after_comma(rest)
    if subject and after_that is not None:
        # "X, role, a déclaré que …" / "X said Friday that …" / "X sagte, dass …"
        speaker = _subject_phrase(subject, lang, book)
        clause = after_that
    elif (subject and lang == "en" and verb.group(0).lower() in ("said", "says", "also said")
          and first_word and first_word not in _PREPOSITIONS | {"it", "so", "in", "on", "that"}):
        # "Kurtz said the problem had been caused by …", "Luke Pigeon, who lives next door, said he …"
        speaker = _subject_phrase(subject, lang, book)
        clause = rest
    if (speaker is None or not speaker.name) and subject.endswith(",") and len(rest.split()) <= 10:
        # "…, a annoncé le ministre Jean Dupont" / "…, said Sgt. Marty Earley"
        speaker = _inverted_subject(rest, lang, book) if rest.strip() else None
        clause = subject[:-1]
    elif (speaker is None or not speaker.name) and "," in subject and len(rest.split()) <= 4:
        # "…, Earley said." / "…, the spokesman John Smith said Saturday."
        head, tail = subject.rsplit(",", 1)
        if len(tail.split()) <= 8:
            speaker = parse_speaker(tail, lang, book)
            clause = head
    if lead is not None and verb is None:
        speaker, clause = parse_speaker(lead.group(1), lang, book), lead.group(2)
    return speaker, clause


def _reported(paragraph: str, para_start: int, lang: str, book: NameBook, article_id: str, last: dict | None = None):
    """Reported speech: "X a déclaré que …", "X said the …", "…, X said.". Returns (mentions, clauses).

    ``clauses`` are (start, end, speaker) spans of the paragraph said by someone, so that a
    quote inside them ("X told reporters that the risk “can not be overestimated”") gets X.
    """
    pats = speech.patterns(lang)
    out: list[QuoteMention] = []
    clauses: list[tuple[int, int, Speaker]] = []
    cursor = 0
    previous: QuoteMention | None = None  # a reported statement that ended the sentence before
    before_sentence: tuple[int, str] | None = None  # the sentence before, unattributed
    for sentence in split_sentences(paragraph):
        found_at = paragraph.find(sentence, cursor)
        offset = found_at if found_at >= 0 else cursor
        cursor = offset + len(sentence)
        said_before, previous = previous, None
        statement, before_sentence = before_sentence, (offset, sentence)
        said_back = _said_back(sentence, statement, said_before, lang, book, para_start, offset)
        if said_back:
            # "X non esclude di … . Lo ha detto il presidente russo …, spiegando che …"
            for text_said, who, at in said_back:
                clause_at = paragraph.find(text_said, at)
                if clause_at >= 0:
                    clauses.append((clause_at, clause_at + len(text_said), who))
                previous = QuoteMention(article_id=article_id, lang=lang, text=text_said, speaker=who.name,
                                        role=who.role, kind="reported", how="reported", start=para_start + at,
                                        parts=[text_said])
                out.append(previous)
            last = {"name": previous.speaker, "role": previous.role, "end": para_start + offset + len(sentence)}
            before_sentence = None
            continue
        if lang == "de" and said_before is not None:
            # "Er schließe dies nicht aus, sagte X. Der Westen liefere auch Waffen.": a sentence in the
            # Konjunktiv I right after a reported statement goes on reporting it.
            going_on = _konjunktiv_continuation(sentence, pats, book, said_before.speaker)
            if going_on is not None:
                clause_at = paragraph.find(going_on, offset)
                resolved = Speaker(name=said_before.speaker, role=said_before.role)
                if clause_at >= 0:
                    clauses.append((clause_at, clause_at + len(going_on), resolved))
                previous = QuoteMention(article_id=article_id, lang=lang, text=going_on, speaker=said_before.speaker,
                                        role=said_before.role, kind="reported", how="continues",
                                        start=para_start + offset, parts=[going_on])
                out.append(previous)
                continue
        if len(sentence.split()) < 8 or _quoted_share(sentence) >= 0.5:
            continue
        speaker, clause = _said_in(sentence, pats, lang, book)
        if speaker is not None and not speaker.name and speaker.phrase:
            referent = _role_referent(speaker.phrase, lang, book, para_start + offset, last)
            speaker = Speaker(name=referent, role=speaker.role) if referent else speaker
        if clause is None or speaker is None or not speaker.name or speaker.organisation:
            continue
        before_sentence = None
        clause = _CONTRAST.split(clause)[0].strip(" ,.;:")
        if len(clause.split()) < 5:
            continue
        clause_at = paragraph.find(clause, offset)
        name = book.complete(speaker.name)
        resolved = Speaker(name=name, role=speaker.role)
        if clause_at >= 0:
            clauses.append((clause_at, clause_at + len(clause), resolved))
        previous = QuoteMention(article_id=article_id, lang=lang, text=clause, speaker=name, role=speaker.role,
                                kind="reported", how="reported", start=para_start + offset, parts=[clause])
        out.append(previous)
        last = {"name": name, "role": speaker.role, "end": para_start + offset + len(sentence)}
    return out, clauses


# "Lo ha detto X", "Lo riferisce X", "Así lo afirmó X": the sentence before is what X said.
_SAID_BACK = re.compile(r"^(?:lo|così\s+lo|así\s+lo|lo\s+ha|lo\s+hanno)\s+", re.I)


_DATELINE_LEAD = re.compile(
    r"^(?:\([A-Z][\w.]{1,10}\)\s*[-–—]\s*)?[A-ZÀ-Ý][A-ZÀ-Ý .'’-]{1,40},\s*\d{1,2}\s+[A-ZÀ-Ýa-zà-ÿ]{3,9}\.?\s*[-–—]\s*"
    r"|^[A-ZÀ-Ý][A-ZÀ-Ý .'’-]{1,40}\s*\([A-Z][\w.]{1,10}\)\s*[-–—]\s*")


def _said_back(sentence: str, statement: tuple[int, str] | None, said_before, lang: str, book: NameBook,
               para_start: int, offset: int) -> list[tuple[str, Speaker, int]]:
    """A sentence that only says who made the statement before it: [(text, speaker, offset)]."""
    if statement is None or said_before is not None or lang not in ("it", "es"):
        return []
    lead = _SAID_BACK.match(sentence)
    if lead is None:
        return []
    pats = speech.patterns(lang)
    verb = pats["verb_start"].match(sentence[lead.start() if lead.group(0).lower().startswith("lo h") else lead.end():])
    if verb is None:
        return []
    after = sentence[(lead.start() if lead.group(0).lower().startswith("lo h") else lead.end()) + verb.end():]
    at, said = statement
    said = said.strip().rstrip(" .!?")
    dateline = _DATELINE_LEAD.match(said)  # "(ANSA) - ROMA, 20 GIU - Vladimir Putin non esclude …"
    if dateline:
        at, said = at + dateline.end(), said[dateline.end():]
    if len(said.split()) < 5 or _quoted_share(said) >= 0.5:
        return []
    speaker = _inverted_subject(after, lang, book)
    if speaker is None or speaker.organisation:
        return []
    if not speaker.name:
        named = _person_names_in(said, book, None)
        if len(named) != 1:
            return []  # the role stands for the one person the statement names
        antecedent = {"name": book.complete(named[0]), "end": para_start + at + len(said)}
        name = _role_referent(speaker.phrase, lang, book, para_start + offset, antecedent)
        if not name:
            return []
        speaker = Speaker(name=name, role=speaker.role)
    else:
        speaker = Speaker(name=book.complete(speaker.name), role=speaker.role)
    out = [(said, speaker, at)]
    going_on = _CONTINUATION_CLAUSE.search(after)
    if going_on:
        clause = _CONTRAST.split(after[going_on.end():])[0].strip(" ,.;:")
        if len(clause.split()) >= 5:
            out.append((clause, speaker, offset))
    return out


_KONJUNKTIV_WITHIN = 6  # words from the clause's start to its Konjunktiv verb: "ein Großteil seiner Anlagen habe"


def _konjunktiv_at(clause: str) -> int | None:
    """The index of the Konjunktiv I verb among the first words of a German clause, if any."""
    words = re.findall(r"[\w’'-]+|[,;:]", clause)
    for k in range(1, min(len(words), _KONJUNKTIV_WITHIN + 1)):
        if words[k] in ",;:":
            return None  # another clause first
        if speech.is_konjunktiv(words[k], words[k - 1]):
            return k
    return None


def _konjunktiv_after_comma(rest: str) -> str | None:
    """The clause after "sagte [a few words]," when its verb is in the Konjunktiv I."""
    match = re.match(r"^\s*((?:[\w’'.-]+\s+){0,5}?(?:[\w’'.-]+)?)\s*,\s*(.+)$", rest)
    if match is None:
        return None
    head, clause = match.group(1), match.group(2)
    if re.search(r"\b(?:und|oder|aber|weil|als|wenn|nachdem|bevor)\b", head, re.I):
        return None
    return clause if _konjunktiv_at(clause) is not None else None


def _konjunktiv_continuation(sentence: str, pats, book: NameBook, speaker: str | None) -> str | None:
    """A German sentence in the Konjunktiv I that carries on the statement before it, or None."""
    body = sentence.strip().rstrip(" .!?")
    if len(body.split()) < 4 or any(q in body for q in _ALL_QUOTE_CHARS) or pats["verb"].search(body):
        return None
    if _konjunktiv_at(body) is None:
        return None
    if _person_names_in(body, book, speaker):
        return None  # someone else comes in: not the same speaker's words
    return body
