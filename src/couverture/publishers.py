"""Who published a page: its outlet, known by the page's main registrable domain.

The rule: the outlet is whoever published the page, which its address says (the
registrable domain: bbc.co.uk for www.bbc.co.uk/news, zeit.de for www.zeit.de). A
name the input gives ("ZEIT ONLINE", "BBC Sport") names that outlet; it does not make
another one. A news agency's name (AFP, ANSA, dpa...) is a credit, never the outlet:
a text sourced "AFP" on lesoir.be is Le Soir's, credited to AFP; a text sourced
"ANSA" with no address has no known outlet, credited to ANSA. An agency's own
website is an outlet like any other (ansa.it publishes pages as ANSA).

Below every stage: extraction names a page's outlet and credits by these rules, and
the store keeps the ``outlets`` table by them.

``outlets.json`` beside this module is the shipped list of major outlets and agencies
(name, domains, country, language, kind); the store seeds its ``outlets`` table from it
and from what the ingested data says, and the user's edits win over both.

Registrable domains come from the Public Suffix List snapshot bundled in the ``tld``
package, read from disk: nothing is downloaded.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from urllib.parse import urlsplit

from .folding import fold

SHIPPED = "shipped"  # from outlets.json
SEEN = "seen"  # from the ingested data: the domain of a page and the name its input gave
USER = "user"  # set by the user (``couverture outlets set`` / ``import``): never overwritten by an ingest

KINDS = ("outlet", "agency")

# Canonical agency name -> spellings seen in credits (matched as whole words).
AGENCIES: dict[str, tuple[str, ...]] = {
    "AFP": ("AFP", "Agence France-Presse", "Agence France Presse"),
    "Reuters": ("Reuters",),
    "AP": ("AP", "Associated Press"),
    "ANSA": ("ANSA",),
    "dpa": ("dpa", "DPA", "Deutsche Presse-Agentur"),
    "EFE": ("EFE",),
    "Belga": ("Belga",),
    "Europa Press": ("Europa Press",),
    "AGI": ("AGI",),
    "Adnkronos": ("Adnkronos",),
    "APA": ("APA",),
    "KNA": ("KNA",),
    "epd": ("epd",),
    "Keystone-ATS": ("Keystone-ATS", "ATS", "SDA"),
    "Bloomberg": ("Bloomberg",),
    "PA": ("PA Media",),
    "ANP": ("ANP",),
    "Lusa": ("Lusa",),
    "PAP": ("PAP",),
    "TASS": ("TASS",),
    "Xinhua": ("Xinhua",),
    "Yonhap": ("Yonhap",),
    "Kyodo": ("Kyodo",),
    "RIA Novosti": ("RIA Novosti", "RIA"),
    "Interfax": ("Interfax",),
    "Anadolu": ("Anadolu", "Anadolu Agency", "Anadolu Ajansı"),
    "UPI": ("UPI", "United Press International"),
    "AAP": ("AAP", "Australian Associated Press"),
    "CP": ("The Canadian Press", "Canadian Press"),
    "Jiji": ("Jiji", "Jiji Press"),
    "PTI": ("PTI", "Press Trust of India"),
    "IRNA": ("IRNA",),
    "KCNA": ("KCNA",),
    "SID": ("SID",),
}


@dataclass(frozen=True)
class OutletInfo:
    domain: str
    name: str
    country: str | None = None  # ISO 3166-1 alpha-2
    lang: str | None = None  # ISO 639-1
    kind: str = "outlet"  # "outlet" or "agency" (a news agency's own site)
    origin: str = SHIPPED  # SHIPPED, SEEN or USER


_IP = re.compile(r"^[\d.]+$|:")


def site_domain(url: str | None) -> str | None:
    """The main registrable domain of a page's address ("https://www.bbc.co.uk/news/x" ->
    "bbc.co.uk"); a host the suffix list does not know (localhost, an intranet name) is
    kept whole without its "www."; None without a host with a dot in it, or for a bare IP
    address."""
    if not url or not isinstance(url, str):
        return None
    try:
        host = (urlsplit(url.strip()).hostname or "").strip(".").lower()
    except ValueError:
        return None
    if "." not in host or _IP.search(host):
        return None  # no address, a bare IP, or a name without a domain (localhost)
    from tld import get_fld

    try:
        domain = get_fld(host, fix_protocol=True, fail_silently=True, search_private=True)
    except Exception:  # tld raises its own errors on odd hosts even with fail_silently
        domain = None
    if not domain:
        domain = re.sub(r"^(?:www\d?|m|amp|mobile)\.", "", host)
    return domain or None


# Country-code top-level domains whose code is not the country's ISO code.
_CCTLD_COUNTRY = {"uk": "GB", "su": None, "eu": None, "io": None, "tv": None, "fm": None, "me": None,
                  "co": None, "ai": None, "ly": None, "cc": None, "ws": None, "to": None}


def country_of_domain(domain: str | None) -> str | None:
    """The country a country-code domain says (zeit.de -> DE, bbc.co.uk -> GB); None for
    .com and the like, and for ccTLDs used as generic ones (.io, .tv, .co)."""
    if not domain:
        return None
    last = domain.rsplit(".", 1)[-1].lower()
    if len(last) != 2 or not last.isalpha():
        return None
    return _CCTLD_COUNTRY.get(last, last.upper())


def _key(name: str) -> str:
    return re.sub(r"\s+", " ", fold(name)).strip()


@dataclass(frozen=True)
class _Shipped:
    by_domain: dict[str, OutletInfo]
    by_name: dict[str, str]  # folded name or other name -> first domain (outlets only)
    agencies: dict[str, str]  # folded agency name or other name -> canonical agency name
    agency_domains: dict[str, str]  # agency's own domain -> canonical agency name


@lru_cache(maxsize=1)
def _shipped() -> _Shipped:
    data = json.loads(resources.files(__package__).joinpath("outlets.json").read_text(encoding="utf-8"))
    by_domain: dict[str, OutletInfo] = {}
    by_name: dict[str, str] = {}
    agencies: dict[str, str] = {}
    agency_domains: dict[str, str] = {}
    for entry in data["outlets"]:
        kind = entry.get("kind", "outlet")
        for domain in entry["domains"]:
            by_domain[domain] = OutletInfo(domain=domain, name=entry["name"], country=entry.get("country"),
                                           lang=entry.get("lang"), kind=kind, origin=SHIPPED)
        names = [entry["name"], *entry.get("also", [])]
        for name in entry.get("site_names", []):  # "AP News": the agency's website, an outlet
            by_name.setdefault(_key(name), entry["domains"][0])
        if kind == "agency":
            for name in names:
                agencies.setdefault(_key(name), entry["name"])
            for domain in entry["domains"]:
                agency_domains[domain] = entry["name"]
        else:
            for name in names:
                by_name.setdefault(_key(name), entry["domains"][0])
    for canonical, spellings in AGENCIES.items():  # the credit patterns' spellings too
        for spelling in (canonical, *spellings):
            agencies.setdefault(_key(spelling), canonical)
    return _Shipped(by_domain, by_name, agencies, agency_domains)


def shipped_outlets() -> dict[str, OutletInfo]:
    """The shipped list, by domain."""
    return dict(_shipped().by_domain)


def shipped_outlet(domain: str | None) -> OutletInfo | None:
    return _shipped().by_domain.get(domain) if domain else None


def agency_named(name: str | None) -> str | None:
    """The agency ``name`` is (its canonical name: "Agence France-Presse" -> "AFP"), or
    None when it names no agency ("AP News" is the AP's website, named as an outlet)."""
    if not name or not name.strip():
        return None
    return _shipped().agencies.get(_key(name))


def agency_of_domain(domain: str | None) -> str | None:
    """The agency whose own website ``domain`` is (ansa.it -> "ANSA"), else None."""
    return _shipped().agency_domains.get(domain) if domain else None


_LOOKS_LIKE_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)+$")


def domain_of_name(name: str | None) -> str | None:
    """The domain an outlet's name stands for when the input gives no address: a name of
    the shipped list ("Le Soir" -> lesoir.be) or a domain given as the name
    ("tagesschau.de"); None otherwise."""
    if not name or not name.strip():
        return None
    found = _shipped().by_name.get(_key(name))
    if found:
        return found
    bare = name.strip().lower()
    if _LOOKS_LIKE_DOMAIN.match(bare) and not bare.replace(".", "").isdigit():
        from tld import get_fld

        try:
            return get_fld(bare, fix_protocol=True, fail_silently=True, search_private=True)
        except Exception:
            return None
    return None


@dataclass(frozen=True)
class Publisher:
    """What an input says of who published it, sorted out (see ``publisher``)."""

    domain: str | None  # the outlet's key, None when unknown
    name: str | None  # the outlet's name as the input gave it (never an agency's), None if none
    credits: tuple[str, ...]  # agencies the input's source field named: credits to add


def publisher(source: str | None, url: str | None) -> Publisher:
    """The outlet of a page from its address and the source name its input gave.

    The domain of the address is the outlet. A source name that is an agency's is a
    credit, unless the page is on that agency's own site (ANSA on ansa.it). Without an
    address, a name of a known outlet (or a domain given as the name) gives the domain;
    any other non-agency name is the outlet's name, with no domain.
    """
    domain = site_domain(url)
    name = source.strip() if isinstance(source, str) and source.strip() else None
    credits: tuple[str, ...] = ()
    if name:
        agency = agency_named(name)
        if agency is not None:
            if agency_of_domain(domain) != agency:
                credits = (agency,)
            name = None
    if domain is None and name:
        domain = domain_of_name(name)
    return Publisher(domain=domain, name=name, credits=credits)


def page_credits(domain: str | None, *groups) -> list[str]:
    """The agencies credited on a page, once each, in order, from ``groups`` of names:
    all but the agency whose own site the page is on (ANSA's copyright line on ansa.it
    credits the outlet itself)."""
    own = agency_of_domain(domain)
    return [name for name in dict.fromkeys(n for group in groups for n in group) if name != own]


def seen_outlet(domain: str, name: str | None, lang: str | None) -> OutletInfo:
    """The row an ingest makes for a domain: the shipped entry when there is one, else
    what the data says (the name its input gave, else the domain; the country its
    country-code domain says; the language of its first article)."""
    shipped = shipped_outlet(domain)
    if shipped is not None:
        return shipped
    agency = agency_of_domain(domain)
    return OutletInfo(domain=domain, name=name or domain, country=country_of_domain(domain), lang=lang,
                      kind="agency" if agency else "outlet", origin=SEEN)


def outlet_from_url(url: str | None) -> str | None:
    """The host of a page's address without "www." and the like ("https://m.bbc.co.uk/x"
    -> "bbc.co.uk"); None without an address."""
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    host = re.sub(r"^(?:www\d?|m|amp|mobile)\.", "", host.lower())
    return host or None
