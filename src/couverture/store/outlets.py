"""The ``outlets`` table: one row per registrable domain, and how articles are named by it.

Rows come from three places, and the later wins: the shipped list of major outlets
and agencies (``outlets.json``, read by ``publishers.py``), what the ingested data
says (a page's domain and the name its input gave), and the user (``couverture
outlets set`` / ``import``).
An ingest never changes a user's row; it brings a shipped or seen row up to date with
the shipped list of the code that runs it.

An outlet is shown by its row's name. Two domains given the same name are one
outlet (bbc.co.uk and bbc.com are both "BBC"): counts, lists and the outlet filter
go by the name, so renaming one domain to another's name merges them. An article
without a domain (no address, a source name the shipped list does not know) is
shown by the name its input gave; without either, its outlet is unknown.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Connection, and_, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from ..publishers import KINDS, SEEN, SHIPPED, USER, OutletInfo, seen_outlet, shipped_outlets, site_domain
from .convert import chunks
from .schema import articles, outlets

# What an article is shown under: its domain's row, else the name its input gave, else
# (a domain without a row, which ingest never leaves) the domain itself.
OUTLET_NAME = func.coalesce(outlets.c.name, articles.c.outlet, articles.c.domain)
ARTICLES_WITH_OUTLETS = articles.outerjoin(outlets, outlets.c.domain == articles.c.domain)


def _row(info: OutletInfo, now: datetime) -> dict:
    return {"domain": info.domain, "name": info.name, "country": info.country, "lang": info.lang,
            "kind": info.kind, "origin": info.origin, "updated_at": now}


def _info(row) -> OutletInfo:
    return OutletInfo(domain=row.domain, name=row.name, country=row.country, lang=row.lang, kind=row.kind,
                      origin=row.origin)


def _stored(conn: Connection, domains: Iterable[str]) -> dict[str, OutletInfo]:
    found: dict[str, OutletInfo] = {}
    for chunk in chunks(list(dict.fromkeys(domains)), 500):
        found.update((r.domain, _info(r)) for r in conn.execute(select(outlets).where(outlets.c.domain.in_(chunk))))
    return found


def seed_shipped(conn: Connection) -> None:
    """Add the shipped list's outlets the table lacks (migration)."""
    now = datetime.now(timezone.utc)
    shipped = shipped_outlets()
    present = _stored(conn, shipped)
    rows = [_row(info, now) for domain, info in sorted(shipped.items()) if domain not in present]
    if rows:
        conn.execute(outlets.insert(), rows)


def note_seen(conn: Connection, seen: Iterable[tuple[str, str | None, str | None]]) -> None:
    """Record the outlets of a batch of articles, ``(domain, name given, language)``, in
    the caller's transaction: a new domain gets a row (the shipped entry, else what the
    data says); a row the user set is left alone; a shipped or seen row follows the
    shipped list; a seen row named after its domain takes the first name an input gives."""
    first: dict[str, tuple[str | None, str | None]] = {}
    for domain, name, lang in seen:
        if not domain:
            continue
        known_name, known_lang = first.get(domain, (None, None))
        first[domain] = (known_name or name, known_lang or lang)
    if not first:
        return
    now = datetime.now(timezone.utc)
    stored = _stored(conn, first)
    inserts, updates = [], []
    for domain, (name, lang) in first.items():
        wanted = seen_outlet(domain, name, lang)
        current = stored.get(domain)
        if current is None:
            inserts.append(_row(wanted, now))
        elif current.origin == USER:
            continue
        elif wanted.origin == SHIPPED and wanted != current:
            updates.append(wanted)  # a shipped list newer than the row
        elif current.origin == SEEN and current.name == domain and name:
            updates.append(OutletInfo(domain, name, current.country, current.lang or lang, current.kind, SEEN))
    if inserts:
        conn.execute(outlets.insert(), inserts)
    for info in updates:
        values = _row(info, now)
        conn.execute(outlets.update().where(outlets.c.domain == info.domain).values(**values))


def normal_domain(text: str) -> str | None:
    """A domain as a user types it ("www.zeit.de", "https://www.bbc.co.uk/news") -> its
    registrable domain ("zeit.de", "bbc.co.uk"); None when it names no domain."""
    text = (text or "").strip()
    return site_domain(text if "://" in text else "http://" + text)


def set_outlet(conn: Connection, domain: str, name: str | None = None, country: str | None = None,
               lang: str | None = None, kind: str | None = None) -> OutletInfo:
    """The user's values for ``domain`` (already normal), in the caller's transaction: what
    is not given keeps its current value (the row's, else the shipped entry's, else the
    domain as its name); an empty string clears the country or the language. The row
    becomes the user's: no ingest changes it afterwards."""
    current = _stored(conn, [domain]).get(domain) or seen_outlet(domain, None, None)
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    info = OutletInfo(
        domain=domain,
        name=name.strip() if name and name.strip() else current.name,
        country=current.country if country is None else (country.strip().upper() or None),
        lang=current.lang if lang is None else (lang.strip().lower() or None),
        kind=kind or current.kind,
        origin=USER,
    )
    now = datetime.now(timezone.utc)
    if conn.execute(select(outlets.c.domain).where(outlets.c.domain == domain)).first() is None:
        conn.execute(outlets.insert().values(**_row(info, now)))
    else:
        conn.execute(outlets.update().where(outlets.c.domain == domain).values(**_row(info, now)))
    return info


@dataclass
class OutletListing:
    """An outlet as listed: its name, the domains that go by it, and its articles."""

    name: str
    domains: list[str]
    country: str | None
    lang: str | None
    kind: str
    origin: str  # of its first domain's row ("" for a name with no domain)
    articles: int

    @property
    def key(self) -> str:
        """What the outlet filter takes: its first domain, else its name."""
        return self.domains[0] if self.domains else self.name

    def to_json(self) -> dict:
        return {"name": self.name, "domains": self.domains, "country": self.country, "lang": self.lang,
                "kind": self.kind, "origin": self.origin, "articles": self.articles}


def list_outlets(conn: Connection, everything: bool = False) -> list[OutletListing]:
    """Outlets with their article counts, by name (case-blind); with ``everything``, the
    table's outlets that have no article yet too."""
    counts = conn.execute(
        select(articles.c.domain, articles.c.outlet, func.count()).group_by(articles.c.domain, articles.c.outlet)
    ).all()
    rows = {r.domain: _info(r) for r in conn.execute(select(outlets))} if everything else \
        _stored(conn, {d for d, _, _ in counts if d})
    listed: dict[str, OutletListing] = {}

    def entry(name: str, info: OutletInfo | None) -> OutletListing:
        if name not in listed:
            listed[name] = OutletListing(name=name, domains=[], country=info.country if info else None,
                                         lang=info.lang if info else None, kind=info.kind if info else "outlet",
                                         origin=info.origin if info else "", articles=0)
        return listed[name]

    for domain, given, n in counts:
        info = rows.get(domain) if domain else None
        name = info.name if info else (given or domain)
        if name is None:
            continue  # outlet unknown
        item = entry(name, info)
        item.articles += n
        if domain and domain not in item.domains:
            item.domains.append(domain)
    if everything:
        for info in rows.values():
            item = entry(info.name, info)
            if info.domain not in item.domains:
                item.domains.append(info.domain)
    for item in listed.values():
        item.domains.sort()
    return sorted(listed.values(), key=lambda o: (o.name.casefold(), o.name))


def outlet_condition(value: str) -> ColumnElement[bool]:
    """Articles of the outlet ``value`` names: a domain (all domains of its name: bbc.com
    finds bbc.co.uk's articles when both are "BBC"), or an outlet's name."""
    name = func.coalesce(select(outlets.c.name).where(outlets.c.domain == value).scalar_subquery(), literal(value))
    named = select(outlets.c.domain).where(outlets.c.name == name)
    return or_(articles.c.domain.in_(named), and_(articles.c.domain.is_(None), articles.c.outlet == name))


def outlet_names(conn: Connection, domains: Iterable[str]) -> dict[str, str]:
    """The names of these domains' rows."""
    return {domain: info.name for domain, info in _stored(conn, domains).items()}
