"""A role for a name: "le chef du Kremlin" stands for the person the article or the last
statement gives that role, when nobody else fits."""
from __future__ import annotations

import re

from ...analyze.entities import fold_name
from .. import speech
from .names import NameBook, _PREPOSITIONS, _STOP_ROLE, _is_cap, _looks_like_org, _org_word, _person_names_in


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
