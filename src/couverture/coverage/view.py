"""A story's full coverage: the ``StoryView`` behind ``couverture show STORY`` and the web page."""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any


from . import sections
from .reader import language_label, reader_language
from .sources import estimate_label

# Bump when the view's content changes (or the default encoder does), so that views
# stored in databases and kept in memory are recomputed. 2: sources carry "estimated";
# 3: quotes show one name per person (speaker_variants); 4: written for a reader's
# language (lang, headline_lang, note; the summary in that language only); 5: quotes
# inside sentences and after pronouns found in more places, and grouped across languages;
# 6: facts aligned across languages from a lower bar, one sentence per article per fact.
VERSION = 6
DEFAULT_MODEL = "use-multilingual-v3"  # analyze.embed.USEEmbedder.name, without loading the encoder's module

SECTIONS = {"sources": sections.Source, "timeline": sections.TimelineEntry, "summary": sections.SummarySentence,
            "quotes": sections.Quote, "shared_facts": sections.SharedFact, "unique_facts": sections.SourceFacts,
            "divergences": sections.Divergence, "copies": sections.CopyLink}
JSON_KEYS = ("id", "headline", "lang", "headline_lang", "note", "sources", "timeline", "summary", "quotes", "shared_facts", "unique_facts",
             "divergences", "copies")


@dataclass
class StoryView:
    """Everything the outlets say about one story, side by side."""

    id: str
    headline: str
    lang: str | None = None  # the reader's language the view is written for
    headline_lang: str | None = None
    note: str | None = None  # e.g. that no source is in the reader's language
    sources: list[sections.Source] = field(default_factory=list)
    timeline: list[sections.TimelineEntry] = field(default_factory=list)
    summary: list[sections.SummarySentence] = field(default_factory=list)
    quotes: list[sections.Quote] = field(default_factory=list)
    shared_facts: list[sections.SharedFact] = field(default_factory=list)
    unique_facts: list[sections.SourceFacts] = field(default_factory=list)
    divergences: list[sections.Divergence] = field(default_factory=list)
    copies: list[sections.CopyLink] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Sections handed over in their JSON form (by the builders, or read back from
        # the database) become their records here, strictly: an unknown key is an error.
        for name, record in SECTIONS.items():
            setattr(self, name, sections.records(record, getattr(self, name)))

    def to_json(self) -> dict[str, Any]:
        """The one JSON form of a view: ``show --json``, the API and the stored views."""
        out: dict[str, Any] = {}
        for key in JSON_KEYS:
            value = getattr(self, key)
            out[key] = [item.to_json() for item in value] if key in SECTIONS else value
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "StoryView":
        """The view back from :meth:`to_json` (how views are stored in the database),
        each section checked against its record (``coverage.sections``): a stored view
        of another shape is an error, never a view with a section silently missing."""
        unknown = set(data) - set(JSON_KEYS)
        if unknown:
            raise ValueError(f"StoryView: unknown key(s) {sorted(unknown)}")
        return cls(**{key: data[key] for key in JSON_KEYS})


    def source(self, article_id: str) -> dict | None:
        return next((s for s in self.sources if s["article_id"] == article_id), None)


_views: "OrderedDict[tuple, StoryView]" = OrderedDict()
_views_lock = threading.Lock()
_embedders: dict = {}  # store URL -> coverage.cache.CachedEmbedder


def build_story_view(store, story_id: str, preferred_lang: str | None = None, embedder=None,
                     accept_language: str | None = None) -> StoryView:
    """The full coverage of one stored story (``story_id`` may be a prefix or a merged-away id),
    written for a reader of ``preferred_lang`` (checked: an unknown code raises
    ``UnknownLanguage``), else of the first language of ``accept_language`` (an HTTP
    header), else of the language most of its sources write in.

    Views are kept by the story's member articles and their texts (a story that gains an
    article, or whose article changed, is recomputed), in memory and in the store's database (table ``coverage_views``), so
    showing a story again, from any process, reads one row and loads no model. When
    one is computed, its sentence vectors come from the table ``coverage_cache`` where
    known: only a new article's sentences go through the encoder.
    """
    resolved = store.resolve_story_id(story_id) or story_id
    articles = store.story_articles(resolved)
    if not articles:
        raise KeyError(f"no story {story_id!r}")
    preferred_lang = reader_language(preferred_lang, [a.lang for a in articles], accept_language)
    members = _members_digest(articles)
    model = DEFAULT_MODEL if embedder is None else getattr(embedder, "name", type(embedder).__name__)
    stored_key = hashlib.sha1(json.dumps([resolved, members, preferred_lang, model, VERSION]).encode()).hexdigest()
    key = (store.url, stored_key)
    with _views_lock:
        if key in _views:
            _views.move_to_end(key)
            return _views[key]
    stored = store.load_view(stored_key)
    if stored is not None:
        view = StoryView.from_json(stored)
    else:
        view = _compute(store, resolved, articles, preferred_lang, embedder)
        store.save_view(stored_key, resolved, members, view.to_json())
    with _views_lock:
        _views[key] = view
        while len(_views) > 64:
            _views.popitem(last=False)
    return view


def _members_digest(articles) -> str:
    """What a stored view depends on: which articles, what they say (an article
    re-fetched under the same id with a new text makes the view stale too), and the
    names of their outlets (which the user may edit)."""
    digest = hashlib.sha1()
    for article in sorted(articles, key=lambda a: a.id):
        parts = (article.id, article.title, article.text, article.outlet or "")
        digest.update("\x00".join(parts).encode("utf-8", "surrogatepass"))
        digest.update(b"\x01")
    return digest.hexdigest()


_encoder = None
_encoder_lock = threading.Lock()


def _coverage_encoder():
    """The sentence encoder of coverage, one per process, on one BLAS thread.

    Two threads are faster only on an idle machine: the 819 sentences and clauses of a
    30-article story took 1.19 s with two threads at a quiet moment, but 8.0-9.6 s with
    one other busy process on the two cores, against 1.2-1.4 s with one thread
    (bench/RESULTS.md, issue 22). A page is computed while other work runs (an ingest,
    a watch), so coverage takes the steady one.
    """
    global _encoder
    with _encoder_lock:
        if _encoder is None:
            from ..analyze.embed import USEEmbedder

            _encoder = USEEmbedder(threads=1)
        return _encoder


def _compute(store, story_id: str, articles, preferred_lang: str | None, embedder) -> StoryView:
    from .cache import CachedEmbedder
    from .compute import compute_story_view

    cached = _embedders.get(store.url) if embedder is None else None
    if cached is None or cached.store is not store:
        cached = CachedEmbedder(embedder or _coverage_encoder(), store)
        if embedder is None:
            _embedders[store.url] = cached
    return compute_story_view(articles, story_id, store.story_headline(story_id), cached, preferred_lang)


# --- text ------------------------------------------------------------------------------


def _short(text: str, width: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_story_view(view: StoryView) -> str:
    """The coverage as plain text, one section per part (what ``couverture show`` prints)."""
    label = {s["article_id"]: f"[{i + 1}]" for i, s in enumerate(view.sources)}

    def cite(ids) -> str:
        return " ".join(label.get(a, a) for a in ids)

    def mark(item: dict) -> str:
        """"[it] " before an item in another language than the reader's."""
        lang = item.get("lang")
        return f"[{lang}] " if lang and view.lang and lang != view.lang else ""

    reader = f" · shown in {language_label(view.lang)} ({view.lang})" if view.lang else ""
    lines = [f"{mark({'lang': view.headline_lang})}{view.headline}", f"{view.id} · {len(view.sources)} articles · "
             f"{', '.join(sorted({s['lang'] for s in view.sources}))}{reader}"]
    if view.note:
        lines.append(f"Note: {view.note}")
    lines.append("")
    lines.append("Sources")
    for i, s in enumerate(view.sources):
        credit = f" ({', '.join(s['agencies'])})" if s["agencies"] else ""
        when = s["published"][:16].replace("T", " ") if s["published"] else \
            estimate_label(s.get("estimated")) or "undated"
        extra = ""
        if s["copy_of"]:
            extra = f" — copy of {label.get(s['copy_of'], s['copy_of'])}"
        elif s["translation_of"]:
            extra = f" — translation of {label.get(s['translation_of'], s['translation_of'])}"
        byline = f" · {s['byline']}" if s["byline"] else ""
        lines.append(f"  [{i + 1}] {when:<16}  {s['lang']}  {s['label']}{credit}{byline}{extra}")
        lines.append(f"       {_short(s['title'], 120)}  (id {s['article_id']})")
    if view.summary:
        lines += ["", "Summary"]
        for item in view.summary:
            lines.append(f"  • {mark(item)}{_short(item['text'], 300)} {cite(item['article_ids'])}")
    if view.timeline:
        lines += ["", "Timeline"]
        for entry in view.timeline:
            when = (entry["published"] or "undated")[:16].replace("T", " ")
            new = f" — first with {len(entry['first_reports'])} shared fact(s)" if entry["first_reports"] else ""
            lines.append(f"  {when:<16}  {label.get(entry['article_id'])} {entry['outlet']}{new}")
    if view.quotes:
        lines += ["", "Who said what"]
        for q in view.quotes:
            who = q["speaker"] or "(speaker unknown)"
            if q["role"]:
                who += f", {q['role']}"
            said = f"« {_short(q['text'], 220)} »" if q["kind"] == "direct" else f"(reported) {_short(q['text'], 220)}"
            lines.append(f"  {who}: {mark(q)}{said} {cite(q['article_ids'])}")
    if view.shared_facts:
        lines += ["", "Shared facts"]
        for fact in view.shared_facts:
            lines.append(f"  • {mark(fact)}{_short(fact['text'], 220)} {cite(fact['article_ids'])}")
    if view.unique_facts:
        lines += ["", "Only in one source"]
        for entry in view.unique_facts:
            if not entry["facts"]:
                continue
            lines.append(f"  {label.get(entry['article_id'])} {view.source(entry['article_id'])['label']}")
            for fact in entry["facts"]:
                detail = f"  [only here: {', '.join(fact['details'])}]" if fact["details"] else ""
                where = f" (in {label.get(fact['article_id'])})" if fact["article_id"] != entry["article_id"] else ""
                lines.append(f"    – {mark(fact)}{_short(fact['text'], 200)}{detail}{where}")
    if view.divergences:
        lines += ["", "Divergences"]
        for d in view.divergences:
            versions = "  vs  ".join(f"{v['value']} {cite(v['article_ids'])}" for v in d["versions"])
            lines.append(f"  {d['kind']} ({d['what']}): {versions}")
    if view.copies:
        lines += ["", "Copies and translations"]
        for c in view.copies:
            credit = f" (credit: {', '.join(c['agencies'])})" if c.get("agencies") else ""
            lines.append(f"  {label.get(c['article_id'])} is a {c['kind']} of {label.get(c['original_id'])}{credit}")
    return "\n".join(lines)


def view_json_text(view: StoryView) -> str:
    return json.dumps(view.to_json(), ensure_ascii=False, indent=2)
