"""The same quote across articles and languages, shown once with all its versions, and one
name per person across spellings and scripts."""
from __future__ import annotations

import numpy as np

from ...analyze.entities import entity_key
from ...analyze.scripts import name_skeleton
from ...analyze.sentences import split_sentences
from ...analyze.tokens import content_lemmas
from .reported import QuoteMention


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
    quotes: list[dict] = []
    divergences: list[dict] = []
    for members in _statements(mentions, embedder).values():
        quote, divergence = _entry([mentions[i] for i in members], order, preferred_lang)
        quotes.append(quote)
        if divergence is not None:
            divergences.append(divergence)
    one_name_per_person(quotes, preferred_lang)
    quotes.sort(key=lambda q: (-len(q["article_ids"]), q["speaker"] is None,
                               min(order.get(a, 0) for a in q["article_ids"])))
    return quotes, divergences


def _statements(mentions: list[QuoteMention], embedder) -> dict[int, list[int]]:
    """The mentions that tell one statement, by similarity of their pieces (any language),
    shared lemmas (one language), and the quotation inside its own reported clause."""
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

    return groups


def _entry(members: list[QuoteMention], order: dict[str, int], preferred_lang: str | None) -> tuple[dict, dict | None]:
    """One statement's entry of "Who said what", and a divergence when its versions name
    different speakers."""
    divergence = None
    versions = sorted(members, key=lambda m: (order.get(m.article_id, 0), m.start))
    named = [m for m in versions if m.speaker]
    speakers: list[str] = []
    for m in named:
        if not any(speakers_agree(m.speaker, s) for s in speakers):
            speakers.append(m.speaker)
    if len(speakers) > 1:
        divergence = {
            "kind": "speaker", "what": "speaker",
            "versions": [
                {"value": s, "article_ids": sorted({m.article_id for m in named if speakers_agree(m.speaker, s)},
                                                  key=lambda a: order.get(a, 0)),
                 "statements": [{"article_id": m.article_id, "text": m.text} for m in named if speakers_agree(m.speaker, s)]}
                for s in speakers
            ],
        }
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
    quote = {
        "text": shown.text, "lang": shown.lang, "speaker": speaker, "role": role,
        "article_ids": article_ids, "kind": shown.kind,
        "versions": [m.to_json() for m in versions],
    }
    return quote, divergence
