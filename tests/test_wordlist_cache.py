"""simplemma's word lists read from the cache give the lemmas simplemma gives.

``analyze.wordlist_cache`` keeps each language's decoded word list and its index on
disk (the first `show` of a story and every ingest decoded them again: 0.1 s for
English, 0.57 s for German). What must hold: the same lemma for every word, whether the
list was decoded from the package or read from the cache; a damaged cache is not used
(and is written again); ``COUVERTURE_CACHE_DIR=off`` writes nothing.
"""
from __future__ import annotations

import json

import pytest
import simplemma

from conftest import DATA
from couverture.analyze import wordlist_cache
from couverture.analyze.tokens import tokenize


def test_the_declared_simplemma_has_the_reader_this_cache_keeps():
    # pyproject asks for simplemma 2.x; were its reader to change, the cache would
    # quietly stop applying (lemmas unchanged, starts slow again): this says so.
    assert wordlist_cache._USABLE


@pytest.fixture(scope="module")
def words() -> dict[str, list[str]]:
    """Real words of multinews_dev in four languages that simplemma lemmatises."""
    out: dict[str, set[str]] = {"en": set(), "de": set(), "fr": set(), "pt": set()}
    with open(DATA / "multinews_dev" / "stories.jsonl", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row.get("lang") in out:
                out[row["lang"]].update(w.lower() for w in tokenize(row["text"]))
    return {lang: sorted(found)[:3000] for lang, found in out.items()}


def expected(words):
    return {lang: [simplemma.lemmatize(w, lang=lang, low_memory=True) for w in ws] for lang, ws in words.items()}


def lemmas_with(words):
    lemmatize = wordlist_cache.make_lemmatize()
    return {lang: [lemmatize(w, lang) for w in ws] for lang, ws in words.items()}


def test_lemmas_from_the_cache_are_simplemma_s(tmp_path, monkeypatch, words):
    monkeypatch.setenv("COUVERTURE_CACHE_DIR", str(tmp_path))
    truth = expected(words)
    assert all(len(ws) > 200 for ws in words.values())
    assert lemmas_with(words) == truth  # decoded from the package, then kept
    folder = wordlist_cache._folder()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{lang}.{suffix}" for lang in words for suffix in ("data", "index", "json"))
    assert wordlist_cache._load(folder, "de") is not None
    assert lemmas_with(words) == truth  # read from the cache


def test_a_damaged_cache_is_not_used_and_is_written_again(tmp_path, monkeypatch, words):
    monkeypatch.setenv("COUVERTURE_CACHE_DIR", str(tmp_path))
    truth = expected(words)
    lemmas_with(words)
    folder = wordlist_cache._folder()
    data = (folder / "en.data").read_bytes()
    # Swap two bytes in the middle of the list: still a list, with other words in it.
    middle = len(data) // 2
    damaged = data[:middle] + data[middle + 1:middle + 2] + data[middle:middle + 1] + data[middle + 2:]
    assert damaged != data
    (folder / "en.data").write_bytes(damaged)
    assert wordlist_cache._load(folder, "en") is None
    (folder / "fr.index").write_bytes(b"\x00" * 10)
    assert wordlist_cache._load(folder, "fr") is None
    assert lemmas_with(words) == truth
    assert (folder / "en.data").read_bytes() == data
    assert wordlist_cache._load(folder, "fr") is not None


def test_caching_turned_off_writes_nothing(tmp_path, monkeypatch, words):
    monkeypatch.setenv("COUVERTURE_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    assert wordlist_cache._folder() is None
    assert lemmas_with({"en": words["en"][:300]}) == expected({"en": words["en"][:300]})
    assert list(tmp_path.iterdir()) == []
