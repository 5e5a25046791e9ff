"""Speakers' names: telling a person's name from a role, a title or an organisation, and the
names an article (or its story) writes, to validate and complete a speaker."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ...calendar_words import ABBREVIATIONS as MONTH_ABBREVIATIONS, MONTHS, WEEKDAYS
from ...analyze.aliases import ALIASES, KNOWN_KEYS, NOT_PEOPLE
from ...analyze.entities import entity_key, fold_name
from .. import speech


_PRONOUN_INVERSION = re.compile(r"-(?:t-)?(?:il|elle|on)\b", re.I)


_NAME_PARTICLES = frozenset("de du des la le van von der den di da del della dos das bin ibn al el y".split())


_NAME_STARTERS = frozenset("de van von di da del della dos das".split())  # "De la Fuente", "Van Gaal"


_STOP_ROLE = frozenset(
    """après lors avant pendant devant depuis dans sur après-midi after before during at in on to from dopo durante
    nach vor bei während tras durante ante à au aux al alla della dal nel en vor ce cet cette this that who qui
    che die das den dem""".split()
)


# Weekdays and months at the head of a sentence ("Lundi, Jean Dupont a dit") are no name.
_TEMPORAL = frozenset(fold_name(word) for word in (*WEEKDAYS, *(m for m in MONTHS if m not in MONTH_ABBREVIATIONS)))


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


_TOKEN = re.compile(r"[\w’'.\-]+|,|:|;|\(|\)")


_ELIDED = re.compile(r"^(?:[ldn]|qu|dell|all|dall|nell|sull)['’]", re.I)




def _is_cap(token: str) -> bool:
    token = _ELIDED.sub("", token)
    return bool(token) and token[0].isupper() and not token.isdigit()


def _looks_like_org(words: list[str]) -> bool:
    folded = [fold_name(w) for w in words]
    if any(w in _ORG_WORDS for f in folded for w in f.split()):
        return True
    key = entity_key(" ".join(words))
    if key in KNOWN_KEYS and key not in _PEOPLE_KEYS:
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
