"""Who said a quotation: the speech verb and its subject before, inside, after the quotation
or in the next sentence, a pronoun back to the last speaker, quotes of one sentence chained."""
from __future__ import annotations

import re

from .. import speech
from .marks import _ALL_QUOTE_CHARS
from .names import NameBook, Speaker, _ELIDED, _PRONOUN_INVERSION, _TITLES, _is_cap, _name_in_part, _person_names_in, _runs, parse_speaker


_CONTINUATION = re.compile(
    r"(?:ajoutant|précisant|soulignant|estimant|expliquant|affirmant|assurant|adding|noting|saying|stressing|"
    r"explaining|aggiungendo|sottolineando|spiegando|precisando|añadiendo|explicando|señalando|subrayando|"
    r"und\s+fügte\s+hinzu)(?:\s+(?:que|qu['’]|that|che|dass))?(?:\s+[\w’'-]+){0,3}\s*$",
    re.I,
)


# The same participles opening a clause anywhere in the gap between two quotes of one
# sentence: « fournir des armes » à la Corée du Nord, tout en assurant que … « erreur très grave ».
_CONTINUATION_CLAUSE = re.compile(
    r"\b(?:ajoutant|précisant|soulignant|estimant|expliquant|affirmant|assurant|avertissant|prévenant|adding|noting|"
    r"saying|stressing|warning|explaining|aggiungendo|sottolineando|spiegando|precisando|avvertendo|añadiendo|"
    r"explicando|señalando|subrayando|advirtiendo)\s+(?:que\s|qu['’]|that\s|che\s)", re.I)


def _sentence_end(paragraph: str, start: int, spans: list[tuple[int, int]]) -> int:
    """Where the sentence that goes on at ``start`` ends (exclusive), quotes skipped."""
    position = start
    while position < len(paragraph):
        inside = next((s for s in spans if s[0] <= position <= s[1]), None)
        if inside is not None and inside[0] != position - 1:
            position = inside[1] + 1
            continue
        ch = paragraph[position]
        if ch in ".!?…" and (position + 1 >= len(paragraph) or paragraph[position + 1] in " \u00a0" + _ALL_QUOTE_CHARS):
            if not _abbreviation_before(paragraph, position):
                return position
        position += 1
    return len(paragraph)


def _abbreviation_before(paragraph: str, dot: int) -> bool:
    match = re.search(r"(\w+)$", paragraph[:dot])
    return bool(match) and (len(match.group(1)) == 1 and match.group(1).isupper() or match.group(1).lower() in _TITLES)


def _sentence_start(paragraph: str, end: int, spans: list[tuple[int, int]]) -> int:
    position = end - 1
    while position > 0:
        inside = next((s for s in spans if s[0] < position <= s[1]), None)
        if inside is not None:
            position = inside[0] - 1
            continue
        ch = paragraph[position]
        if ch in ".!?…" and paragraph[position + 1 : position + 2] in (" ", "\u00a0") and not _abbreviation_before(paragraph, position):
            return position + 1
        position -= 1
    return 0


_ABBREVIATIONS = re.compile(
    r"\b(?:Gov|Sen|Rep|Dr|Mr|Mrs|Ms|Prof|St|Jr|Sr|Gen|Lt|Col|Sgt|Capt|Cpl|Adm|Maj|Cmdr|Supt|Insp|Det|Const|Pres|"
    r"Sec|Atty|Vice|U\.S|M|Mme|[A-Z])\.")


_LEAD_PUNCT = " \u00a0,;:»”“\"’)]–—-"


def _after_attribution(after: str, lang: str, names: NameBook) -> tuple[Speaker | None, str | None]:
    """Attribution in the text that follows a quote within its sentence."""
    pats = speech.patterns(lang)
    text = after.lstrip(_LEAD_PUNCT)
    if not text:
        return None, None
    verb = pats["verb_start"].match(text)
    if verb:
        rest = text[verb.end():]
        if _PRONOUN_INVERSION.search(verb.group(0)):
            return Speaker(pronoun=True), "pronoun"
        head = rest.strip()
        first = head.split()[0].lower().strip(",.") if head else ""
        pronouns = speech.PRONOUNS.get(lang) or set().union(*speech.PRONOUNS.values())
        if first in pronouns and first not in {"sie"}:
            return Speaker(pronoun=True), "pronoun"
        if not head or not (_is_cap(head.split()[0]) or first in speech.DETERMINERS or _ELIDED.match(first)):
            # "ha detto, visibilmente emozionato" / "dijo." : the subject is dropped (Italian, Spanish).
            if lang in ("it", "es") and (not head or head[0] in ",.;"):
                return Speaker(pronoun=True), "pronoun"
            return None, None
        speaker = _inverted_subject(rest, lang, names)
        return speaker, "after" if speaker else None
    # Subject first: "the spokesman John Smith said", "Southgate said".
    match = pats["verb"].search(text)
    if match and match.start() > 0:
        subject = text[: match.start()]
        if len(subject.split()) <= 14 and not re.search(r"[.!?;:]", _ABBREVIATIONS.sub("", subject)):
            speaker = parse_speaker(subject, lang, names)
            if speaker is not None:
                return speaker, "after"
    return None, None


def _inverted_subject(rest: str, lang: str, names: NameBook) -> Speaker | None:
    """The subject after an inverted verb: "Vladimir Poutine à la presse", "le conseiller … Chang Ho-jin, ancien …"."""
    protected = _ABBREVIATIONS.sub(lambda m: m.group(0)[:-1] + "\u2024", rest)  # keep "Gov." inside the phrase
    phrase = re.split(r"[;:.!?]|\s[–—]\s", protected, maxsplit=1)[0].replace("\u2024", ".")
    pieces = [p for p in phrase.split(",")]
    first = pieces[0]
    words = first.split()
    if not words:
        return None
    head = words[0].lower()
    if not (_is_cap(words[0]) or head in speech.DETERMINERS or _ELIDED.match(head) or head in speech.LEADING_NOISE):
        return None  # "said by telephone from Varna, Bulgaria": no subject after the verb
    if words and _is_cap(words[0]) and words[0].lower() not in speech.DETERMINERS:
        # "Immelman who follows in the footsteps of Gary Player": the name, not what comes after it.
        runs = _runs(words)
        if runs and runs[0][0] == 0:
            first = " ".join(words[: runs[0][1]])
    speaker = parse_speaker(first, lang, names)
    if speaker is not None and not speaker.name and speaker.role and len(pieces) > 1:
        joined = parse_speaker(first + "," + pieces[1], lang, names)
        if joined is not None and joined.name:
            return joined
    if speaker is not None and speaker.name and not speaker.role and len(pieces) > 1:
        apposition = _name_in_part(pieces[1], lang, names)
        if apposition is not None and apposition[0] == "role":
            speaker.role = apposition[1]
    return speaker


def _before_attribution(before: str, lang: str, names: NameBook) -> Speaker | None:
    """Attribution in the text that leads to a quote: "X, role, a noté que “…"."""
    pats = speech.patterns(lang)
    matches = list(pats["verb"].finditer(before))
    if not matches:
        source = re.search(r"(?:selon|according\s+to|secondo|según|laut)\s+(.+?)\s*[,:]\s*$", before, re.I)
        if source:
            return parse_speaker(source.group(1), lang, names)
        return None
    verb = matches[-1]
    tail = before[verb.end():]
    # A longer way from the verb to the quote ("a menacé jeudi, depuis le Vietnam, où il se
    # trouve en visite, de « … »") is still the subject's when no clause and no one else come in.
    long_tail = len(tail.split()) > 8
    if len(tail.split()) > 16 or re.search(r"[.!?;]", tail) or (long_tail and _CLAUSE_CUT.search(tail)):
        return None
    if _PRONOUN_INVERSION.search(verb.group(0)):
        return None if long_tail else Speaker(pronoun=True)
    subject = _own_clause(before[: verb.start()], lang)
    if not subject:
        return None
    # Leading adverbials: "Cependant, Victor Cha, …" keeps its parts; the parser skips the adverb.
    if len(subject.split()) > 18:
        subject = ",".join(subject.split(",")[-3:])
    speaker = parse_speaker(subject, lang, names)
    if long_tail and (speaker is None or not (speaker.name or speaker.phrase)
                      or _person_names_in(tail, names, speaker.name)):
        return None
    return speaker


_CLAUSE_CUT = re.compile(
    r"(?:^|,?\s+)(?:tandis\s+qu(?:e\s+|['’])|alors\s+qu(?:e\s+|['’])|while\s+|whereas\s+|mentre\s+|während\s+|"
    r"mientras\s+(?:que\s+)?|but\s+|mais\s+|ma\s+|aber\s+|pero\s+|qu['’]|que\s+|that\s+|che\s+|dass\s+)",
    re.I)


def _own_clause(text: str, lang: str) -> str:
    """The subject of the last clause: "Attal a affirmé qu'…, tandis qu'Emmanuel Macron" -> "Emmanuel Macron"."""
    pats = speech.patterns(lang)
    verbs = list(pats["verb"].finditer(text))
    if verbs:
        text = text[verbs[-1].end():]  # another speech verb before this one opens another clause
    pieces = _CLAUSE_CUT.split(text)
    return pieces[-1].strip() if pieces else text.strip()


def _inserted_attribution(text: str, lang: str, names: NameBook) -> tuple[list[str], Speaker | None]:
    """“A – a accusé Poutine lors d'une conférence – B” -> ([A, B], Poutine)."""
    pats = speech.patterns(lang)
    match = re.search(r"\s[–—-]\s+(?P<attr>[^–—]{3,160}?)\s+[–—-]\s", text)
    if not match or not pats["verb"].match(match.group("attr").strip()):
        return [text], None
    speaker, _ = _after_attribution(match.group("attr"), lang, names)
    if speaker is None:
        return [text], None
    return [text[: match.start()].strip(), text[match.end():].strip()], speaker


def _attribute_span(paragraph: str, spans, open_at: int, close_at: int, lang: str, book: NameBook) -> dict:
    """The speaker of one quotation, from the places an attribution can stand, most reliable first."""
    raw = paragraph[open_at + 1 : close_at]
    parts, speaker = _inserted_attribution(raw, lang, book)
    how = "inserted" if speaker else None
    end = _sentence_end(paragraph, close_at + 1, spans)
    after = paragraph[close_at + 1 : end]
    gap_has_stop = bool(re.match(r"^[\s»”“\"]*[.!?]", after)) or raw.rstrip(" »”\"").endswith((".", "!", "?"))
    if speaker is None and not gap_has_stop:
        next_open = next((s[0] for s in spans if s[0] > close_at), None)
        window = paragraph[close_at + 1 : next_open] if next_open is not None and next_open < end else after
        speaker, how = _after_attribution(window, lang, book)
    if speaker is None:
        sentence_start = _sentence_start(paragraph, open_at, spans)
        previous_close = max((s[1] for s in spans if sentence_start <= s[1] < open_at), default=None)
        before = paragraph[(previous_close + 1) if previous_close is not None else sentence_start : open_at]
        speaker = _before_attribution(before, lang, book)
        how = "before" if speaker else None
    if speaker is None and gap_has_stop:
        # «…» Le porte-parole …, Matthew Miller, a déclaré à la presse.
        speaker, how = _next_sentence_attribution(paragraph, spans, close_at, lang, book)
    return {"open": open_at, "close": close_at, "parts": parts, "speaker": speaker, "how": how, "sentence_end": end}


def _next_sentence_attribution(paragraph: str, spans, close_at: int, lang: str, book: NameBook):
    """A sentence after the quote that only says who spoke: "Le porte-parole, X, a déclaré à la presse."."""
    next_start = close_at + 1
    while next_start < len(paragraph) and paragraph[next_start] in " .!?»”“\"\u00a0":
        next_start += 1
    following = paragraph[next_start:_sentence_end(paragraph, next_start, spans)]
    verb = speech.patterns(lang)["verb"].search(following)
    if not verb or any(q in following for q in "«“„\"") or len(following[verb.end():].split()) > 5:
        return None, None
    subject = following[: verb.start()]
    if subject.strip():
        speaker = parse_speaker(subject, lang, book)
        return speaker, "next" if speaker else None
    if _PRONOUN_INVERSION.search(verb.group(0)):
        return Speaker(pronoun=True), "pronoun"
    return None, None


def _chain(paragraph: str, found: list[dict], lang: str) -> None:
    """Quotes of one sentence separated by a few words share a speaker (“a” qui “b”, a ajouté X)."""
    pats = speech.patterns(lang)
    for _ in range(2):
        for left, right in zip(found, found[1:]):
            gap = paragraph[left["close"] + 1 : right["open"]]
            if not gap.strip() and left["speaker"] is None and right["speaker"] is not None and right["how"] == "after":
                left["speaker"], left["how"] = right["speaker"], "chain"  # “A. “B,” said X
                continue
            if left["sentence_end"] < right["open"]:
                continue
            gap = paragraph[left["close"] + 1 : right["open"]]
            if left["speaker"] is not None and right["speaker"] is None and _CONTINUATION.search(gap.strip()):
                right["speaker"], right["how"] = left["speaker"], "chain"
                continue
            clause = _CONTINUATION_CLAUSE.search(gap)
            if (left["speaker"] is not None and right["speaker"] is None and clause is not None
                    and len(gap.split()) <= 30 and not re.search(r"[.!?;]", gap)
                    and not pats["verb"].search(gap[clause.end():]) and not _CLAUSE_JOIN.search(gap[clause.end():])):
                right["speaker"], right["how"] = left["speaker"], "chain"  # the same subject goes on speaking
                continue
            if len(gap.split()) > 8 or pats["verb"].search(gap) or re.search(r"[.!?;]", gap):
                continue
            if any(_is_cap(w) for w in gap.split()[1:]):
                continue
            if left["speaker"] is None and right["speaker"] is not None and right["how"] in ("after", "pronoun"):
                left["speaker"], left["how"] = right["speaker"], "chain"
            elif right["speaker"] is None and left["speaker"] is not None and left["how"] in ("before", "chain", "inserted"):
                right["speaker"], right["how"] = left["speaker"], "chain"


def _resolve_pronoun(text, position, item, para_start, paragraph, last, book) -> Speaker | None:
    """The previous speaker, when no other person is named between that attribution and this one."""
    if last is None:
        return None
    if position - last["end"] > 600:
        return None
    between = text[last["end"] : position]
    # The attribution around the quote itself ("a-t-il déclaré à Poutine") must not name anyone else either.
    around_end = para_start + item["sentence_end"]
    around = text[para_start + item["close"] + 1 : around_end]
    sentence_start = _sentence_start(paragraph, item["open"], [])
    lead = paragraph[sentence_start : item["open"]]
    others = _person_names_in(between + " " + around + " " + lead, book, last["name"])
    if others:
        return None
    return Speaker(name=last["name"], role=last["role"])


def _subject_phrase(subject: str, lang: str, book: NameBook) -> Speaker | None:
    """A subject before a speech verb: a name with appositions ("Rob Jones, Felt's grandson,")."""
    subject = _CLAUSE_JOIN.split(subject)[-1]  # "Both men credited Felt, but Bernstein" -> "Bernstein"
    parts = [p for p in subject.strip(" ,").split(",") if p.strip()]
    if not parts or len(subject.split()) > 14 or any(len(p.split()) > 9 for p in parts):
        return None
    return parse_speaker(subject, lang, book)


_CLAUSE_JOIN = re.compile(
    r",?\s+(?:but|and|while|whereas|however|mais|et|tandis\s+que|alors\s+que|ma|e|mentre|aber|und|während|"
    r"pero|y|mientras)\s+(?=[A-ZÀ-Ý])")


_CONTRAST = re.compile(
    r",?\s+(?:(?:tandis\s+qu|alors\s+qu|while|whereas|mentre|während|mientras)\b|(?:but|mais|aber|pero)\s+(?=[A-ZÀ-Ý]))")
