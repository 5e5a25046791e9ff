"""The story page's coverage sections, when ``couverture.coverage`` is installed.

The coverage stage (summary with citations, quotes by speaker, shared and unique
facts, divergences, copies and translations) is built separately from the web
page. This module is the seam between them: it imports ``couverture.coverage`` if
it exists, asks it for the story's view, and turns whatever it returns into the
plain shapes the templates draw. Each section is optional: a missing or empty part
is simply not rendered, and a failure inside the coverage stage is logged and the
page is served without those sections rather than failing.

Accepted shapes (objects or dicts; the first name found wins):

- the entry point: ``story_view``, ``build_story_view``, ``build_view`` or
  ``view_story`` in ``couverture.coverage``, called with any of the parameters
  ``store``, ``story_id``, ``articles`` (``StoredArticle`` list) it declares;
- ``summary``: a string, or a list of sentences (strings, or ``text`` with
  ``citations``/``sources``/``article_ids``), or an object with ``sentences``;
- ``quotes``: a mapping speaker -> quotes, or a list of quotes with ``speaker``
  (and ``role``, ``kind``) and ``text``/``quote`` and ``article_id``/``article_ids``;
- ``shared_facts``: facts (strings, or ``text`` with article ids);
- ``unique_facts``: a mapping article id -> facts, a list of ``{article_id, facts}``
  (each fact with ``text`` and optional ``details``), or a list of facts each with
  its article id;
- ``divergences``: items with ``text``/``topic``/``description`` or ``what``/``kind``,
  and optional ``variants``/``versions`` (each ``text`` or ``value`` with article ids);
- ``copies``: items with ``article_id``, ``of``/``original_id``/``source_id``
  and ``kind`` (``copy`` or ``translation``).
"""
from __future__ import annotations

import dataclasses
import importlib
import inspect
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

ENTRY_POINTS = ("story_view", "build_story_view", "build_view", "view_story")


@dataclass
class Cited:
    text: str
    article_ids: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # e.g. what only this source says
    kind: str | None = None  # for quotes: "direct" or "reported"
    lang: str | None = None


@dataclass
class SpeakerQuotes:
    speaker: str
    quotes: list[Cited]
    role: str | None = None


@dataclass
class Divergence:
    text: str
    variants: list[Cited] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)


@dataclass
class CopyLink:
    article_id: str
    original_id: str | None
    kind: str  # "copy", "translation", ...
    score: float | None = None


@dataclass
class CoverageSections:
    summary: list[Cited] = field(default_factory=list)
    quotes: list[SpeakerQuotes] = field(default_factory=list)
    shared_facts: list[Cited] = field(default_factory=list)
    unique_facts: list[tuple[str, list[Cited]]] = field(default_factory=list)  # (article id, facts)
    divergences: list[Divergence] = field(default_factory=list)
    copies: list[CopyLink] = field(default_factory=list)
    lang: str | None = None  # the reader's language the view is written for
    headline: str | None = None  # in the reader's language when a source writes in it
    headline_lang: str | None = None
    note: str | None = None  # e.g. that no source is in the reader's language
    raw: object = None  # what the coverage stage returned, for the API

    @property
    def empty(self) -> bool:
        return not any((self.summary, self.quotes, self.shared_facts, self.unique_facts, self.divergences, self.copies))


def coverage_module():
    try:
        return importlib.import_module("couverture.coverage")
    except ImportError:
        return None


def story_coverage(store, story_id: str, load_articles, lang: str | None = None,
                   accept_language: str | None = None) -> CoverageSections | None:
    """The coverage sections of a story, or None when there is no coverage stage (or it failed).

    ``lang`` is the reader's language asked for (checked by the caller); without it the
    coverage stage picks one from ``accept_language`` (the request's header) or the sources.
    """
    module = coverage_module()
    if module is None:
        return None
    entry = next((getattr(module, name) for name in ENTRY_POINTS if callable(getattr(module, name, None))), None)
    if entry is None:
        log.warning("couverture.coverage has none of %s; coverage sections not shown", ", ".join(ENTRY_POINTS))
        return None
    try:
        view = _call(entry, store, story_id, load_articles, lang, accept_language)
        if view is None:
            return None
        return normalise(view)
    except Exception:  # the page must not fail because one section could not be computed
        log.exception("coverage of story %s failed; serving the page without it", story_id)
        return None


def _call(entry, store, story_id, load_articles, lang=None, accept_language=None):
    available = {"store": lambda: store, "story_id": lambda: story_id, "articles": load_articles,
                 "preferred_lang": lambda: lang, "accept_language": lambda: accept_language}
    kwargs = {}
    for name, parameter in inspect.signature(entry).parameters.items():
        if name in available:
            kwargs[name] = available[name]()
        elif parameter.default is inspect.Parameter.empty and parameter.kind not in (
            inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD
        ):
            raise TypeError(f"coverage entry point wants an unknown parameter {name!r}")
    return entry(**kwargs)


def _get(obj, *names, default=None):
    for name in names:
        if isinstance(obj, Mapping):
            if name in obj and obj[name] is not None:
                return obj[name]
        elif getattr(obj, name, None) is not None:
            return getattr(obj, name)
    return default


def _ids(obj) -> list[str]:
    if isinstance(obj, str):
        return []
    value = _get(obj, "article_ids", "citations", "sources", "articles")
    if value is None:
        single = _get(obj, "article_id", "source_id")
        return [str(single)] if single is not None else []
    out = []
    for item in value if isinstance(value, (list, tuple, set)) else [value]:
        ident = item if isinstance(item, (str, int)) else _get(item, "article_id", "id")
        if ident is not None:
            out.append(str(ident))
    return out


def _text(obj) -> str:
    if isinstance(obj, str):
        return obj
    value = _get(obj, "text", "quote", "sentence", "description", "topic", "what", "value", "summary", default="")
    return str(value)


def _cited(obj) -> Cited:
    if isinstance(obj, str):
        return Cited(text=obj)
    details = _get(obj, "details", default=[])
    kind, lang = _get(obj, "kind"), _get(obj, "lang")
    return Cited(text=_text(obj), article_ids=_ids(obj),
                 details=[str(d) for d in details] if isinstance(details, (list, tuple)) else [],
                 kind=str(kind) if kind is not None else None, lang=lang if isinstance(lang, str) else None)


def _items(value) -> list:
    if value is None:
        return []
    if isinstance(value, (str, Mapping)):
        return [value]
    return list(value)


def normalise(view) -> CoverageSections:
    sections = CoverageSections(raw=view)
    for name in ("lang", "headline", "headline_lang", "note"):
        value = _get(view, name)
        setattr(sections, name, value if isinstance(value, str) and value else None)
    summary = _get(view, "summary")
    if summary is not None:
        if not isinstance(summary, (str, list, tuple)):
            summary = _get(summary, "sentences", "text", default=[])
        sections.summary = [c for c in map(_cited, _items(summary)) if c.text]

    quotes = _get(view, "quotes", "quotes_by_speaker")
    if isinstance(quotes, Mapping):
        sections.quotes = [SpeakerQuotes(str(speaker), [_cited(q) for q in _items(said)])
                           for speaker, said in quotes.items()]
    elif quotes:
        # One heading per person: a role given by one quote and not another does not make two speakers.
        grouped: dict[str, list[Cited]] = {}
        roles: dict[str, str] = {}
        for quote in quotes:
            speaker = _get(quote, "speaker", "name", default="Speaker unknown")
            speaker = speaker if isinstance(speaker, str) else _text(speaker)
            role = _get(quote, "role")
            if role and speaker not in roles:
                roles[speaker] = str(role)
            said = _get(quote, "quotes")
            targets = _items(said) if said is not None else [quote]
            grouped.setdefault(speaker, []).extend(_cited(q) for q in targets)
        sections.quotes = [SpeakerQuotes(speaker, said, roles.get(speaker)) for speaker, said in grouped.items()]

    sections.shared_facts = [c for c in map(_cited, _items(_get(view, "shared_facts", "shared"))) if c.text]

    unique = _get(view, "unique_facts", "unique")
    if isinstance(unique, Mapping):
        sections.unique_facts = [(str(aid), [_cited(f) for f in _items(facts)]) for aid, facts in unique.items()]
    elif unique:
        by_article: dict[str, list[Cited]] = {}
        for entry in unique:
            facts = _get(entry, "facts")
            if facts is not None:  # one entry per source, with its facts
                owner = _get(entry, "article_id", "id")
                cited = [_cited(f) for f in _items(facts)]
                if owner is not None and cited:
                    by_article.setdefault(str(owner), []).extend(cited)
                continue
            fact = _cited(entry)  # one entry per fact, naming its source
            for aid in fact.article_ids or ["?"]:
                by_article.setdefault(aid, []).append(fact)
        sections.unique_facts = list(by_article.items())

    for item in _items(_get(view, "divergences")):
        variants = [_cited(v) for v in _items(_get(item, "variants", "versions", "claims"))]
        what, kind = _get(item, "what"), _get(item, "kind")
        label = _text(item) if _get(item, "text", "description", "topic") is not None or not (what or kind) else (
            str(what) if not kind or kind == what else f"{what} ({kind})")
        sections.divergences.append(Divergence(text=label, variants=variants, article_ids=_ids(item)))

    for item in _items(_get(view, "copies", "copies_and_translations", "duplicates")):
        article_id = _get(item, "article_id", "copy_id", "id")
        if article_id is None:
            continue
        score = _get(item, "score", "similarity")
        sections.copies.append(CopyLink(
            article_id=str(article_id),
            original_id=(str(o) if (o := _get(item, "original_id", "of", "source_id", "original")) is not None else None),
            kind=str(_get(item, "kind", "type", default="copy")),
            score=float(score) if isinstance(score, (int, float)) else None,
        ))
    return sections


def to_jsonable(view) -> object:
    """The coverage stage's own view as JSON-friendly data (dataclasses, pydantic models, dicts)."""
    if dataclasses.is_dataclass(view) and not isinstance(view, type):
        return dataclasses.asdict(view)
    if hasattr(view, "model_dump"):
        return view.model_dump()
    if hasattr(view, "to_json"):
        return view.to_json()
    return view
