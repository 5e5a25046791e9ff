"""Where aligned statements disagree: a number, a date, a place or a speaker.

A number is only compared with a number *of the same kind*: "48 morts" and "55
dead" are both death tolls and disagree; "article 4" is a label, "23 articles" a
count of something else, and neither is a toll. Kinds come from the words around
the number in five languages (deaths, injured, missing, magnitude, percent, seats,
score, money, age); other numbers are compared only within one language and with
the same unit word. Dates are compared when both statements give a day; places
when both name a known city or country after a locative preposition and neither
article mentions the other's place at all (Hanoi is in Vietnam: no divergence).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..analyze.numbers import extract_dates
from ..analyze.tokens import lemma, strip_accents

NUMBER = re.compile(r"(?<![\w.,:])(\d{1,3}(?:[  .,’'](?=\d{3}\b)\d{3})+|\d+)(?:([.,])(\d+))?(?![\w])")
SCORE = re.compile(r"(?<![\w.,:-])(\d{1,2})\s?[-–:]\s?(\d{1,2})(?![\w.,:-]|\s?(?:h|uhr|heures)\b)")

RANGE = re.compile(
    r"(?:\b(?:entre|between|tra|fra|zwischen|de)\s+)?(?<![\w.,:])(?P<low>\d{1,6})\s?(?:[-–]|\s(?:et|and|e|und|y|à|a|bis|to)\s)\s?(?P<high>\d{1,6})(?![\w.,:]\d)"
)

NUMBER_WORDS = {
    w: n
    for n, words in {
        1: "one un une uno una ein eine",
        2: "two deux due zwei dos",
        3: "three trois tre drei tres",
        4: "four quatre quattro vier cuatro",
        5: "five cinq cinque fünf cinco",
        6: "six sei sechs seis",
        7: "seven sept sette sieben siete",
        8: "eight huit otto acht ocho",
        9: "nine neuf nove neun nueve",
        10: "ten dix dieci zehn diez",
        11: "eleven onze undici elf once",
        12: "twelve douze dodici zwölf doce",
        15: "fifteen quinze quindici fünfzehn quince",
        20: "twenty vingt venti zwanzig veinte",
    }.items()
    for w in words.split()
}
_WORD_NUMBER = re.compile(r"(?<![\w-])(" + "|".join(sorted((w for w in NUMBER_WORDS if len(w) > 3 or w in
                                                             {"two", "six", "ten", "due", "tre", "dos", "tres", "sei", "dix", "uno", "vier", "acht", "neun", "elf"}),
                                                            key=len, reverse=True)) + r")(?![\w-])", re.I)

# Words right before a number that make it a label, not a quantity.
_LABELS = frozenset(
    """article articles art articolo articoli artículo artículos artikel section sezione sección abschnitt chapter chapitre
    capitolo capítulo kapitel resolution résolution risoluzione resolución resolutions page pagina página seite
    paragraph paragraphe alinéa comma absatz apartado point punto punkt numéro numero número nummer no n° nr
    flight vol volo flug vuelo route road highway autoroute autostrada autobahn carretera line ligne linea linie
    línea gate porte platform quai binario gleis andén level niveau livello stufe nivel room chambre stanza zimmer
    habitación version versione versión edition édition edizione ausgabe edición season saison stagione staffel
    temporada vol. art. n. no. nr.""".split()
)

# Kinds of quantity and the words (accent-free, lowercase prefixes) that signal them.
_KINDS: list[tuple[str, tuple[str, ...]]] = [
    ("deaths", ("mort", "tue", "deces", "decede", "victime", "dead", "death", "died", "die", "killed", "killing",
                "fatalit", "tote", "todesopfer", "umgekommen", "gestorben", "morti", "morto", "vittim", "decedut",
                "muert", "fallecid", "victima", "perdieron la vida", "ums leben", "hanno perso la vita", "toll", "bilan",
                "bilancio", "balance", "death toll")),
    ("injured", ("blesse", "injur", "wounded", "hurt", "verletz", "ferit", "herid")),
    ("missing", ("disparu", "missing", "vermisst", "dispers", "desaparecid")),
    ("magnitude", ("magnitude", "magnitudo", "magnitud", "starke", "richter")),
    ("percent", ("%", "pour cent", "per cent", "percent", "prozent", "por ciento", "per cento")),
    ("seats", ("siege", "seat", "sitz", "seggi", "seggio", "escano", "mandat")),
    ("money", ("euro", "€", "dollar", "$", "£", "pound", "livre", "sterlin", "yen", "yuan", "rouble", "ruble")),
    ("age", ()),
]
_ARTICLES = frozenset("i gli le la les the der die den des los las el il".split())
_PEOPLE = ("personne", "people", "person", "menschen", "persone", "personas", "habitant", "resident", "civil")
_AGE_BEFORE = ("aged", "age", "age", "agee", "agé", "eta", "edad", "alter", "los")
_YEAR = re.compile(r"^(?:1[89]|20)\d\d$")
_TIME_AFTER = re.compile(r"^\s?(?:h\b|h\d|heures?\b|uhr\b|:\d\d|ore\b|horas?\b|a\.?m\b|p\.?m\b|hours?\b|Uhr)", re.I)


@dataclass(frozen=True)
class Quantity:
    kind: str  # "deaths", "magnitude", … or "unit:<lang>:<lemma>" for other counts
    value: str  # normalised: "48", "7.5", "2-1"
    text: str  # as written, with its unit word: "48 morts"


def _normalise(whole: str, sep: str | None, frac: str | None) -> str:
    digits = re.sub(r"\D", "", whole)
    if frac is not None and len(frac) == 3 and whole.isdigit() and len(whole) <= 3:
        return str(int(digits + frac))  # "2,500" / "2.500": thousands
    if frac is not None:
        return f"{int(digits)}.{frac.rstrip('0') or '0'}".rstrip(".")
    return str(int(digits))


def _fold(text: str) -> str:
    return strip_accents(text).lower()


def _kind_of(before: str, after: str, sentence: str, lang: str) -> str | None:
    before_words = _fold(before).split()
    after_folded = _fold(after)
    after_words = after_folded.split()
    while len(after_words) > 1 and after_words[0] in _ARTICLES:
        after_words = after_words[1:]  # "48 i morti", "30 der Toten"
    previous = before_words[-1].strip("(«“\"'") if before_words else ""
    if previous in _LABELS or previous.rstrip(".") in _LABELS:
        return None
    if _TIME_AFTER.match(after):
        return None
    head = " ".join(after_words[:3])
    for kind, signals in _KINDS:
        if kind in ("magnitude",):
            window = " ".join(before_words[-4:]) + " " + head
            if any(s in window for s in signals):
                return kind
            continue
        if kind == "age":
            if head.startswith(("years old", "year-old", "-year-old", "jahre alt")) or any(
                w in _AGE_BEFORE for w in before_words[-2:]
            ):
                return "age"
            continue
        if kind == "money":
            if any(head.startswith(s) for s in signals) or (before_words and any(before_words[-1].endswith(s) for s in ("€", "$", "£"))):
                return kind
            continue
        if any(head.startswith(s) or (" " not in s and after_words and after_words[0].startswith(s)) for s in signals):
            return kind
        if kind == "percent" and after.lstrip().startswith("%"):
            return kind
    if after_words and after_words[0].startswith(_PEOPLE):
        # "9 people were killed" / "killing 9 people" / "9 personnes ont été tuées"
        near = " ".join(before_words[-3:] + after_words[:5])
        for kind, signals in _KINDS[:3]:
            if any(s in near for s in signals if len(s) > 3):
                return kind
        return "people"
    if before_words and any(s in " ".join(before_words[-4:]) for s in ("toll", "bilan", "bilancio", "balance", "todesopfer")):
        return "deaths"
    if after_words:
        word = re.sub(r"[^\w-]", "", after_words[0])
        if word and not word.isdigit() and len(word) > 2:
            return f"unit:{lang}:{lemma(word, lang)}"
    return None


def quantities(sentence: str, lang: str) -> list[Quantity]:
    """The quantities a sentence states, each with its kind; labels, years, times and dates left out."""
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for match in SCORE.finditer(sentence):
        a, b = int(match.group(1)), int(match.group(2))
        context = _fold(sentence)
        if any(w in context for w in ("score", "match", "final", "victoire", "vittoria", "sieg", "victoria", "battu", "beat",
                                      "gana", "gewinnt", "vince", "remont", "but", "goal", "gol", "tor", "partido",
                                      "partita", "spiel", "rencontre", "game")):
            out.append(Quantity("score", f"{max(a, b)}-{min(a, b)}", match.group(0)))
            taken.append(match.span())
    for match in RANGE.finditer(sentence):
        if any(s <= match.start() < e for s, e in taken):
            continue
        low, high = match.group("low"), match.group("high")
        after = sentence[match.end():]
        kind = _kind_of(sentence[: match.start()], after, sentence, lang)
        if kind is None or int(low) >= int(high):
            continue
        unit = after.split()[0].strip(",.;:()«»“”\"") if after.split() else ""
        out.append(Quantity(kind, f"{int(low)}-{int(high)}", f"{match.group(0)} {unit}".strip()))
        taken.append(match.span())
    date_spans = [m.span() for m in _DATE_LIKE.finditer(sentence)]
    for match in NUMBER.finditer(sentence):
        if any(s <= match.start() < e for s, e in taken + date_spans):
            continue
        value = _normalise(match.group(1), match.group(2), match.group(3))
        if _YEAR.match(value) and match.group(2) is None:
            continue
        before, after = sentence[: match.start()], sentence[match.end():]
        kind = _kind_of(before, after, sentence, lang)
        if kind is None:
            continue
        unit = after.split()[0].strip(",.;:()«»“”\"") if after.split() else ""
        out.append(Quantity(kind, value, f"{match.group(0)} {unit}".strip()))
    for match in _WORD_NUMBER.finditer(sentence):
        before, after = sentence[: match.start()], sentence[match.end():]
        kind = _kind_of(before, after, sentence, lang)
        if kind in ("deaths", "injured", "missing", "people"):
            unit = after.split()[0] if after.split() else ""
            out.append(Quantity(kind, str(NUMBER_WORDS[match.group(1).lower()]), f"{match.group(0)} {unit}".strip()))
    return out


_DATE_LIKE = re.compile(
    r"\b\d{1,2}(?:er|st|nd|rd|th|º)?\.?\s+(?:de\s+)?(?:jan|fév|feb|mar|avr|apr|mai|may|jui|jun|jul|aoû|aug|ago|sep|set|oct|okt|ott|nov|déc|dec|dez|dic|gen|genn|ene|giu|lug|juil|janv|févr|märz|mär|mag)\w*\.?"
    r"|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b",
    re.I,
)

_STRONG = {"deaths", "injured", "missing", "magnitude", "percent", "seats", "score", "money", "age"}


def comparable(kind: str, lang_a: str, lang_b: str) -> bool:
    """Strong kinds compare across languages; a plain unit word only within one language."""
    if kind in _STRONG:
        return True
    if kind.startswith("unit:"):
        return kind.split(":")[1] == lang_a == lang_b
    return False


# --- places ---------------------------------------------------------------------------

CITY_IN = {
    "washington": "united states", "moscow": "russia", "beijing": "china", "seoul": "south korea",
    "pyongyang": "north korea", "hanoi": "vietnam", "kyiv": "ukraine", "london": "united kingdom",
    "munich": "germany", "berlin": "germany", "rome": "italy", "vatican": "italy", "paris": "france",
    "brussels": "belgium", "valencia": "spain",
}
COUNTRIES = frozenset(
    {"united states", "russia", "china", "south korea", "north korea", "vietnam", "ukraine", "united kingdom",
     "germany", "france", "italy", "spain", "england", "japan", "taiwan", "israel", "lebanon", "iran", "turkey",
     "syria", "greece", "switzerland", "belgium", "netherlands", "poland", "mexico", "brazil", "india", "egypt"}
)
_LOCATIVE = frozenset("à au aux en in im nel nella a at dans bei near près".split())


def _place_kind(key: str) -> str | None:
    if key in CITY_IN:
        return "city"
    if key in COUNTRIES:
        return "country"
    return None


def related_places(a: str, b: str) -> bool:
    """The same place, or a city and the country it is in."""
    return a == b or CITY_IN.get(a) == b or CITY_IN.get(b) == a


def located_places(sentence: str, entities: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(key, text) of known places that follow a locative preposition in ``sentence``."""
    out = []
    for text, key in entities:
        if _place_kind(key) is None:
            continue
        for match in re.finditer(re.escape(text), sentence):
            words = sentence[: match.start()].split()
            previous = words[-1].lower() if words else ""
            if previous in _LOCATIVE or previous in {"la", "le", "l’", "l'", "the"} and len(words) > 1 and words[-2].lower() in _LOCATIVE:
                out.append((key, text))
                break
    return out


def date_set(sentence: str) -> set[str]:
    """Day-level dates ("2024-06-20", "--06-20") written in the sentence."""
    return {d for d in extract_dates(sentence) if d.count("-") >= 2 and len(d.rsplit("-", 1)[-1]) == 2}


def same_day(a: str, b: str) -> bool:
    return a[-5:] == b[-5:] and (a.startswith("--") or b.startswith("--") or a == b)


# --- finding them -----------------------------------------------------------------------

_PAST_EVENT = re.compile(
    r"^\W*(?:in|en|nel|im|dans|au|durante|during|back\s+in|already\s+in|déjà\s+en|già\s+nel|bereits|schon)\s+"
    r"(?:\w+\s+)?((?:19|20)\d\d)\b", re.I)


def find_divergences(alignment, articles, family_of: dict[str, str], entity_keys: dict[str, set[str]],
                     story_years: set[int] | None = None) -> list[dict]:
    """Numbers, dates and places on which aligned statements of different sources disagree."""
    statements = alignment.statements
    n = len(statements)
    if n == 0:
        return []
    family = [family_of.get(s.article_id, s.article_id) for s in statements]
    matched = {(min(u, v), max(u, v)) for u, v, _ in alignment.pairs}
    def background(s) -> bool:
        # "In 1999, a magnitude 7.6 quake killed 2,400": another event, not this story's figures.
        match = _PAST_EVENT.match(s.text)
        return bool(match) and (not story_years or int(match.group(1)) not in story_years)

    found = {s.uid: quantities(s.text, s.lang) for s in statements}
    edges: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for (u, v) in sorted(_quantity_pairs(alignment, found, family)):
        a, b = statements[u], statements[v]
        if background(a) or background(b):
            continue
        for kind in {q.kind for q in found[u]} & {q.kind for q in found[v]}:
            if not comparable(kind, a.lang, b.lang):
                continue
            left = {q.value for q in found[u] if q.kind == kind}
            right = {q.value for q in found[v] if q.kind == kind}
            # One figure each: a sentence giving several (shares of several parties) cannot say which is which.
            if len(left) == 1 and len(right) == 1 and not overlap(next(iter(left)), next(iter(right))):
                edges.setdefault(("number", kind), []).append((u, v))
    for u, v in sorted(matched):
        a, b = statements[u], statements[v]
        if background(a) or background(b):
            continue
        left_dates, right_dates = date_set(a.text), date_set(b.text)
        if left_dates and right_dates and not any(same_day(x, y) for x in left_dates for y in right_dates):
            edges.setdefault(("date", "date"), []).append((u, v))
        for kind in ("city", "country"):
            left_places = [p for p in located_places(a.text, _entities_of(articles, a)) if _place_kind(p[0]) == kind]
            right_places = [p for p in located_places(b.text, _entities_of(articles, b)) if _place_kind(p[0]) == kind]
            if len(left_places) == 1 and len(right_places) == 1:
                x, y = left_places[0][0], right_places[0][0]
                if not related_places(x, y) and not _mentions(entity_keys[family[v]], x) and not _mentions(entity_keys[family[u]], y):
                    edges.setdefault(("place", kind), []).append((u, v))

    out = []
    for (kind, what), pairs in edges.items():
        parent: dict[int, int] = {}

        def find(x: int) -> int:
            parent.setdefault(x, x)
            while parent[x] != x:
                x = parent[x]
            return x

        for u, v in pairs:
            parent[find(u)] = find(v)
        components: dict[int, list[int]] = {}
        for uid in parent:
            components.setdefault(find(uid), []).append(uid)
        for members in components.values():
            versions: dict[str, dict] = {}
            for uid in sorted(members):
                s = statements[uid]
                values = _values(kind, what, s, found[uid], articles)
                key = ", ".join(values)
                version = versions.setdefault(key, {"value": key, "article_ids": [], "statements": []})
                if s.article_id not in version["article_ids"]:
                    version["article_ids"].append(s.article_id)
                version["statements"].append({"article_id": s.article_id, "sentence": s.index, "text": s.text})
            if len(versions) < 2:
                continue
            out.append({"kind": kind, "what": what, "versions": sorted(versions.values(), key=lambda v: v["value"])})
    out.sort(key=lambda d: (d["kind"], d["what"]))
    return out


QUANTITY_THRESHOLD = 0.45  # two statements giving the same kind of figure, each the other's closest


def _quantity_pairs(alignment, found, family) -> set[tuple[int, int]]:
    """Pairs of statements that give a figure of the same kind and are each other's closest such statement."""
    statements = alignment.statements
    pairs: set[tuple[int, int]] = set()
    kinds = {q.kind for qs in found.values() for q in qs}
    for kind in kinds:
        holders = [s.uid for s in statements if any(q.kind == kind for q in found[s.uid])]
        by_article: dict[int, list[int]] = {}
        for uid in holders:
            by_article.setdefault(statements[uid].article, []).append(uid)
        best: dict[tuple[int, int], int] = {}
        for u in holders:
            for article, others in by_article.items():
                if article == statements[u].article:
                    continue  # a copy or a translation that changed a figure is a divergence too
                v = max(others, key=lambda x: alignment.score[u, x])
                if alignment.score[u, v] >= QUANTITY_THRESHOLD:
                    best[(u, article)] = v
        for (u, article), v in best.items():
            if best.get((v, statements[u].article)) == u:
                pairs.add((min(u, v), max(u, v)))
    return pairs


def overlap(a: str, b: str) -> bool:
    """Equal values, or a value inside a range ("182" and "172-192")."""
    def bounds(value: str) -> tuple[float, float]:
        if re.fullmatch(r"\d+-\d+", value):
            low, high = value.split("-")
            return float(low), float(high)
        number = float(value)
        return number, number

    if a == b:
        return True
    try:
        (a1, a2), (b1, b2) = bounds(a), bounds(b)
    except ValueError:
        return False
    if "-" in a and "-" in b:
        return False  # two different scores or two different ranges
    return a1 <= b2 and b1 <= a2


def _values(kind: str, what: str, statement, quantities_: list[Quantity], articles) -> list[str]:
    if kind == "number":
        seen = []
        for q in quantities_:
            if q.kind == what and q.value not in seen:
                seen.append(q.value)
        return seen
    if kind == "date":
        return sorted(date_set(statement.text))
    places = [p for p in located_places(statement.text, _entities_of(articles, statement)) if _place_kind(p[0]) == what]
    return [places[0][1]] if places else []


def _entities_of(articles, statement) -> list[tuple[str, str]]:
    article = articles[statement.article]
    return [(text, key) for text, key, index in (article.features or {}).get("entities", []) if index == statement.index]


def _mentions(keys: set[str], place: str) -> bool:
    return place in keys or any(CITY_IN.get(k) == place or CITY_IN.get(place) == k for k in keys)
