"""Full-text search (store/search.py): the FTS5 index stays in sync, and the LIKE fallback agrees."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from conftest import FIXTURES, SEEDS
from couverture.engine import ingest_documents
from couverture.ingest import read_inputs
from couverture.models import RawDocument
from couverture.store import Store
from couverture.store.schema import articles
from couverture.store.search import (
    FTS_TABLE, create_search_index, fts_expression, has_search_index, query_words, search_articles, snippet_html,
)


@pytest.fixture
def filled(store, analyzer):
    report = ingest_documents(store, read_inputs([str(SEEDS), str(FIXTURES / "unrelated_fr.txt")]), analyzer=analyzer)
    assert report.added == 3
    return store


def _ids(store, query, **kwargs):
    hits, total = search_articles(store.engine, query, **kwargs)
    assert total >= len(hits)
    return [h.article_id for h in hits], total


def _drop_index(store):
    with store.engine.begin() as conn:
        for suffix in ("after_insert", "after_delete", "after_update"):
            conn.execute(text(f"DROP TRIGGER {FTS_TABLE}_{suffix}"))
        conn.execute(text(f"DROP TABLE {FTS_TABLE}"))


def test_every_stored_article_is_indexed_and_found(filled):
    with filled.engine.connect() as conn:
        assert has_search_index(conn)
        indexed = conn.execute(text(f"SELECT count(*) FROM {FTS_TABLE}")).scalar_one()
    assert indexed == filled.count_articles() == 3
    ids, total = _ids(filled, "Poutine")
    assert total == 2 and all(filled.get_article(i).title.startswith("Poutine") for i in ids)
    assert _ids(filled, "Pogacar")[1] == 1
    assert _ids(filled, "Pogacar Poutine")[1] == 0  # every word must occur


def test_case_accents_and_prefixes(filled):
    assert _ids(filled, "COREE")[1] == _ids(filled, "Corée")[1] == 2
    assert _ids(filled, "slovene")[1] == 1  # "Slovène"
    assert _ids(filled, "missil")[1] == 2  # a prefix of "missiles"


def test_query_syntax_is_never_interpreted():
    assert query_words('title:"Poutine" OR NEAR(Kim*, 2) -x') == ["title", "Poutine", "OR", "NEAR", "Kim", "2", "x"]
    assert fts_expression(["a\"b"]) == '"a""b"*'
    assert query_words("   ¿?!  ") == []


def test_index_follows_inserts_updates_and_deletes(filled, analyzer):
    ingest_documents(filled, [RawDocument(origin="mem", kind="record", content={
        "id": "late-1", "title": "Zanzibar ferry resumes service",
        "text": "The ferry between Dar es Salaam and Zanzibar resumed its crossings on Monday after repairs.",
        "lang": "en"})], analyzer=analyzer)
    assert _ids(filled, "Zanzibar")[0] == ["late-1"]
    with filled.engine.begin() as conn:
        conn.execute(articles.update().where(articles.c.id == "late-1").values(title="Pemba ferry", text="Pemba island news."))
    assert _ids(filled, "Zanzibar")[1] == 0 and _ids(filled, "Pemba")[0] == ["late-1"]
    with filled.engine.begin() as conn:
        conn.execute(articles.delete().where(articles.c.id == "late-1"))
    assert _ids(filled, "Pemba")[1] == 0


def test_a_database_from_before_the_index_gets_it_on_open(filled, db_path):
    _drop_index(filled)
    with filled.engine.connect() as conn:
        assert not has_search_index(conn)
    filled.close()
    reopened = Store(db_path)  # runs the migrations, which build the index from what is stored
    try:
        assert _ids(reopened, "Poutine")[1] == 2
        with reopened.engine.begin() as conn:
            create_search_index(conn, "sqlite")  # idempotent: nothing indexed twice
            assert conn.execute(text(f"SELECT count(*) FROM {FTS_TABLE}")).scalar_one() == 3
    finally:
        reopened.close()


def test_substring_fallback_gives_the_same_answers_for_whole_words(filled):
    expected = {q: sorted(_ids(filled, q)[0]) for q in ("Poutine", "Corée du Nord", "Pogacar", "Kim armes")}
    _drop_index(filled)
    for query, ids in expected.items():
        assert sorted(_ids(filled, query)[0]) == ids, query
    hits, _ = search_articles(filled.engine, "Pogacar")
    assert "<mark>Pogacar</mark>" in snippet_html(hits[0].snippet)


def test_search_filters_with_a_where_clause(filled):
    assert _ids(filled, "Poutine", where=articles.c.lang == "fr")[1] == 2
    assert _ids(filled, "Poutine", where=articles.c.lang == "en")[1] == 0
    first, total = _ids(filled, "Poutine", limit=1)
    second, _ = _ids(filled, "Poutine", limit=1, offset=1)
    assert total == 2 and len(first) == len(second) == 1 and first != second


def test_snippets_are_escaped_with_well_formed_marks():
    html = str(snippet_html("<b>x</b> \x02Poutine\x03 & \x03stray\x02 \x02<i>\x03"))
    assert html == "&lt;b&gt;x&lt;/b&gt; <mark>Poutine</mark> &amp; stray <mark>&lt;i&gt;</mark>"
