"""Full coverage on the demo corpus: copies and translations found, divergences, and speed.

Each gold event of ``src/couverture/demo/articles.jsonl`` is taken as one story (the
gold label, so that clustering errors do not blur the coverage figures), and its
``StoryView`` is built twice: cold (every sentence embedded by the model) and warm
(vectors from the cache, as a web page gets them on a second visit).

Gold copies and translations are those listed in ``src/couverture/demo/README.md``.

Run: python bench/bench_coverage.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]

GOLD_LINKS = {
    ("copy", "demo-balt-en-2", "demo-balt-en-1"),
    ("copy", "demo-leone-it-2", "demo-leone-it-1"),
    ("copy", "demo-crowd-de-2", "demo-crowd-de-1"),
    ("translation", "demo-hualien-es-1", "demo-hualien-en-1"),
    ("translation", "demo-papa-de-1", "demo-papa-it-1"),
    ("translation", "demo-legis2-it-1", "demo-legis2-fr-1"),
}


def demo_events(analyzer, wanted=None) -> dict[str, list]:
    """The demo corpus as stored articles (analysed by ``analyzer``), by gold event, in
    publication order: each event taken as one story. ``wanted``: only these events."""
    from couverture.demo import demo_corpus_path
    from couverture.extract import extract_article
    from couverture.ingest import read_inputs
    from couverture.store.database import features_json

    articles = [extract_article(raw) for raw in read_inputs([str(demo_corpus_path())])]
    articles = [a for a in articles if wanted is None or a.extra.get("event") in wanted]
    features = analyzer.analyze_many(articles)
    stored = [
        SimpleNamespace(id=a.id, title=a.title, text=a.text, lang=a.lang, published=a.published, url=a.url,
                        outlet=a.outlet, byline=a.byline, agencies=a.agencies, origin=a.origin, extra=a.extra,
                        features=features_json(f))
        for a, f in zip(articles, features)
    ]
    events: dict[str, list] = {}
    for article in sorted(stored, key=lambda a: (a.published is None, a.published or 0)):
        events.setdefault(article.extra["event"], []).append(article)
    return events


def main() -> int:
    from couverture.analyze import Analyzer, default_embedder
    from couverture.coverage import compute_story_view
    from couverture.coverage.cache import CachedEmbedder
    stored_timing = store_timing()  # first, so that no sentence has been embedded yet in this process
    events = demo_events(Analyzer())

    embedder = CachedEmbedder(default_embedder())  # in memory only: cold, then warm
    cold = warm = 0.0
    found_links = set()
    lines = []
    for event, members in events.items():
        started = time.perf_counter()
        view = compute_story_view(members, event, embedder=embedder)
        cold += time.perf_counter() - started
        started = time.perf_counter()
        compute_story_view(members, event, embedder=embedder)
        warm += time.perf_counter() - started
        found_links |= {(c["kind"], c["article_id"], c["original_id"]) for c in view.copies}
        for d in view.divergences:
            versions = " vs ".join(f"{v['value']} ({', '.join(a.replace('demo-', '') for a in v['article_ids'])})"
                                   for v in d["versions"])
            lines.append(f"  {event}: {d['kind']} {d['what']}: {versions}")
        lines_quotes = sum(1 for q in view.quotes if q["speaker"])
        lines.append(f"  {event}: {len(view.shared_facts)} shared facts, {lines_quotes} quotes with a speaker")

    right = found_links & GOLD_LINKS
    print("$ python bench/bench_coverage.py")
    print(f"demo corpus: {sum(map(len, events.values()))} articles, {len(events)} gold stories")
    print(f"copies+translations: found {len(found_links)}, right {len(right)}, gold {len(GOLD_LINKS)} "
          f"(precision {len(right) / max(1, len(found_links)):.2f}, recall {len(right) / len(GOLD_LINKS):.2f})")
    for link in sorted(found_links - GOLD_LINKS):
        print(f"  wrong: {link}")
    for link in sorted(GOLD_LINKS - found_links):
        print(f"  missed: {link}")
    print("divergences and facts per story:")
    print("\n".join(lines))
    print(f"compute_story_view, {len(events)} gold stories: cold {cold:.1f}s (model embeds every sentence), "
          f"warm {warm:.2f}s (vectors in memory)")
    print(stored_timing)
    return 0


def store_timing() -> str:
    """build_story_view on a stored demo corpus: first visit, then vectors read from the database, then memory."""
    import tempfile

    from couverture.coverage import build_story_view
    from couverture.coverage import view as view_module
    from couverture.demo import demo_corpus_path
    from couverture.engine import ingest_paths
    from couverture.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "demo.db")
        ingest_paths(store, [str(demo_corpus_path())], progress=False)
        ids = [s.id for s in store.list_stories()]
        times = []
        for clear in (False, True, False):
            if clear:
                view_module._views.clear()
                view_module._embedders.clear()
            started = time.perf_counter()
            for story_id in ids:
                build_story_view(store, story_id)
            times.append(time.perf_counter() - started)
        store.close()
    per = [t / len(ids) for t in times]
    return (f"build_story_view on the stored demo corpus ({len(ids)} stories): first visit {per[0]:.2f}s/story, "
            f"vectors from the database {per[1]:.3f}s/story, view in memory {per[2] * 1000:.1f}ms/story")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
