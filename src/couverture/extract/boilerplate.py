"""Remove what a scraped page carries besides the article.

The rules are about the *shape* of page furniture, in the languages we read, not
about particular pages:

* the title repeated at the top of the text;
* aggregator navigation ("PREV <headline>", "NEXT <headline>", "Article suivant");
* link blocks: an announcement such as "Lire aussi", "Read also", "Leggi anche",
  "Lesen Sie auch", "Lea también", "Suivez la couverture complète", followed by the
  headline it links to (a short line with no closing full stop);
* share, follow and subscribe lines, advertising labels;
* publication-date lines, credit/copyright lines and bylines (kept as metadata).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..folding import fold, strip_accents  # noqa: F401  (re-exported: extract and analyze use them)
from .credits import dateline_agencies, find_agencies, is_credit_line, parse_byline, trailing_agencies
from .dates import DATE_LINE, find_date

_BULLETS = "•·●▪■►▶›»>*–—-|"

# A navigation line starts with one of these markers and then names another article.
_NAVIGATION = re.compile(
    r"^(?:PREV|NEXT|PREVIOUS|PRÉCÉDENT|SUIVANT|"
    r"(?:previous|next|prev)\s+(?:article|story|post|page)|"
    r"article\s+(?:précédent|suivant)|"
    r"articolo\s+(?:precedente|successivo)|"
    r"(?:vorheriger|nächster|voriger)\s+artikel|"
    r"art[íi]culo\s+(?:anterior|siguiente)|noticia\s+(?:anterior|siguiente))\b",
)

# Announcements of a link to another page. The line holding only the announcement
# is dropped together with the headline that follows it.
_LINK_INTRO = [
    "lire aussi", "à lire aussi", "a lire aussi", "lire également", "à lire également", "voir aussi",
    "à voir aussi", "à voir également", "sur le même sujet", "suivez la couverture complète",
    "voir la couverture complète", "la couverture complète", "retrouvez notre dossier", "notre dossier",
    "read also", "also read", "read more", "see also", "related", "related article", "related articles",
    "related stories", "more on this story", "more on this", "full coverage", "follow full coverage",
    "recommended", "leggi anche", "leggi pure", "approfondisci", "potrebbe interessarti", "vedi anche",
    "lesen sie auch", "lesen sie mehr", "auch interessant", "mehr zum thema", "das könnte sie auch interessieren",
    "siehe auch", "lea también", "lee también", "le puede interesar", "te puede interesar",
    "ver también", "más información", "noticias relacionadas", "seguir la cobertura completa",
]
_LINK_INTRO_RE = re.compile(
    r"^(?:" + "|".join(re.escape(p) for p in sorted(_LINK_INTRO, key=len, reverse=True)) + r")\s*[:.…]*\s*(?P<rest>.*)$",
    re.I,
)

# Phrases that mark a short line as page furniture wherever it stands.
_FURNITURE = [
    "follow us on", "for latest updates", "suivez-nous", "suivez nous", "abonnez-vous", "abonnez vous",
    "subscribe", "sign up", "newsletter", "share this", "share on", "share article", "partager",
    "partagez", "condividi", "iscriviti", "seguici", "teilen", "jetzt abonnieren", "folgen sie uns",
    "compartir", "compártelo", "suscríbete", "síguenos", "click here", "cliquez ici", "clicca qui",
    "hier klicken", "haz clic", "publicité", "advertisement", "advertising", "pubblicità", "anzeige",
    "werbung", "publicidad", "google news", "télécharger l'application", "download the app",
    "scarica l'app", "app herunterladen", "descarga la app", "cookie", "tous droits réservés",
    "all rights reserved", "print this", "imprimer", "envoyer par e-mail", "send by email",
    "listen to this article", "écouter cet article", "temps de lecture", "reading time", "min read",
    "lettura", "lesezeit", "tiempo de lectura",
]
_FURNITURE_RE = re.compile("|".join(re.escape(p) for p in _FURNITURE), re.I)
_SOCIAL_ONLY = re.compile(
    r"^(?:(?:share|teilen|partager|compartir|condividi|facebook|twitter|x|whatsapp|linkedin|telegram|e-?mail|mail|messenger|flipboard|pinterest|reddit|copier le lien|copy link)[\s,|/·•]*)+$",
    re.I,
)


# A photo or image credit: "Credit: Michael DiGioia", "Foto: dpa", "Crédit photo : AFP".
_PHOTO_CREDIT = re.compile(
    r"^(?:photo|foto|picture|image|bild|credit|crédit|crédito|credito|fotografía|quelle)s?(?:\s+(?:credit|crédit|photo))?\s*:",
    re.I,
)

# A line that is only a URL; tokenised corpora write it with spaces ("http : / / www . x . com / ...").
_URL_LINE = re.compile(r"^(?:source\s*:\s*|url\s*:\s*)?(?:https?\s*:\s*/\s*/|www\s*\.)\S*(?:\s*\S+)*$", re.I)


def url_of_line(line: str) -> str | None:
    """The URL when ``line`` holds nothing but a URL, else ``None``."""
    stripped = line.strip()
    if not _URL_LINE.match(stripped):
        return None
    candidate = re.sub(r"^(?:source|url)\s*:\s*", "", stripped, flags=re.I)
    candidate = re.sub(r"\s+", "", candidate)
    if " " in candidate or len(candidate) < 8:
        return None
    if not candidate.lower().startswith("http"):
        candidate = "http://" + candidate
    return candidate


def _strip_bullets(line: str) -> str:
    return line.strip().lstrip(_BULLETS).strip()


def _is_headline(line: str) -> bool:
    """A linked headline: short, and not a sentence of the article."""
    words = line.split()
    if not words or len(words) > 25:
        return False
    return not line.rstrip().endswith((".", "!", "?", ":")) or len(words) <= 12


_TITLE_SUFFIX = re.compile(r"\s+[-–—|]\s+(?P<tail>[^-–—|]{1,40})$")


def strip_title_suffix(title: str) -> str:
    """Drop a trailing section or site name: "Headline – Europe", "Headline | Le Monde".

    Only a tail of one or two words goes, after a headline of four words or more, so
    "Spain - France: the semi-final" and two-part headlines stay whole.
    """
    match = _TITLE_SUFFIX.search(title)
    if not match:
        return title
    head = title[: match.start()]
    if len(match.group("tail").split()) <= 2 and len(head.split()) >= 4:
        return head.rstrip()
    return title


@dataclass
class CleanResult:
    title: str
    paragraphs: list[str]
    removed: list[str] = field(default_factory=list)
    byline: str | None = None
    agencies: list[str] = field(default_factory=list)
    date_text: str | None = None
    month_stamp: tuple[int, int] | None = None  # (year, month) of a leading stamp that gives no day
    urls: list[str] = field(default_factory=list)  # URL-only lines taken out of the text
    links: int = 0  # navigation and link-block lines taken out: the marks of a page of links

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def _normalise_lines(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u200b", "")
    return [line.rstrip() for line in text.split("\n")]


def is_title_furniture(line: str, site_names: frozenset[str] = frozenset()) -> bool:
    """A line that cannot be an article's title: no letter in it (a close button "×",
    a menu "☰"), a label announcing what follows ("Key Moments:", "Lire aussi :"), one
    word alone in a script written with spaces (a section: "Sports", "Politique"), or
    the site's own name in three words at most (``site_names``, as ``site_key`` gives
    them; "BBC News" begins with bbc.co.uk's "bbc")."""
    bare = line.strip()
    if not any(ch.isalpha() for ch in bare):
        return True
    words = bare.split()
    if bare.endswith(":") and len(words) <= 4:
        return True
    if len(words) == 1 and len(bare) <= 24 and not _UNSPACED_CHAR.search(bare):
        return True  # (a Chinese or Japanese headline has no spaces at all)
    if site_names and len(words) <= 3:
        key = site_key(bare)  # "BBC News" for bbc.co.uk, "ZEIT ONLINE" for zeit.de
        return any(key.startswith(name) for name in site_names)
    return False


def site_key(name: str) -> str:
    """A site's name or its domain's main label, folded and without spaces: "The
    Guardian" and theguardian.com meet as "theguardian"."""
    return re.sub(r"[^0-9a-z]", "", fold(name))


def clean_text(text: str, title: str | None = None, site_names: frozenset[str] = frozenset()) -> CleanResult:
    """Split scraped ``text`` into title, article paragraphs and metadata.

    When ``title`` is not given, or is page furniture (``is_title_furniture``), the
    first non-empty line that is not furniture is the title.
    """
    lines = _normalise_lines(text)
    removed: list[str] = []
    urls: list[str] = []
    stamp = _take_date_stamp(lines, removed)
    if title and is_title_furniture(title, site_names):
        removed.append(title.strip())
        title = None
    if not title:
        title, lines = _title_line(lines, site_names, removed, urls)
    title = (title or "").strip()
    title_key = fold(title)
    title = strip_title_suffix(title)

    result = CleanResult(title=title, paragraphs=[], removed=removed, urls=urls)
    if stamp is not None:
        result.date_text, result.month_stamp = stamp
    kept = _article_lines(lines, title_key, result)
    _take_bylines(kept, result)
    result.paragraphs = _paragraphs(kept)
    if result.paragraphs:
        result.agencies.extend(dateline_agencies(result.paragraphs[0]))
        for paragraph in result.paragraphs[-2:]:  # "... kritisiert. (dpa)", maybe over a last line of furniture
            result.agencies.extend(trailing_agencies(paragraph))
    result.agencies = list(dict.fromkeys(result.agencies))
    return result


def _title_line(lines: list[str], site_names: frozenset[str], removed: list[str],
                urls: list[str]) -> tuple[str | None, list[str]]:
    """(title, the lines after it): the first line that is neither furniture nor an
    address; a whole paragraph is no title (the article then starts there)."""
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        url = url_of_line(line)
        if url:  # a scrape that starts with its address: keep it as metadata
            urls.append(url)
            removed.append(line.strip())
            continue
        bare = _strip_bullets(line)
        if len(bare.split()) <= 15 and (_FURNITURE_RE.search(bare) or _SOCIAL_ONLY.match(bare)
                                        or _PHOTO_CREDIT.match(bare) or is_title_furniture(bare, site_names)):
            removed.append(line.strip())  # "Advertisement", "Share Facebook", a photo credit: never a title
            continue
        if is_paragraph(line):
            # A whole paragraph is the article's first paragraph, not its title: the
            # title is then its first sentence (see lead_title), and nothing is lost.
            return None, lines[index:]
        return line.strip(), lines[index + 1 :]
    return None, lines


def _article_lines(lines: list[str], title_key: str, result: CleanResult) -> list[str]:
    """The lines of the article ("" marks a paragraph break); navigation, links to other
    articles, furniture, dates, addresses and credits go to ``result`` as metadata."""
    removed = result.removed
    kept: list[str] = []
    skip_headline = False
    for raw in lines:
        line = raw.strip()
        if not line:
            kept.append("")
            continue
        bare = _strip_bullets(line)
        if not bare:
            removed.append(line)
            continue
        if skip_headline:
            skip_headline = False
            if _is_headline(bare):
                removed.append(line)
                result.links += 1
                continue
        url = url_of_line(bare)
        if url:
            result.urls.append(url)
            removed.append(line)
            continue
        if title_key and fold(bare) == title_key:
            removed.append(line)
            continue
        if _NAVIGATION.match(bare):
            removed.append(line)
            result.links += 1
            continue
        intro = _LINK_INTRO_RE.match(bare)
        if intro and len(bare.split()) <= 30:
            removed.append(line)
            result.links += 1
            # "Lire aussi : <headline>" carries its headline; "Lire aussi" alone links the next line.
            skip_headline = not intro.group("rest").strip()
            continue
        words = bare.split()
        if len(words) <= 15 and (_FURNITURE_RE.search(bare) or _SOCIAL_ONLY.match(bare) or _PHOTO_CREDIT.match(bare)):
            removed.append(line)
            continue
        if len(words) <= 14 and DATE_LINE.match(bare):
            removed.append(line)
            if result.date_text is None and find_date(bare):
                result.date_text = bare
            continue
        if is_credit_line(bare):
            removed.append(line)
            result.agencies.extend(find_agencies(bare))
            # "Antoine LLORCA avec l'AFP" is a byline and a credit; a copyright notice is not.
            byline = None if re.search(r"©|copyright", bare, re.I) else parse_byline(bare)
            if byline and result.byline is None:
                result.byline = byline[0]
            continue
        kept.append(line)
    return kept


# A date stamped at the very start of a scraped text, before the article: "date
# 2024-08-12 ...", "2019-04-15 | ...", "Published: 2024-10-09T08:30 ...". A stamp of
# a month only ("date 2019-04") dates nothing to the day but bounds the publication.
_DATE_STAMP = re.compile(
    r"^\s*(?:(?:date|dated|published|updated|publié(?:e)?(?: le)?|mis à jour(?: le)?|fecha|publicado|datum|"
    r"data|pubblicato)\s*:?\s*)?(?P<y>(?:19|20)\d{2})-(?P<m>0[1-9]|1[0-2])(?:-(?P<d>0[1-9]|[12]\d|3[01]))?"
    r"(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?:Z|[+-]\d{2}:?\d{2})?)?(?![\d-])\s*[|·•–—-]?\s*",
    re.I,
)


def _take_date_stamp(lines: list[str], removed: list[str]) -> tuple[str | None, tuple[int, int] | None] | None:
    """Take a leading date stamp off the first non-empty line (in place); returns the
    stamp as date text (a full date) or as (year, month), or None when there is none."""
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        match = _DATE_STAMP.match(line)
        if match is None:
            return None
        removed.append(match.group().strip())
        lines[index] = line[match.end():]
        if match.group("d"):
            return f"{match.group('y')}-{match.group('m')}-{match.group('d')}", None
        return None, (int(match.group("y")), int(match.group("m")))
    return None


# A line this long, or of several sentences, is a paragraph: a title is one short line.
# Chinese and Japanese say as much in about a third of the characters.
PARAGRAPH_CHARS = 200
PARAGRAPH_CHARS_UNSPACED = 80
_SENTENCE_END = re.compile(
    r"[.!?](?:[\"'”»’)\]]*)\s+(?=[\"'“«(]*[A-ZÀ-ÖØ-ÞА-ЯΑ-Ω\u0600-\u06ff\u0900-\u097f\u3040-\u9fff])|[。！？](?!$)"
)
_UNSPACED_CHAR = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\u0e00-\u0e7f]")


def is_paragraph(line: str) -> bool:
    """Over PARAGRAPH_CHARS, or several sentences over half that ("U.S. News" and
    "Mr. Smith goes to Washington" are short enough to stay titles)."""
    line = line.strip()
    limit = PARAGRAPH_CHARS_UNSPACED if len(_UNSPACED_CHAR.findall(line)) > len(line) / 3 else PARAGRAPH_CHARS
    return len(line) > limit or (len(line) > limit / 2 and bool(_SENTENCE_END.search(line)))


def lead_title(text: str, limit: int = 160) -> str:
    """A title for an article that has none: its first sentence, cut at a word boundary
    (with "…") when longer than ``limit`` characters."""
    first = text.strip().split("\n", 1)[0]
    match = _SENTENCE_END.search(first)
    sentence = first[: match.start() + 1] if match else first
    if len(_UNSPACED_CHAR.findall(sentence)) > len(sentence) / 3:
        limit = PARAGRAPH_CHARS_UNSPACED
        if len(sentence) > limit:
            return sentence[:limit] + "…"
    if len(sentence) <= limit:
        return sentence.strip()
    cut = sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:–-")
    return cut + "…"


def _take_bylines(kept: list[str], result: CleanResult) -> None:
    """Bylines sit in the last lines or right under the title; take them out as metadata."""
    content = [i for i, line in enumerate(kept) if line]
    candidates = content[-4:] + content[:2]
    for index in candidates:
        parsed = parse_byline(kept[index])
        if parsed is None:
            continue
        byline, agencies = parsed
        if result.byline is None:
            result.byline = byline
        result.agencies.extend(agencies)
        result.removed.append(kept[index])
        kept[index] = ""


def _paragraphs(kept: list[str]) -> list[str]:
    paragraphs: list[str] = []
    current: list[str] = []
    for line in kept + [""]:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    return paragraphs
