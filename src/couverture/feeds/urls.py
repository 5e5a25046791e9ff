"""Canonical article URLs: one spelling per article, whatever link led to it.

Feeds and share buttons decorate links with tracking parameters, mobile hosts and
fragments; the store dedupes articles by URL, so every URL is brought to one form
here before it reaches it. A page's ``<link rel=canonical>`` is followed only when it
stays on the same site and does not point at a home page: it is written by the page,
and a hostile or broken page must not be able to claim another site's article.
"""
from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from ..extract.dates import date_from_url

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")

# Query parameters that identify a campaign or a click, never the article.
TRACKING_PARAMETERS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
    "igshid", "li_fat_id", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "hsctatracking", "mkt_tok",
    "vero_id", "oly_anon_id", "oly_enc_id", "rb_clickid", "s_cid", "wt_mc", "wt.mc_id", "xtor", "at_medium",
    "at_campaign", "cmpid", "ocid", "ref_src", "ref_url", "smid", "sr_share", "spm", "icid", "ito",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "ns_", "at_custom")

_DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST_PREFIXES = ("www.", "m.", "amp.", "mobile.")


def is_url(value: str) -> bool:
    """True for anything written as ``scheme://...`` (only http and https are fetched)."""
    return isinstance(value, str) and bool(_SCHEME.match(value.strip()))


def _is_tracking(name: str) -> bool:
    key = unquote(name).strip().lower()
    return key in TRACKING_PARAMETERS or key.startswith(TRACKING_PREFIXES)


def canonicalize(url: str) -> str:
    """One spelling of ``url``: lower-case scheme and host, no credentials, no default
    port, no fragment, no tracking parameters; the other parameters keep their order and
    encoding."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host  # credentials never identify an article, and must not be stored
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    path = parts.path or "/"
    kept = [pair for pair in parts.query.split("&") if pair and not _is_tracking(pair.split("=", 1)[0])]
    return urlunsplit((scheme, netloc, path, "&".join(kept), ""))


def _site(host: str) -> str:
    host = host.lower().rstrip(".")
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix):
            return host[len(prefix):]
    return host


def same_site(a: str, b: str) -> bool:
    """Hosts of one site: equal once www./m./amp. are dropped, or one a subdomain of the other."""
    host_a, host_b = _site(urlsplit(a).hostname or ""), _site(urlsplit(b).hostname or "")
    if not host_a or not host_b:
        return False
    return host_a == host_b or host_a.endswith("." + host_b) or host_b.endswith("." + host_a)


def accept_canonical(page_url: str, declared: str | None) -> str:
    """The canonical URL of a page fetched from ``page_url`` that declares ``declared``."""
    fallback = canonicalize(page_url)
    if not declared or not declared.strip():
        return fallback
    try:
        candidate = urljoin(page_url, declared.strip())
        parts = urlsplit(candidate)
        parts.port  # noqa: B018  (raises for a port that is not a number)
    except ValueError:  # the page declares something that is not a URL
        return fallback
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        return fallback
    if not same_site(page_url, candidate):
        return fallback
    # A canonical pointing at the home page is a template bug: following it would
    # make every article of the site one URL.
    if parts.path in ("", "/") and urlsplit(page_url).path not in ("", "/"):
        return fallback
    return canonicalize(candidate)


_LINK_TAG = re.compile(r"<link\b[^>]*>", re.I)
_ATTRIBUTE = re.compile(r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")
_HEAD_LIMIT = 300_000  # link tags live in the head; do not scan a huge body


def link_tags(html: str) -> list[dict[str, str]]:
    """Attributes of the ``<link>`` tags of a page, lower-cased names, unescaped values."""
    from html import unescape

    out = []
    for tag in _LINK_TAG.findall(html[:_HEAD_LIMIT]):
        attributes = {}
        for name, double, single, bare in _ATTRIBUTE.findall(tag):
            attributes[name.lower()] = unescape(double or single or bare)
        out.append(attributes)
    return out


def declared_canonical(html: str) -> str | None:
    for attributes in link_tags(html):
        if "canonical" in attributes.get("rel", "").lower().split() and attributes.get("href"):
            return attributes["href"]
    return None


def canonical_url(html: str, page_url: str) -> str:
    """The URL under which the page fetched from ``page_url`` is stored."""
    return accept_canonical(page_url, declared_canonical(html))


def url_date(url: str | None) -> datetime | None:
    """A plausible date written in the URL's path (``/2024/06/20/``, ``/2024-06-20-title``...);
    the query string is left out, where a date is a filter, not a publication day."""
    if not url:
        return None
    return date_from_url(urlsplit(url).path)
