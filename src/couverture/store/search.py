"""Full-text search over article titles and texts.

On SQLite the index is an FTS5 table, ``articles_fts``, kept in sync with ``articles``
by triggers, so every writer (the ingest engine, a script, a future importer) keeps it
current without knowing it exists. It stores its own copy of the title and text rather
than pointing at ``articles`` by rowid: ``articles`` has a text primary key, so its
rowids may change on VACUUM, and an index keyed on them would silently go stale.

Elsewhere (PostgreSQL), or on a SQLite built without FTS5, search falls back to
case-insensitive substring matching: slower and unranked, but the same answers for
whole words.

User input never reaches FTS5 syntax: a query is cut into words, each word is quoted
and matched as a prefix ("missile" finds "missiles"), and all words must occur.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import Engine, and_, column, func, literal_column, or_, select, table, text
from sqlalchemy.sql.elements import ColumnElement

from .schema import FTS_TABLE, articles

# Marks around matched words in snippets: control characters that never reach the page
# (snippet_html keeps only well-formed pairs, snippet_text drops them all).
_HIT_START, _HIT_END = "\x02", "\x03"
_MARKED = re.compile(f"{_HIT_START}([^{_HIT_START}{_HIT_END}]*){_HIT_END}")
_WORD = re.compile(r"\w+", re.UNICODE)
_MAX_WORDS = 12

_CREATE_STATEMENTS = (
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
        article_id UNINDEXED, title, text, tokenize = 'unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_after_insert AFTER INSERT ON articles BEGIN
        INSERT INTO {FTS_TABLE} (article_id, title, text) VALUES (new.id, new.title, new.text);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_after_delete AFTER DELETE ON articles BEGIN
        DELETE FROM {FTS_TABLE} WHERE article_id = old.id;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_after_update AFTER UPDATE OF id, title, text ON articles BEGIN
        DELETE FROM {FTS_TABLE} WHERE article_id = old.id;
        INSERT INTO {FTS_TABLE} (article_id, title, text) VALUES (new.id, new.title, new.text);
    END""",
)


def create_search_index(conn, dialect: str) -> None:
    """Migration: create the FTS5 index and its triggers, and index what is already stored.

    Idempotent (runs on every open). A no-op outside SQLite, and on a SQLite without
    FTS5, where :func:`search_articles` falls back to substring matching.
    """
    if dialect != "sqlite":
        return
    exists = conn.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"), {"name": FTS_TABLE}
    ).first()
    if exists:
        return
    try:
        for statement in _CREATE_STATEMENTS:
            conn.execute(text(statement))
    except Exception as exc:  # "no such module: fts5": keep the database usable without the index
        if "fts5" in str(exc).lower():
            return
        raise
    conn.execute(text(f"INSERT INTO {FTS_TABLE} (article_id, title, text) SELECT id, title, text FROM articles"))


def has_search_index(conn) -> bool:
    if conn.dialect.name != "sqlite":
        return False
    return conn.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"), {"name": FTS_TABLE}
    ).first() is not None


def query_words(query: str | None) -> list[str]:
    """The words of a user's query, as searched (punctuation and operators dropped)."""
    return _WORD.findall(query or "")[:_MAX_WORDS]


def fts_expression(words: list[str]) -> str:
    """An FTS5 MATCH expression: every word, quoted, as a prefix."""
    return " ".join('"' + word.replace('"', '""') + '"*' for word in words)


def article_match(conn, words: list[str]) -> ColumnElement[bool]:
    """A WHERE clause on ``articles`` true for articles whose title or text has every word."""
    if has_search_index(conn):
        return articles.c.id.in_(select(_INDEX.c.article_id).where(_fts_matching(words)))
    return and_(*(or_(articles.c.title.ilike(f"%{like_escape(w)}%", escape="\\"),
                      articles.c.text.ilike(f"%{like_escape(w)}%", escape="\\")) for w in words))


@dataclass
class SearchHit:
    article_id: str
    snippet: str  # plain text; matched words between _HIT_START and _HIT_END


def search_articles(
    engine: Engine, query: str, limit: int = 20, offset: int = 0, where: ColumnElement[bool] | None = None,
    snippets: bool = True,
) -> tuple[list[SearchHit], int]:
    """Articles matching every word of ``query``, best first, and how many match in all.

    ``where`` narrows the matches with a clause on ``articles`` (language, outlet, dates).
    With ``snippets=False`` the hits come without excerpts (see :func:`article_snippets`).
    """
    words = query_words(query)
    if not words:
        return [], 0
    with engine.connect() as conn:
        fts = has_search_index(conn)
        ids, total = (_fts_rank if fts else _like_rank)(conn, words, limit, offset, where)
        excerpts = _snippets(conn, words, ids, fts) if snippets and ids else {}
    return [SearchHit(article_id=aid, snippet=excerpts.get(aid, "")) for aid in ids], total


def article_snippets(engine: Engine, query: str, article_ids: list[str]) -> dict[str, str]:
    """Excerpts around the words of ``query`` in these articles (matching ones only)."""
    words = query_words(query)
    if not words or not article_ids:
        return {}
    with engine.connect() as conn:
        return _snippets(conn, words, article_ids, has_search_index(conn))


_INDEX = table(FTS_TABLE, column("article_id"), column("rank"))


def _fts_matching(words):
    return text(f"{FTS_TABLE} MATCH :fts_query").bindparams(fts_query=fts_expression(words))


def _fts_rank(conn, words, limit, offset, where):
    matching = select(_INDEX.c.article_id).where(_fts_matching(words))
    if where is not None:
        matching = matching.where(_INDEX.c.article_id.in_(select(articles.c.id).where(where)))
    total = conn.execute(select(func.count()).select_from(matching.subquery())).scalar_one()
    ids = conn.execute(matching.order_by(_INDEX.c.rank, _INDEX.c.article_id).limit(limit).offset(offset)).scalars()
    return list(ids), total


def _like_rank(conn, words, limit, offset, where):
    condition = article_match(conn, words)
    if where is not None:
        condition = and_(condition, where)
    total = conn.execute(select(func.count()).select_from(articles).where(condition)).scalar_one()
    ids = conn.execute(
        select(articles.c.id).where(condition)
        .order_by(articles.c.published.desc(), articles.c.id).limit(limit).offset(offset)
    ).scalars()
    return list(ids), total


def _snippets(conn, words, ids, fts: bool) -> dict[str, str]:
    # Excerpts cost more than matching: they are made for the hits shown, never for all matches.
    if fts:
        excerpt = literal_column(f"snippet({FTS_TABLE}, 2, '{_HIT_START}', '{_HIT_END}', '…', 24)")
        rows = conn.execute(
            select(_INDEX.c.article_id, excerpt).where(_fts_matching(words)).where(_INDEX.c.article_id.in_(list(ids)))
        ).all()
        return {aid: value for aid, value in rows}
    rows = conn.execute(select(articles.c.id, articles.c.text).where(articles.c.id.in_(list(ids)))).all()
    return {aid: _plain_snippet(body, words) for aid, body in rows}


def like_escape(word: str) -> str:
    """``word`` matched literally inside a LIKE pattern (escape character ``\\``)."""
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _plain_snippet(body: str, words: list[str], width: int = 160) -> str:
    folded = body.lower()
    first = min((i for i in (folded.find(w.lower()) for w in words) if i >= 0), default=0)
    start = max(0, first - width // 3)
    piece = body[start : start + width]
    for word in words:
        piece = re.sub(f"({re.escape(word)})", f"{_HIT_START}\\1{_HIT_END}", piece, flags=re.IGNORECASE)
    return ("…" if start else "") + piece + ("…" if start + width < len(body) else "")


def snippet_text(snippet: str) -> str:
    """A snippet as plain text (for JSON)."""
    return snippet.replace(_HIT_START, "").replace(_HIT_END, "")


def snippet_html(snippet: str) -> Markup:
    """A snippet as safe HTML: everything escaped, matched words in <mark>."""
    escaped = str(escape(snippet))
    marked = _MARKED.sub(r"<mark>\1</mark>", escaped)
    return Markup(marked.replace(_HIT_START, "").replace(_HIT_END, ""))


__all__ = [
    "FTS_TABLE", "SearchHit", "article_match", "article_snippets", "create_search_index", "fts_expression", "has_search_index",
    "query_words", "search_articles", "snippet_html", "snippet_text",
]
