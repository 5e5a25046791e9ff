"""Full coverage of the seed story: the canonical test case of issue 5.

The first seed (000) is a French AFP-credited article; the second (002) a French
machine translation of an Italian ANSA article. Expectations below come from
reading the two texts.
"""
from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, SEEDS
from couverture.coverage import StoryView, build_story_view
from couverture.engine import ingest_paths
from couverture.store import Store


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, analyzer):
    store = Store(tmp_path_factory.mktemp("coverage-seeds") / "seeds.db")
    report = ingest_paths(store, [SEEDS], analyzer=analyzer)
    assert report.added == 2 and len(set(report.story_of.values())) == 1
    (story_id,) = set(report.story_of.values())
    ids = {}
    for article in store.story_articles(story_id):
        ids["first" if "000_" in article.origin else "second"] = article.id
    yield store, story_id, ids
    store.close()


@pytest.fixture(scope="module")
def view(seeded) -> StoryView:
    store, story_id, _ = seeded
    return build_story_view(store, story_id)


def _quotes_with(view, fragment, kind="direct"):
    return [q for q in view.quotes if fragment.lower() in q["text"].lower() and q["kind"] == kind]


# --- the JSON shape -------------------------------------------------------------------


def test_json_has_exactly_the_documented_top_level_keys(view, seeded):
    data = view.to_json()
    assert set(data) == {"id", "headline", "lang", "headline_lang", "note", "sources", "timeline", "summary",
                         "quotes", "shared_facts", "unique_facts", "divergences", "copies"}
    assert data["id"] == seeded[1]
    json.loads(json.dumps(data, ensure_ascii=False))  # plain JSON, nothing exotic


def test_a_story_id_prefix_is_enough(seeded):
    store, story_id, _ = seeded
    assert build_story_view(store, story_id[:6]).id == story_id


# --- who said what ----------------------------------------------------------------------


def test_putins_quote_is_shown_once_with_both_sources(view, seeded):
    ids = seeded[2]
    matches = _quotes_with(view, "nous nous réservons le droit de fournir des armes")
    assert len(matches) == 1
    (quote,) = matches
    assert quote["speaker"] == "Vladimir Poutine"
    assert "je n’exclus pas cette possibilité" in quote["text"]
    assert set(quote["article_ids"]) == {ids["first"], ids["second"]}
    assert {v["article_id"] for v in quote["versions"]} == {ids["first"], ids["second"]}


def test_state_department_spokesman_with_his_role(view, seeded):
    (quote,) = _quotes_with(view, "Cela pourrait potentiellement déstabiliser la péninsule coréenne")
    assert quote["speaker"] == "Matthew Miller"
    assert quote["role"] == "porte-parole du Département d’État"
    assert quote["article_ids"] == [seeded[2]["first"]]
    # The partial quote just before it is the United States' reaction, not Miller's words.
    (partial,) = [q for q in view.quotes if q["text"] == "déstabiliser la péninsule coréenne"]
    assert partial["speaker"] == "États-Unis"


def test_argumenta_t_il_goes_to_the_previous_speaker(view):
    (quote,) = _quotes_with(view, "violer les résolutions du Conseil de sécurité")
    assert quote["speaker"] == "Matthew Miller"


def test_kirby_cha_and_chang_ho_jin(view, seeded):
    second = seeded[2]["second"]
    (kirby,) = _quotes_with(view, "signe de désespoir de la Russie")
    assert kirby["speaker"] == "John Kirby" and kirby["article_ids"] == [second]
    assert "Maison Blanche" in kirby["role"]
    (cha,) = _quotes_with(view, "l’union impie Poutine-Kim")
    assert cha["speaker"] == "Victor Cha"
    # "a noté que …": the reported speech around the quotation is the same statement, one entry.
    (paraphrase,) = [v for v in cha["versions"] if "plus grandes menaces pour la sécurité nationale" in v["text"]]
    assert paraphrase["kind"] == "reported" and paraphrase["speaker"] == "Victor Cha"
    (chang,) = _quotes_with(view, "reconsidérer la question du soutien en armements à l’Ukraine")
    assert chang["speaker"] == "Chang Ho-jin"
    assert chang["role"] == "conseiller à la sécurité nationale"


def test_every_speaker_given_is_the_right_one(view):
    # Precision first: each quote that has a speaker has the one the text gives it.
    expected = {
        "nous nous réservons le droit": "Vladimir Poutine",
        "extrêmement préoccupant": "États-Unis",
        "C’est extrêmement inquiétant": "Matthew Miller",
        "déstabiliser la péninsule": "États-Unis",
        "Une autre chose que Moscou": "Vladimir Poutine",  # reported speech: "…, a ajouté Poutine"
        "représente l’une des plus grandes menaces": "Victor Cha",  # reported speech: "a noté que"
        "violer les résolutions": "Matthew Miller",
        "sérieusement préoccupé": "Japon",
        "y travaillent": "Vladimir Poutine",
        "abaissement du seuil": "Vladimir Poutine",
        "fournir des armes": "Vladimir Poutine",  # "Vladimir Poutine a menacé jeudi, …, de « fournir des armes »"
        "erreur très grave": "Vladimir Poutine",  # "…, tout en assurant que … constituerait un « erreur très grave »"
        "une affaire entre ces deux pays": "Lin Jian",
        "pas de commentaire": "Lin Jian",
        "reconsidérer la question": "Chang Ho-jin",
        "signe de désespoir": "John Kirby",
        "amis dans le monde": "John Kirby",
        "l’union impie": "Victor Cha",
    }
    for quote in view.quotes:
        if quote["speaker"] is None:
            continue
        keys = [k for k in expected if k in quote["text"]]
        assert keys, f"unexpected attributed quote: {quote['text']!r} -> {quote['speaker']}"
        assert quote["speaker"] == expected[keys[0]], quote["text"]


def test_the_ambiguous_pronoun_is_left_unresolved(view):
    # « Une décision qui serait une “erreur”, a-t-il déclaré à Poutine » names Poutine next to the
    # pronoun: it must not be credited to the previous speaker (Chang Ho-jin).
    assert not any(q["text"] == "erreur" for q in view.quotes)
    (treaty,) = _quotes_with(view, "ne pas participer à des actes")
    assert treaty["speaker"] is None


# --- shared and unique facts -----------------------------------------------------------------


def _statements(fact, article_id):
    return [s["text"] for s in fact["statements"] if s["article_id"] == article_id]


def test_shared_facts_include_the_threat_from_vietnam_and_the_pact(view, seeded):
    first, second = seeded[2]["first"], seeded[2]["second"]
    threat = [f for f in view.shared_facts
              if any("menacé jeudi" in t for t in _statements(f, first)) and _statements(f, second)]
    assert threat, "Putin's threat from Vietnam is carried by both articles"
    assert any("Hanoï" in t or "fournir à la Corée du Nord" in t for t in _statements(threat[0], second))
    pact = [f for f in view.shared_facts
            if any("assistance mutuelle" in t for t in _statements(f, first))
            and any("partenariat stratégique global" in t or "assistance militaire mutuelle" in t
                    for t in _statements(f, second))]
    assert pact, "the mutual-assistance pact is carried by both articles"
    for fact in view.shared_facts:
        assert set(fact["article_ids"]) == {first, second} and fact["sources"] == 2


def _unique_of(view, article_id):
    (entry,) = [u for u in view.unique_facts if u["article_id"] == article_id]
    return entry["facts"]


def test_unique_to_the_first_article(view, seeded):
    texts = [f["text"] for f in _unique_of(view, seeded[2]["first"])]
    assert any("Matthew Miller" in t for t in texts)  # the State Department's reaction
    assert any("Japon" in t and "Union européenne" in t for t in texts)  # Japan's concern, EU sanctions
    whole = [f["text"] for f in _unique_of(view, seeded[2]["first"]) if not f["details"]]
    assert not any("menacé jeudi" in t for t in whole)  # shared, not unique


def test_unique_to_the_second_article(view, seeded):
    facts = _unique_of(view, seeded[2]["second"])
    texts = [f["text"] for f in facts]
    assert any("doctrine nucléaire" in t for t in texts)
    assert any("Chine" in t and "Lin Jian" in t for t in texts)
    assert any("l’article 4" in t for t in texts)
    assert any("l’article 16" in t for t in texts)
    assert any("reconsidérer la question du soutien en armements à l’Ukraine" in t for t in texts)
    article_4 = next(f for f in facts if "l’article 4" in f["text"])
    assert article_4["details"] == [] or "article 4" in article_4["details"]
    whole = [f["text"] for f in facts if not f["details"]]
    assert not any("je n’exclus pas cette possibilité" in t for t in whole)


# --- divergences, copies, sources, timeline, summary --------------------------------------


def test_article_numbers_are_not_tolls(view):
    # "l'article 4", "23 articles", "l'article 16" and "le 5 juin" are in the second article only,
    # and none of them is a figure the first article disagrees with.
    assert [d for d in view.divergences if d["kind"] == "number"] == []


def test_no_copy_or_translation_between_the_seeds(view):
    assert view.copies == []
    assert all(s["copy_of"] is None and s["translation_of"] is None for s in view.sources)


def test_sources_keep_byline_and_agency_credits(view, seeded):
    first = view.source(seeded[2]["first"])
    second = view.source(seeded[2]["second"])
    assert first["byline"] == "Antoine LLORCA avec l’AFP" and first["agencies"] == ["AFP"]
    assert second["agencies"] == ["ANSA"] and second["byline"] is None
    assert first["lang"] == second["lang"] == "fr"
    # No URL and no source name: the outlet is unknown; the agencies are credits, never the outlet.
    assert first["outlet"] is None and second["outlet"] is None
    assert first["label"] == second["label"] == "outlet unknown"


def test_timeline_lists_each_shared_fact_once_at_its_first_appearance(view, seeded):
    assert [e["article_id"] for e in view.timeline] == [s["article_id"] for s in view.sources]
    firsts = [r["fact"] for e in view.timeline for r in e["first_reports"]]
    assert sorted(firsts) == sorted(f["id"] for f in view.shared_facts)


def test_summary_is_short_extractive_cited_and_without_near_duplicates(view, seeded, analyzer):
    assert 3 <= len(view.summary) <= 5
    sentences = {a.id: a.features["sentences"] for a in seeded[0].story_articles(seeded[1])}
    for item in view.summary:
        assert item["text"] in sentences[item["article_id"]]
        assert item["article_id"] in item["article_ids"]
    assert any(len(item["article_ids"]) == 2 for item in view.summary)
    vectors = analyzer.embedder.embed([item["text"] for item in view.summary])
    similarity = vectors @ vectors.T
    assert (similarity[~__import__("numpy").eye(len(vectors), dtype=bool)] < 0.7).all()


# --- speed: sentence vectors are cached in the database ---------------------------------------


class _RefusingEmbedder:
    name = "use-multilingual-v3"  # the same model name: the cached vectors apply
    dim = 512

    def embed(self, texts):
        raise AssertionError(f"the model was asked for {len(texts)} texts; all should come from the cache")


def _forget(store, table=None):
    """As a new process finds the store: no view in memory, and ``table`` emptied."""
    from couverture.coverage import view as view_module

    view_module._views.clear()
    view_module._embedders.clear()
    if table is not None:
        with store.engine.begin() as conn:
            conn.execute(table.delete())


def test_second_build_reads_vectors_from_the_database(seeded, view):
    from couverture.store.schema import coverage_views

    store, story_id, _ = seeded
    build_story_view(store, story_id)  # the view's vectors are in the database (the fixture may have been cached)
    _forget(store, coverage_views)  # no stored view: it is computed again, from stored vectors
    again = build_story_view(store, story_id, embedder=_RefusingEmbedder())
    assert again.to_json() == view.to_json()


def test_an_unchanged_story_is_shown_from_its_stored_view(seeded, view):
    from couverture.coverage import format_story_view
    from couverture.store.schema import coverage_cache

    store, story_id, _ = seeded
    build_story_view(store, story_id)
    _forget(store, coverage_cache)  # no vector left: only the stored view can answer without the model
    again = build_story_view(store, story_id, embedder=_RefusingEmbedder())
    assert again.to_json() == view.to_json()
    assert format_story_view(again) == format_story_view(view)


def test_a_story_that_gains_an_article_is_computed_again(analyzer, tmp_path):
    """The stored view is keyed by the story's members: a new member makes it stale, and
    the stale row goes when the new view is stored."""
    from couverture.store.schema import coverage_views

    store = Store(tmp_path / "grows.db")
    ingest_paths(store, [SEEDS, FIXTURES / "unrelated_fr.txt"], analyzer=analyzer)
    sizes = {s.id: s.size for s in store.list_stories()}
    assert sorted(sizes.values()) == [1, 2]
    seeds_story = next(sid for sid, size in sizes.items() if size == 2)
    (other,) = [a.id for sid, size in sizes.items() if size == 1 for a in store.story_articles(sid)]
    assert len(build_story_view(store, seeds_story).sources) == 2
    store.write_batch([], [], {}, {}, moves={other: seeds_story})  # as a regroup would move it
    _forget(store)
    grown = build_story_view(store, seeds_story)
    assert len(grown.sources) == 3 and other in {s["article_id"] for s in grown.sources}
    with store.engine.connect() as conn:
        assert len(conn.execute(coverage_views.select().where(coverage_views.c.story_id == seeds_story)).all()) == 1
    store.close()


def test_stored_views_are_keyed_by_the_model_that_computes_them():
    """view.DEFAULT_MODEL names the encoder without importing it; they must agree, or a
    view computed by one model would be served for another."""
    from couverture.analyze.embed import USEEmbedder
    from couverture.coverage import view as view_module

    assert view_module.DEFAULT_MODEL == USEEmbedder.name == view_module._coverage_encoder().name
    assert view_module._coverage_encoder().threads == 1


def test_a_story_whose_article_text_changed_is_computed_again(analyzer, tmp_path):
    """Same members, new text (a page re-fetched under the same id): the stored view is stale."""
    from couverture.store.schema import articles as articles_table

    store = Store(tmp_path / "edited.db")
    ingest_paths(store, [SEEDS], analyzer=analyzer)
    (story,) = store.list_stories()
    first = build_story_view(store, story.id)
    edited = store.story_articles(story.id)[0]
    with store.engine.begin() as conn:
        conn.execute(articles_table.update().where(articles_table.c.id == edited.id)
                     .values(title=edited.title + " (mis à jour)"))
    _forget(store)
    again = build_story_view(store, story.id)
    assert first.source(edited.id)["title"] != again.source(edited.id)["title"]
    assert again.source(edited.id)["title"].endswith("(mis à jour)")
    store.close()
