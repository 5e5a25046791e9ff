"""Who said what: quotes, their speakers, and the same quote across outlets.

A quote is either a span between quotation marks (« », “ ”, „ “, " ", ‹ ›, in any
mix, as scraped pages and machine translations write them) or reported speech
("X a déclaré que ..."). Its speaker comes from a speech verb next to it:

- inserted in the quote: “… – a accusé Poutine – …»
- right after it: “…”, a déclaré Vladimir Poutine / “…,” the spokesman John Smith said
- before it: Victor Cha, chef du groupe …, a noté que “…”
- the next sentence when it only says who spoke: «…» Le porte-parole …, Matthew Miller, a déclaré à la presse.
- a pronoun ("argumenta-t-il", "he said"), resolved to the previous speaker only when
  no other person is named in between;
- another quote of the same sentence, when nothing but a few words separate them.

A speaker is a person's name when one can be found ("le porte-parole du Département
d'État, Matthew Miller" gives the name and the role), completed from the article
("Poutine" -> "Vladimir Poutine" when the article names him in full). Precision comes
first: a quote whose speaker is unclear keeps no speaker rather than a guess.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..analyze.aliases import ALIASES, NOT_PEOPLE
from ..analyze.entities import entity_key, extract_entities, fold_name
from ..analyze.scripts import name_skeleton
from ..analyze.sentences import split_sentences
from ..analyze.tokens import content_lemmas
from . import speech

MIN_WORDS_ATTRIBUTED = 2  # « erreur » alone is a scare quote, not a statement
MIN_WORDS_UNATTRIBUTED = 6  # without a speaker, only real statements are worth showing

# Closers each opener accepts: scraped and translated text mixes them («…”, “…», „…“, “…“).
_CLOSERS = {"«": "»”“", "“": "”»“", "„": "“”", "‹": "›", "‚": "‘’", '"': '"'}
_ALL_QUOTE_CHARS = "«»“”„‹›\""
_PRONOUN_INVERSION = re.compile(r"-(?:t-)?(?:il|elle|on)\b", re.I)
_NAME_PARTICLES = frozenset("de du des la le van von der den di da del della dos das bin ibn al el y".split())
_NAME_STARTERS = frozenset("de van von di da del della dos das".split())  # "De la Fuente", "Van Gaal"
_STOP_ROLE = frozenset(
    """après lors avant pendant devant depuis dans sur après-midi after before during at in on to from dopo durante
    nach vor bei während tras durante ante à au aux al alla della dal nel en vor ce cet cette this that who qui
    che die das den dem""".split()
)
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
_TEMPORAL = frozenset(
    """lundi mardi mercredi jeudi vendredi samedi dimanche monday tuesday wednesday thursday friday saturday sunday
    lunedì martedì mercoledì giovedì venerdì sabato domenica montag dienstag mittwoch donnerstag freitag samstag
    sonntag lunes martes miércoles jueves viernes sábado domingo janvier février mars avril mai juin juillet août
    septembre octobre novembre décembre january february march april may june july august september october
    november december""".split()
)


@dataclass
class Speaker:
    name: str | None = None  # a person, or an organisation or country speaking ("Le Japon a dit ...")
    role: str | None = None  # "porte-parole du Département d'État"
    pronoun: bool = False  # "il", "he", "-t-il", or an Italian/Spanish verb without subject
    organisation: bool = False
    phrase: str | None = None  # the words a role-only speaker was read from ("le chef du Kremlin")

    @property
    def known(self) -> bool:
        return bool(self.name)


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


# --- quotation marks ------------------------------------------------------------------


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


# --- names --------------------------------------------------------------------------

_TOKEN = re.compile(r"[\w’'.\-]+|,|:|;|\(|\)")
_ELIDED = re.compile(r"^(?:[ldn]|qu|dell|all|dall|nell|sull)['’]", re.I)
_KNOWN_PLACES = frozenset(ALIASES.values())


def _is_cap(token: str) -> bool:
    token = _ELIDED.sub("", token)
    return bool(token) and token[0].isupper() and not token.isdigit()


def _looks_like_org(words: list[str]) -> bool:
    folded = [fold_name(w) for w in words]
    if any(w in _ORG_WORDS for f in folded for w in f.split()):
        return True
    key = entity_key(" ".join(words))
    if key in _KNOWN_PLACES and key not in _PEOPLE_KEYS:
        return True
    return len(words) == 1 and words[0].isupper() and len(words[0]) > 1  # KCNA, ONU, NHK


_NAME_RUN = re.compile(
    r"(?<![\w’'-])[A-ZÀ-Ý][\w-]+(?:\s+(?:(?:de|da|di|del|van|von|la|le)\s+)?[A-ZÀ-Ý][\w-]+){1,3}(?![\w’'-])")
_PEOPLE_KEYS = frozenset({"putin", "zelensky", "xi jinping", "kim jong un", "biden", "trump", "macron", "pope"})
_TITLES = frozenset("""gov sen rep dr mr mrs ms prof m mme mlle sig dott sr sra hr fr st sgt capt cpt cpl lt col adm gen
    maj cmdr supt insp det const pres sec atty""".split())
_PREPOSITIONS = frozenset(
    """of for at from à au aux a al alla allo ai agli alle del della dello dei degli delle von vom zum zur am beim
    des der de du in en nel nella im sur su sul sulla on by par per""".split()
)


# Words that may follow a speaker's name in an inverted attribution ("a déclaré Poutine à la presse").
_FOLLOWERS = _PREPOSITIONS | frozenset(
    """peu juste just shortly soon later afterwards visiblement visibly visibilmente sichtlich visiblemente hier
    yesterday today aujourd'hui ieri oggi gestern heute ayer hoy also aussi encore again then alors ensuite dans lors
    durant pendant during while tandis when quand who qui che cui dont die der welche que quien after après dopo
    nach tras before avant prima vor antes ante outside inside devant davanti vor ante on sunday monday""".split()
)


def _is_title(word: str) -> bool:
    return word.rstrip(".").lower() in _TITLES


def _name_core(words: list[str], lang: str) -> list[str]:
    """The personal name at the end of a capitalised run: role words and titles cut off."""
    cut = 0
    for k, w in enumerate(words):
        if speech.is_role_word(w, lang) or _is_title(w):
            cut = k + 1
    core = [w for w in words[cut:] if w]
    while core and core[0].lower() in _NAME_PARTICLES and not (core[0][0].isupper() and core[0].lower() in _NAME_STARTERS):
        core = core[1:]
    while core and core[-1].lower() in _NAME_PARTICLES:
        core.pop()
    return core


_ORG_WORDS = frozenset(fold_name(w) for w in speech.ORG_WORDS)


def _org_word(word: str) -> bool:
    folded = fold_name(word)
    if any(w in _ORG_WORDS for w in folded.split()):
        return True
    # German compounds: "Bahngesellschaft", "Außenministerium", "Wetterbehörde".
    return len(folded) >= 8 and folded.endswith(speech.ORG_SUFFIXES_DE)


class NameBook:
    """The person names an article (or a story) writes, to validate and complete speakers."""

    def __init__(self, names: list[str], fallback: "NameBook | None" = None, lang: str = "", text: str = ""):
        self.full: list[str] = []
        # Full names written at a sentence start ("Simon Adler est arrivé"), which the entity
        # extractor leaves out: first name + surname, used when the entity list has no full form.
        self.scanned: list[str] = []
        for match in _NAME_RUN.finditer(text):
            words = _strip_determiners(_name_core(match.group(0).split(), lang))
            if len(words) == 2 and not _looks_like_org(words) and not any(_org_word(w) for w in words):
                self.scanned.append(" ".join(words))
        self.tokens: set[str] = set()
        self.solo: set[str] = set()  # surnames the text also writes alone ("Miller ha aggiunto")
        for name in names:
            words = _name_core(name.split(), lang)
            org_at = [k for k, w in enumerate(words) if _org_word(w)]
            if org_at:  # "Dipartimento di Stato Matthew Miller": the person after the organisation
                words = words[org_at[-1] + 1 :]
                while words and words[0].lower() in _NAME_PARTICLES:
                    words = words[1:]
                if len(words) < 2:
                    continue
            if not words or _looks_like_org(words):
                continue
            self.tokens.update(fold_name(w) for w in words)
            if len(words) == 1:
                self.solo.add(fold_name(words[0]))
            if 2 <= len(words) <= 4:
                self.full.append(" ".join(words))
        self.fallback = fallback
        self.lang = lang
        self.text = text
        self._people: dict | None = None

    def knows_each(self, words: list[str]) -> bool:
        """Every word is one the names are made of (German capitalises every noun: "der
        Kremlchef", "Waffen" are no names unless the article writes them in one)."""
        return all(fold_name(w) in self.tokens or (self.fallback is not None and fold_name(w) in self.fallback.tokens)
                   for w in words)

    def knows(self, words: list[str]) -> bool:
        """A single capitalised word is a name only if the article writes it as one (not "Cependant")."""
        if len(words) >= 2:
            return True
        return fold_name(words[0]) in self.tokens or (self.fallback is not None and self.fallback.knows(words))

    def is_solo(self, word: str) -> bool:
        return fold_name(word) in self.solo or (self.fallback is not None and self.fallback.is_solo(word))

    def complete(self, name: str) -> str:
        """The unambiguous full form of a surname written in the article ("Poutine" -> "Vladimir Poutine")."""
        words = name.split()
        if len(words) > 1 and not (words[0].lower() in _NAME_STARTERS):
            return name
        target = fold_name(words[-1])
        candidates = {}
        for full in self.full:
            full_words = full.split()
            if len(full_words) <= len(words):
                continue
            folded = [fold_name(w) for w in full_words]
            if folded[-1] == target or (entity_key(full) in _PEOPLE_KEYS and target in folded):
                if all(fold_name(w) in folded for w in words):
                    candidates[fold_name(full)] = full
        if not candidates:
            for full in self.scanned:
                if fold_name(full.split()[-1]) == target and fold_name(full) != fold_name(name):
                    candidates[fold_name(full)] = full
        if len(candidates) == 1:
            return next(iter(candidates.values()))
        if not candidates and self.fallback is not None:
            return self.fallback.complete(name)
        return name


def parse_speaker(phrase: str, lang: str, names: NameBook) -> Speaker | None:
    """Name and role in a noun phrase: "le porte-parole du Département d'État, Matthew Miller"."""
    phrase = phrase.strip(" ,;:–—-\u00a0")
    if not phrase:
        return None
    lowered = phrase.lower()
    all_pronouns = set().union(*speech.PRONOUNS.values())
    if lowered in speech.PRONOUNS.get(lang, all_pronouns) or lowered in {"lui-même", "elle-même"}:
        return Speaker(pronoun=True)
    if lowered in speech.NON_SPEAKERS:
        return None
    parts = [p.strip() for p in re.split(r"\s*[,(){}]\s*", phrase) if p.strip()]
    if len(parts) > 4 or len(phrase.split()) > 18:
        return None
    person: str | None = None
    role: str | None = None
    organisation: str | None = None
    for part in parts:
        found = _name_in_part(part, lang, names)
        if found is None:
            continue
        kind, value, part_role = found
        if kind == "ambiguous":
            return None
        if kind == "person":
            if person is None:
                person = value
                if part_role:
                    role = part_role
            elif role is None:
                role = " ".join(_strip_determiners(part.split()))  # "chef du groupe … Csis Korea"
        elif kind == "role" and role is None:
            role = value
        elif kind == "org" and organisation is None and len(parts) == 1:
            organisation = value
    if person:
        return Speaker(name=person, role=role)
    if organisation:
        return Speaker(name=organisation, organisation=True)
    if role:
        return Speaker(role=role, phrase=phrase)
    return None


_CAPITAL_DETERMINERS = {
    "fr": {"le", "la", "les", "l", "un", "une", "des"}, "en": {"the", "a", "an"},
    "it": {"il", "lo", "la", "i", "gli", "le", "un", "una", "uno"}, "de": {"der", "die", "das", "ein", "eine"},
    "es": {"el", "la", "los", "las", "un", "una"},
}


def _strip_determiners(words: list[str], lang: str = "") -> list[str]:
    while words:
        first = words[0]
        lowered = first.lower()
        if (first[:1].isupper() and lang in _CAPITAL_DETERMINERS and lowered in speech.DETERMINERS
                and lowered not in _CAPITAL_DETERMINERS[lang] and len(words) > 1 and _is_cap(words[1])):
            break  # "Los Angeles Mayor Karen Bass" in English: a name, not an article
        if _ELIDED.match(first):
            head = _ELIDED.sub("", first)
            words = ([head] if head else []) + words[1:]
            break
        if lowered in speech.LEADING_NOISE:
            words = words[1:]
            continue
        if lowered in speech.DETERMINERS and not (
            lowered in _NAME_STARTERS and first[0].isupper() and len(words) > 1
            and (_is_cap(words[1]) or words[1].lower() in _NAME_PARTICLES)
        ):
            words = words[1:]
            continue
        break
    return words


def _runs(words: list[str]) -> list[tuple[int, int]]:
    """Runs of capitalised words, particles allowed inside ("Luis de la Fuente")."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        starts_name = _is_cap(words[i]) or (
            i == 0 and words[i].lower() in _NAME_STARTERS and words[i][0].isupper() and len(words) > 1
        )
        if not starts_name:
            i += 1
            continue
        j = i + 1
        while j < len(words):
            if _is_cap(words[j]):
                j += 1
            elif words[j].lower() in _NAME_PARTICLES and j + 1 < len(words) and (
                _is_cap(words[j + 1])
                or (words[j + 1].lower() in _NAME_PARTICLES and j + 2 < len(words) and _is_cap(words[j + 2]))
            ):
                j += 1
            else:
                break
        runs.append((i, j))
        i = j
    return runs


def _name_in_part(part: str, lang: str, names: NameBook):
    """("person", name, role) / ("org", name, None) / ("role", role, None) / ("ambiguous", …) / None."""
    words = [w for w in _TOKEN.findall(part) if w not in ",:;()"]
    words = _strip_determiners(words, lang)
    if not words:
        return None
    runs = _runs(words)
    people = []
    for start, end in runs:
        run = words[start:end]
        core = _name_core(run, lang)
        if not core:
            continue
        core_start = end - len(core)
        before = words[core_start - 1].lower() if core_start > 0 else ""
        if before and _org_word(before):
            # "la compañía Nordtal", "the company CrowdStrike": an organisation speaking.
            if end == len(words):
                return ("org", " ".join(core), None)
            continue
        org_at = [k for k, w in enumerate(core) if _org_word(w)]
        if org_at or before in _PREPOSITIONS or before in speech.DETERMINERS:
            # "du Département d'État", "de la Maison Blanche": part of a role. "del Dipartimento di
            # Stato Matthew Miller" still ends with a person: accept the tail when the text also
            # writes that surname alone, else leave it (precision first).
            tail = core[org_at[-1] + 1 :] if org_at else (core[-2:] if len(core) >= 3 else [])
            while tail and tail[0].lower() in _NAME_PARTICLES:
                tail = tail[1:]
            if len(tail) >= 2 and len(tail) <= 3 and names.is_solo(tail[-1]) and not _looks_like_org(tail):
                core = tail
                core_start = end - len(tail)
            else:
                continue
        if _looks_like_org(core) or any(fold_name(w) in _TEMPORAL for w in core):
            continue
        if any(ch.isdigit() for w in core for ch in w) or len(core) > 5:
            continue
        if core[-1].endswith(("'s", "’s")):  # "Spain's coach": a place or a company, not the speaker
            continue
        if not names.knows(core):
            continue
        following = words[end] if end < len(words) else ""
        if len(core) == 1 and following[:1].islower() and following.lower() not in _FOLLOWERS:
            continue  # "the Indian statement", "Colts coach", "one Thai crew member": a modifier, not a person
        role = " ".join(words[:core_start]).strip() or None
        people.append((" ".join(core), role))
    if len(people) > 1:
        return ("ambiguous", None, None)
    if people:
        return ("person", people[0][0], people[0][1])
    if runs and runs[0] == (0, len(words)) and _looks_like_org(words):
        return ("org", " ".join(words), None)
    if any(speech.is_role_word(w, lang) for w in words[:4]) and (words[0][0].islower() or speech.is_role_word(words[0], lang)
                                                                   or _is_title(words[0])):
        role_words = []
        for w in words:
            if w.lower() in _STOP_ROLE and role_words:
                break
            role_words.append(w)
            if len(role_words) >= 10:
                break
        return ("role", " ".join(role_words), None)
    return None


# --- attribution ------------------------------------------------------------------------


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


_PLURAL_DETERMINERS = frozenset("les des aux ces los las unos unas gli degli dei delle agli".split())


def _person_names_in(text: str, names: NameBook, exclude: str | None) -> list[str]:
    excluded = set(fold_name(exclude).split()) if exclude else set()
    found = []
    # A run may hold one particle ("Corea del Nord", "Luis de la Fuente"), so that a place
    # named with one is read whole, and recognised as a place, not as two people.
    for match in re.finditer(r"[A-ZÀ-Ý][\w’'-]+(?:\s+(?:(?:de|del|della|di|du|des|da|do|dos|la|von|van|der)\s+){0,2}"
                             r"[A-ZÀ-Ý][\w’'-]+)*", text):
        words = match.group(0).split()
        words = _strip_determiners(words, names.lang)
        if not words or _looks_like_org(words) or not names.knows(words):
            continue
        if len(words) == 1 and words[0].isupper():
            continue  # "ROMA", "GIU", "ANSA": a dateline's capitals or an acronym, not a person
        if any(ALIASES.get(fold_name(w)) in NOT_PEOPLE for w in words) or ALIASES.get(fold_name(" ".join(words))) in NOT_PEOPLE:
            continue  # "Séoul", "the Kremlin", "Ukraine Waffen": a place or a body, not another speaker
        if names.lang == "de" and (not names.knows_each(words) or (len(words) == 1 and not names.is_solo(words[0]))):
            continue
        before = text[: match.start()].split()
        if len(words) == 1 and before and before[-1].lower() in _PLURAL_DETERMINERS:
            continue  # "les Occidentaux", "los Aliados": a group, not another speaker
        if set(fold_name(" ".join(words)).split()) & excluded:
            continue
        found.append(match.group(0))
    return found


# --- a role for a name: "le chef du Kremlin" ---------------------------------------------------

_GENITIVE = frozenset("de du des d of del della dello dei degli delle di der".split())
_ROLE_WINDOW = 700  # characters from the person's last mention to the role that stands for them


def _role_description(phrase: str, lang: str) -> tuple[str, list[str]] | None:
    """A definite singular leader role, as (head, qualifiers): "le chef du Kremlin" -> ("chef",
    ["kremlin"]), "il presidente russo" -> ("presidente", ["russo"]); None for anything else
    ("un porte-parole", "le chef de la diplomatie", "les experts")."""
    last = re.split(r"[,;:()]", phrase.strip(" ,;:"))[-1]
    words = re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", last)
    if not words:
        return None
    if words[0].lower() in speech.DEFINITE:
        words = words[1:]
    elif not (lang == "de" and speech.is_leader_role(words[0], lang)):  # "Kremlchef Putin" has a name anyway
        return None
    qualifiers: list[str] = []
    if words and not speech.is_role_word(words[0], lang) and words[0].lower() not in _PREPOSITIONS:
        qualifiers.append(words[0])  # "der russische Präsident", "the Russian president", "l'ancien président"
        words = words[1:]
    if not words or not speech.is_leader_role(words[0], lang):
        return None
    head, words = words[0].lower(), words[1:]
    if words and words[0].lower() in _GENITIVE:
        rest = words[1:]
        while rest and rest[0].lower() in speech.DETERMINERS:
            rest = rest[1:]
        if not rest or not _is_cap(rest[0]):
            return None  # "le chef de la diplomatie": a complement that makes it somebody else's role
        qualifiers.append(rest[0])
        words = rest[1:]
    elif (words and words[0][:1].islower() and words[0].lower() not in _PREPOSITIONS | _STOP_ROLE
          and not speech.is_role_word(words[0], lang) and len(words[0]) >= 4):
        qualifiers.append(words[0])  # "presidente russo", "mandatario ruso"
        words = words[1:]
    if words and words[0].lower() in _GENITIVE:
        return None
    if any(speech.is_role_word(w, lang) for w in qualifiers):
        return None
    return head, [fold_name(q) for q in qualifiers]


def _people_of(book: NameBook) -> dict:
    """The article's people, by folded surname: their full name and the roles written in
    apposition to it ("le président russe Vladimir Poutine", "El presidente ruso, Vladimir
    Putin,"), each as a set of folded words."""
    if book._people is not None:
        return book._people
    text = book.text
    people: dict[str, dict] = {}
    for full in dict.fromkeys(book.full):
        words = full.split()
        if any(len(w) > 1 and w.isupper() for w in words) or any(w.islower() for w in words):
            continue  # "Copyright ANSA", "Moscú y Pionyang", "Bleus de Didier Deschamps": no plain name
        if _looks_like_org(words) or any(_org_word(w) for w in words):
            continue
        entry = people.setdefault(fold_name(words[-1]), {"name": full, "linked": []})
        if len(words) > len(entry["name"].split()):
            entry["name"] = full
    for entry in people.values():
        for m in re.finditer(rf"(?<![\w-]){re.escape(entry['name'])}(?![\w-])", text):
            before = re.split(r"[.;:!?()\n]", text[max(0, m.start() - 80) : m.start()])[-1].rstrip()
            after = re.split(r"[.;:!?()\n]", text[m.end() : m.end() + 80])[0]
            if before.endswith(","):  # "El presidente ruso, Vladimir Putin": only the part before the comma
                before = before[:-1]
            around = re.split(r",", before)[-1].split()[-4:]
            if after.startswith(","):  # "Vladimir Putin, presidente ruso,"
                around += after.strip(" ,").split(",")[0].split()[:4]
            if any(speech.is_role_word(w, book.lang) for w in around):
                entry["linked"].append({fold_name(w) for w in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", " ".join(around))})
    book._people = people
    return people


def _prefix_in(word: str, words: set[str]) -> bool:
    return any(w[:4] == word[:4] for w in words if len(w) >= 4) if len(word) >= 4 else word in words


def _role_referent(phrase: str | None, lang: str, book: NameBook, position: int, last: dict | None) -> str | None:
    """The person a role-only subject stands for, or None.

    "le chef du Kremlin a fait valoir que …", "Lo ha detto il presidente russo", "Según el
    mandatario ruso, …": a definite leader role (never a spokesman, an adviser, a minister)
    is, like a pronoun, the last speaker (``last``: name, end) when no other person was named
    since, within a few sentences; or the one person the article links to that role by an
    apposition ("El presidente ruso, Vladimir Putin" for "el mandatario ruso"). It is nobody
    when the article gives the role to somebody else ("son homologue vietnamien To Lam" for
    "le président vietnamien"), or when the last speaker's own role is another one
    ("porte-parole du Département d'État" for "le président")."""
    if not phrase or not book.text:
        return None
    described = _role_description(phrase, lang)
    if described is None:
        return None
    head, qualifiers = described
    wanted = [fold_name(head)] + qualifiers
    people = _people_of(book)

    def fits(entry: dict) -> bool:  # linked to this very role: the head and every qualifier
        return any(all(_prefix_in(w, linked) for w in wanted) for linked in entry["linked"])

    def shares(entry: dict) -> bool:  # linked to a role with the head or a qualifier: "presidente ruso" ~ "mandatario ruso"
        return any(any(_prefix_in(w, linked) for w in wanted) for linked in entry["linked"])

    name = chosen = None
    if last is not None and last.get("name") and 0 <= position - last["end"] <= _ROLE_WINDOW:
        key = fold_name(last["name"].split()[-1])
        entry = people.get(key, {"name": last["name"], "linked": []})
        between = [n for n in _person_names_in(book.text[last["end"] : position], book, last["name"])
                   if len(n.split()) >= 2 or fold_name(n) in people]  # "Asia", "Hanoi" are nobody
        if not between and (not entry["linked"] or shares(entry)):
            name, chosen = last["name"], key
    if name is None and qualifiers:
        named_before = [k for k, e in people.items() if e["linked"] and book.text.find(e["name"]) < position]
        linked = [k for k in named_before if any(any(_prefix_in(q, l) for q in qualifiers) for l in people[k]["linked"])]
        if len(linked) != 1:
            return None
        name, chosen = people[linked[0]]["name"], linked[0]
    if name is None:
        return None
    if any(fits(e) for k, e in people.items() if k != chosen):
        return None  # the article gives this role to somebody else
    return name


# --- extraction ---------------------------------------------------------------------------


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


def _overlaps_quotes(paragraph: str, mention: QuoteMention, spans) -> bool:
    """A reported clause that contains a quotation is shown as that quotation instead."""
    at = paragraph.find(mention.text)
    if at < 0:
        return False
    end = at + len(mention.text)
    covered = sum(max(0, min(end, close) - max(at, open_)) for open_, close in spans)
    return covered >= 0.5 * (end - at)


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


def _quoted_share(sentence: str) -> float:
    spans = quote_spans(sentence)
    return sum(close - open_ for open_, close in spans) / max(1, len(sentence))


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
_THAT_AFTER = 6  # words allowed between the verb and "that": "said Friday that", "a affirmé jeudi au Vietnam que", "advirtió este jueves a Corea del Sur de que"


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
        body = sentence.rstrip(" .!?")
        verb = pats["verb"].search(body)
        # "Según el mandatario ruso, el acuerdo …", "Selon Jean Dupont, …": the source leads.
        lead = re.match(r"^(?:selon|d['’]après|according\s+to|secondo|según)\s+([^,;:]{3,80}?),\s*(.+)$", body, re.I)
        if lead is not None and (verb is None or verb.start() > lead.start(2)):
            verb = None
        elif verb is None:
            continue
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


# --- the same quote across articles -------------------------------------------------------


def quote_lemmas(text: str, lang: str) -> set[str]:
    return set(content_lemmas(text, lang))


def speakers_agree(a: str | None, b: str | None) -> bool:
    """One name is a form of the other ("Poutine", "Vladimir Putin"), in any language
    or script ("Wladimir Putin", "Владимир Путин": see ``same_person_across_spellings``)."""
    if not a or not b:
        return True
    ka, kb = set(entity_key(a).split()), set(entity_key(b).split())
    if ka & kb and (ka <= kb or kb <= ka or len(ka & kb) >= 2):
        return True
    return same_person_across_spellings(a, b)


def _skeletons(name: str) -> list[str]:
    return [k for k in (name_skeleton(word) for word in name.split()) if k]


def same_person_across_spellings(a: str, b: str) -> bool:
    """Two spellings of one person's name in other languages or scripts, by the
    consonant skeletons the clustering matches names with (``name_skeleton``): the
    family names (last words) agree, and so do the given names when both say one.

    A given name may lose its first letter to the skeleton ("Wladimir": w stands for a
    vowel in Arabic and Hebrew spellings and is dropped, so "ldmr" against "vldmr" for
    "Vladimir"): one given name's skeleton ending the other's is enough. Family names of
    under three consonants ("Li", "Ma") are too common to tell anyone apart."""
    first, second = _skeletons(a), _skeletons(b)
    if not first or not second or first[-1] != second[-1] or len(first[-1]) < 3:
        return False
    if len(first) == 1 or len(second) == 1:
        return True
    given_a, given_b = first[0], second[0]
    shorter, longer = sorted((given_a, given_b), key=len)
    return len(shorter) >= 2 and longer.endswith(shorter)


def one_name_per_person(quotes: list[dict], preferred_lang: str | None = None) -> None:
    """Show each person under one name across a story's quotes: the form its quotes use
    most in the reader's language, else anywhere (the longer form on a tie), with the
    other forms kept in ``speaker_variants``. Changes ``quotes`` in place."""
    forms: dict[str, dict[str, int]] = {}  # a form -> its counts, by language ("" for any)
    for quote in quotes:
        for version in quote["versions"]:
            name = version.get("speaker")
            if name:
                counts = forms.setdefault(name, {})
                counts[version["lang"]] = counts.get(version["lang"], 0) + 1
                counts[""] = counts.get("", 0) + 1
        if quote["speaker"] and quote["speaker"] not in forms:
            forms[quote["speaker"]] = {"": 1}
    people: list[list[str]] = []
    for name in sorted(forms, key=lambda n: (-forms[n][""], n)):
        for person in people:
            if all(speakers_agree(name, other) for other in person):
                person.append(name)
                break
        else:
            people.append([name])
    shown: dict[str, tuple[str, list[str]]] = {}
    for person in people:
        best = max(person, key=lambda n: (forms[n].get(preferred_lang or "", 0) if preferred_lang else 0,
                                          forms[n][""], len(n.split()), len(n), n))
        for name in person:
            shown[name] = (best, sorted(set(person) - {best}))
    for quote in quotes:
        if quote["speaker"] in shown:
            quote["speaker"], variants = shown[quote["speaker"]]
            if variants:
                quote["speaker_variants"] = variants


QUOTE_SIMILARITY = 0.72  # two quotes (any languages) saying the same words
QUOTE_SIMILARITY_SAME_SPEAKER = 0.6  # … when both name the same speaker (a translated quote scores about 0.6)
QUOTE_SIMILARITY_OTHER_SPEAKER = 0.85  # … when they name different speakers (then a speaker divergence)
QUOTE_CONTAINMENT = 0.6  # share of the shorter quote's lemmas found in the longer one (same language)


def _pieces(mention: QuoteMention) -> list[str]:
    pieces = [mention.text]
    for part in mention.parts:
        if part and part != mention.text:
            pieces.append(part)
    sentences = split_sentences(mention.text)
    if len(sentences) > 1:
        pieces.extend(sentences)
    return pieces


def merge_quotes(mentions: list[QuoteMention], embedder, order: dict[str, int] | None = None,
                 preferred_lang: str | None = None) -> tuple[list[dict], list[dict]]:
    """The same quote carried by several articles (in any languages), shown once with all its sources.

    Returns ``(quotes, speaker_divergences)``: a quote whose versions name different
    speakers is kept once and reported as a divergence.
    """
    if not mentions:
        return [], []
    order = order or {}
    pieces: list[str] = []
    owner: list[int] = []
    for index, mention in enumerate(mentions):
        for piece in _pieces(mention):
            pieces.append(piece)
            owner.append(index)
    vectors = np.asarray(embedder.embed(pieces), dtype=np.float32)
    owner_arr = np.asarray(owner)
    similarity = vectors @ vectors.T
    best = np.full((len(mentions), len(mentions)), -1.0, dtype=np.float32)
    for i in range(len(mentions)):
        rows = similarity[owner_arr == i]
        for j in range(len(mentions)):
            if i != j:
                best[i, j] = rows[:, owner_arr == j].max()
    lemmas = [quote_lemmas(m.text, m.lang) for m in mentions]

    parent = list(range(len(mentions)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i in range(len(mentions)):
        for j in range(i + 1, len(mentions)):
            a, b = mentions[i], mentions[j]
            if a.speaker and b.speaker:
                needed = QUOTE_SIMILARITY_SAME_SPEAKER if speakers_agree(a.speaker, b.speaker) else QUOTE_SIMILARITY_OTHER_SPEAKER
            else:
                needed = QUOTE_SIMILARITY
            same = best[i, j] >= needed
            if not same and a.lang == b.lang and lemmas[i] and lemmas[j]:
                shorter, longer = sorted((lemmas[i], lemmas[j]), key=len)
                same = len(shorter) >= 3 and len(shorter & longer) / len(shorter) >= QUOTE_CONTAINMENT
            if a.article_id == b.article_id and a.text != b.text:
                # Two different quotes of one article stay apart, except a quotation and the
                # reported clause around it, said by the same person: one statement.
                same = (a.kind != b.kind and speakers_agree(a.speaker, b.speaker) and a.speaker is not None
                        and (a.text in b.text or b.text in a.text))
            if same:
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(mentions)):
        groups.setdefault(find(i), []).append(i)

    quotes: list[dict] = []
    divergences: list[dict] = []
    for members in groups.values():
        versions = sorted((mentions[i] for i in members), key=lambda m: (order.get(m.article_id, 0), m.start))
        named = [m for m in versions if m.speaker]
        speakers: list[str] = []
        for m in named:
            if not any(speakers_agree(m.speaker, s) for s in speakers):
                speakers.append(m.speaker)
        if len(speakers) > 1:
            divergences.append({
                "kind": "speaker", "what": "speaker",
                "versions": [
                    {"value": s, "article_ids": sorted({m.article_id for m in named if speakers_agree(m.speaker, s)},
                                                      key=lambda a: order.get(a, 0)),
                     "statements": [{"article_id": m.article_id, "text": m.text} for m in named if speakers_agree(m.speaker, s)]}
                    for s in speakers
                ],
            })
            speaker = None  # disputed: shown without a speaker, the divergence says who is credited where
        else:
            speaker = max((m.speaker for m in named), key=lambda s: (len(s.split()), len(s)), default=None)
        # The role as the reader's language writes it when a version in it gives one.
        role = next((m.role for m in sorted(named, key=lambda m: m.lang != preferred_lang)
                     if m.role and speakers_agree(m.speaker, speaker)), None)
        if role is None and speaker is None:
            role = next((m.role for m in versions if m.role), None)
        # Shown: a version in the reader's language when there is one; the very words (a
        # quotation) before a paraphrase; a named speaker; the earliest source.
        pool = [m for m in versions if preferred_lang and m.lang == preferred_lang] or versions
        shown = max(pool, key=lambda m: (m.kind == "direct", bool(m.speaker), -order.get(m.article_id, 0), m.words))
        article_ids = list(dict.fromkeys(m.article_id for m in versions))
        quotes.append({
            "text": shown.text, "lang": shown.lang, "speaker": speaker, "role": role,
            "article_ids": article_ids, "kind": shown.kind,
            "versions": [m.to_json() for m in versions],
        })
    one_name_per_person(quotes, preferred_lang)
    quotes.sort(key=lambda q: (-len(q["article_ids"]), q["speaker"] is None,
                               min(order.get(a, 0) for a in q["article_ids"])))
    return quotes, divergences
