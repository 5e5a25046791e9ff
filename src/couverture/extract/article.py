"""RawDocument -> Article: clean text, title, byline, agencies, date, language, outlet, id."""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from ..errors import InputError
from ..ingest.scrub import MAX_ID_CHARS, scrub, scrub_value
from ..models import Article, RawDocument
from .boilerplate import clean_text, fold, lead_title, site_key
from .dates import date_from_url, find_date, month_estimate, parse_date
from .language import detect_language
from ..publishers import outlet_from_url, page_credits, publisher  # noqa: F401  (outlet_from_url re-exported)

MIN_TEXT_CHARS = 20  # shorter than a headline is not an article

_KNOWN_FIELDS = {"id", "url", "title", "published", "date", "source", "outlet", "lang", "language", "text", "byline", "author"}


def content_hash(title: str, text: str) -> str:
    """Fingerprint of what an article says, blind to case, accents, punctuation and spacing."""
    return hashlib.sha256(fold(title + "\n" + text).encode("utf-8")).hexdigest()[:32]


def _site_names(source, url: str | None) -> frozenset[str]:
    """The keys (``site_key``) of the names a page's own site goes by: its outlet as
    given, and its domain's main label ("theguardian" of www.theguardian.com)."""
    names = set()
    if isinstance(source, str) and source.strip():
        names.add(site_key(source))
    host = outlet_from_url(url)
    if host:
        labels = host.split(".")
        # The label before the public suffix: bbc of bbc.co.uk, zeit of zeit.de.
        if len(labels) >= 3 and len(labels[-1]) == 2 and len(labels[-2]) <= 3:
            main = labels[-3]
        else:
            main = labels[-2] if len(labels) >= 2 else labels[0]
        names.add(site_key(main))
    return frozenset(name for name in names if len(name) >= 3)


def _html_fields(raw: RawDocument) -> dict:
    import trafilatura

    document = trafilatura.bare_extraction(
        raw.content, url=raw.url, with_metadata=True, include_comments=False, include_tables=False
    )
    if document is None:
        raise InputError(raw.origin, "no article text found in the HTML page (navigation or an empty template?)")
    data = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    text = data.get("text") or ""
    title = data.get("title") or ""
    # trafilatura keeps the <h1> as the first line of the text; the title is metadata.
    if title and text.startswith(title):
        text = text[len(title) :].lstrip("\n")
    return {
        "text": text,
        "title": title,
        "published": data.get("date"),
        "source": data.get("sitename"),
        "url": data.get("url") or raw.url,
        "byline": data.get("author"),
        "lang": data.get("language"),
    }


def _input_fields(raw: RawDocument) -> tuple[dict, dict]:
    """(fields, extra): what an input gives under the names extraction reads, and the
    record's other keys (kept with the article)."""
    if raw.kind == "html":
        fields = _html_fields(raw)
        extra: dict = {}
    elif raw.kind == "record":
        record = raw.content
        fields = {
            "text": record.get("text") or "",
            "title": record.get("title") if isinstance(record.get("title"), str) else None,
            "published": record.get("published") or record.get("date"),
            "source": record.get("source") or record.get("outlet"),
            "url": raw.url,
            "byline": record.get("byline") or record.get("author"),
            "lang": record.get("lang") or record.get("language"),
            "id": record.get("id"),
        }
        extra = {k: v for k, v in record.items() if k not in _KNOWN_FIELDS}
    elif raw.kind == "text":
        fields = {"text": raw.content, "url": raw.url}
        extra = {}
    else:
        raise InputError(raw.origin, f"unknown document kind {raw.kind!r}")
    return fields, extra


def _article_id(given_id, digest: str) -> str:
    # Only a string or a whole number is an id (str() of an object or a boolean is not).
    usable = isinstance(given_id, str) or (isinstance(given_id, int) and not isinstance(given_id, bool))
    if usable and 0 < len(str(given_id).strip()) <= MAX_ID_CHARS:
        return str(given_id).strip()
    return digest[:16]


def extract_article(raw: RawDocument, now: datetime | None = None) -> Article:
    """Clean one input into an Article, or raise :class:`InputError` saying why not."""
    fields, extra = _input_fields(raw)
    # Whatever the source, no lone surrogate or NUL goes further (the tokenizer, the
    # database and the terminal would each fail on it).
    fields = {k: scrub(v) if isinstance(v, str) else v for k, v in fields.items()}
    extra = scrub_value(extra, raw.origin)
    if not isinstance(fields["text"], str):
        raise InputError(raw.origin, "the text is not a string")

    url = fields.get("url") if isinstance(fields.get("url"), str) else None
    source = fields.get("source")
    cleaned = clean_text(fields["text"], title=fields.get("title"), site_names=_site_names(source, url))
    body = cleaned.text
    if not body and cleaned.title and not cleaned.links:
        # A one-line input (a wire flash, a headline, maybe under its URL or over its
        # agency's credit, maybe given as both title and text) is its own text: an
        # article is never lost for want of a title. A page whose other lines were
        # navigation and links to other articles has no article of its own.
        body = cleaned.title
    if len(body) < MIN_TEXT_CHARS:
        left = f"only {len(body)} characters" if body else "nothing"
        raise InputError(raw.origin, f"no article text: {left} left after removing navigation and page furniture")
    title = cleaned.title or lead_title(body)

    published = parse_date(fields.get("published"))
    if published is None and cleaned.date_text:
        published = find_date(cleaned.date_text)
    if published is None:
        # Only the page's own address dates it; a URL quoted in a text file may be
        # a later copy or an archive page, so it does not.
        published = date_from_url(url)
    estimate = None
    if published is None and cleaned.month_stamp is not None:
        estimate = month_estimate(*cleaned.month_stamp)
    if url is None and cleaned.urls:
        url = cleaned.urls[0]  # the address a scraped text opened with

    lang = fields.get("lang")
    lang = lang.strip().lower()[:2] if isinstance(lang, str) and lang.strip() else detect_language(title + "\n" + body)

    # Who published it is the page's domain; a source field naming an agency is a credit.
    published_by = publisher(source if isinstance(source, str) else None, url)
    byline = fields.get("byline") if isinstance(fields.get("byline"), str) else None

    digest = content_hash(title, body)
    return Article(
        id=_article_id(fields.get("id"), digest),
        title=title,
        text=body,
        lang=lang,
        origin=raw.origin,
        content_hash=digest,
        published=published,
        url=url,
        outlet=published_by.name,
        domain=published_by.domain,
        byline=byline or cleaned.byline,
        agencies=page_credits(published_by.domain, published_by.credits, cleaned.agencies),
        fetched_at=raw.fetched_at or (now or datetime.now(timezone.utc)),
        removed_lines=cleaned.removed,
        extra=extra,
        estimate=estimate,
    )
