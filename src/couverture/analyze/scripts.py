"""Writing systems: what a word is in each, and how a name is spelt in Latin letters.

Three things the lexical and entity features need and that Latin-script rules get
wrong elsewhere:

- A word includes its combining marks. Devanagari vowel signs, Arabic harakat and
  Thai tone marks are not ``\\w`` for Python's ``re``, so ``\\w+`` cuts "राष्ट्रपति"
  into six fragments. ``WORD`` keeps them.
- Chinese, Japanese and Thai put no spaces between words. Without a dictionary, the
  usual answer in retrieval is overlapping character bigrams ("開会式" -> "開会",
  "会式"): two texts on one event share many of them, two unrelated texts few.
  Runs of hiragana (Japanese grammar: particles, endings) are dropped first, so
  the bigrams come from the content words written in kanji and katakana.
- Names in Cyrillic, Arabic, Hebrew, Devanagari or katakana must meet their Latin
  forms. ``latin`` transliterates (anyascii) and ``name_skeleton`` reduces a
  transliterated name to its consonants, so that "Macron", "Макрон" (makron),
  "ماكرون" (mkrwn) and "マクロン" (makuron) all give "mkrn".
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


def _combining_marks() -> str:
    """A character class body with every combining mark (Mn, Mc, Me) as ranges."""
    ranges: list[tuple[int, int]] = []
    # The marks in use sit below U+20000, plus the variation selectors supplement:
    # scanning only those keeps the import cheap (a few ms, not a third of a second).
    for code in (*range(0x20000), *range(0xE0100, 0xE01F0)):
        if unicodedata.category(chr(code)) in ("Mn", "Mc", "Me"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)


MARKS = _combining_marks()
# A word: letters and digits with their combining marks, inner hyphens and apostrophes
# kept ("Jong-un", "aujourd'hui"). A word never starts with a mark or an underscore.
WORD = re.compile(rf"[^\W_][\w{MARKS}]*(?:[-'’][\w{MARKS}]+)*")

# Scripts written without spaces between words: CJK ideographs (with the
# compatibility and extension blocks in use), kana, Thai, Lao, Khmer, Myanmar.
_UNSPACED = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff"  # hiragana, katakana
    "\u31f0-\u31ff"  # katakana phonetic extensions
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff66-\uff9f"  # half-width katakana
)
UNSPACED_RUN = re.compile(f"[{_UNSPACED}]+")
_HIRAGANA_RUN = re.compile("[\u3040-\u309f]+")
_KATAKANA_RUN = re.compile("[\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f]{2,}")


def has_unspaced(token: str) -> bool:
    return UNSPACED_RUN.search(token) is not None


def unspaced_terms(token: str) -> list[str]:
    """The terms of a token written without spaces: character bigrams of each run of
    kanji/katakana/Thai (a run of one character stands alone), each katakana word
    whole besides (a name or a loanword: "マクロン"), plus any spaced part (Latin
    letters, digits) as it is. Hiragana runs split runs and are dropped."""
    terms: list[str] = []
    position = 0
    for match in UNSPACED_RUN.finditer(token):
        if match.start() > position:
            terms.append(token[position:match.start()])
        for run in _HIRAGANA_RUN.split(match.group()):
            if len(run) == 1:
                terms.append(run)
            else:
                terms.extend(run[i:i + 2] for i in range(len(run) - 1))
            terms.extend(katakana_words(run))
        position = match.end()
    if position < len(token):
        terms.append(token[position:])
    return [term for term in terms if term]


def katakana_words(text: str) -> list[str]:
    """Runs of three or more katakana: in Japanese news, mostly foreign names and
    loanwords ("マクロン", "セーヌ"), the names that can meet their Latin forms."""
    words = []
    for run in _KATAKANA_RUN.findall(text):
        for word in run.split("・"):
            word = word.strip("ー")
            if len(word) >= 3:
                words.append(word)
    return words


def is_katakana(word: str) -> bool:
    return _KATAKANA_RUN.fullmatch(word) is not None


# Scripts without capital letters: a name cannot be told from a word by its first
# letter, so their entity candidates come from other cues (see entities.py).
_CASELESS = re.compile(
    "[\u0590-\u05ff"  # Hebrew
    "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff"  # Arabic
    "\u0900-\u0dff"  # Indic scripts
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"  # Thai, Lao, Myanmar, Khmer
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]"  # kana, CJK, Hangul
)


def is_caseless(word: str) -> bool:
    return _CASELESS.search(word) is not None


# Arabic clitics glued to a word: the article al- and the conjunctions and prepositions
# that come before it (wa-, fa-, bi-, li-, ka-), and the commonest endings. Stripping
# them (a "light" stemmer in the manner of Larkey's) lets "البابا", "والبابا" and
# "للبابا" count as one term. Only words long enough to keep three letters are touched.
_AR_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال", "و")
_AR_SUFFIXES = ("ها", "ية", "ة")
_AR_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u0640]")  # harakat, dagger alif, tatweel


def arabic_light_stem(word: str) -> str:
    word = _AR_DIACRITICS.sub("", word)
    for prefix in _AR_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            word = word[len(prefix):]
            break
    for suffix in _AR_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word


@lru_cache(maxsize=100_000)
def latin(text: str) -> str:
    """``text`` in Latin letters, lower case (anyascii: one transliteration per script)."""
    from anyascii import anyascii

    return anyascii(text).lower()


# Spellings that differ between transliteration schemes more than between languages.
_DIGRAPHS = (("ph", "f"), ("kh", "h"), ("sh", "s"), ("ch", "k"), ("th", "t"), ("gh", "g"), ("ck", "k"),
             ("qu", "k"), ("x", "ks"), ("ts", "s"), ("tz", "s"), ("dj", "j"))
_SOFT_C = re.compile(r"c(?=[eiy])")


@lru_cache(maxsize=100_000)
def name_skeleton(name: str) -> str:
    """The consonant skeleton of a name in any script: transliterated, digraphs folded,
    vowels (and the w, y, h that stand for vowels in Arabic and Hebrew spellings)
    dropped, doubled letters made single. "Biden", "Байден", "بايدن" and "बाइडेन" all
    give "bdn". Used as an extra entity atom, never as the entity's key: skeletons of
    different names collide more often than names do, and IDF weighs that."""
    text = re.sub(r"[^a-z]", "", latin(name))
    for digraph, single in _DIGRAPHS:
        text = text.replace(digraph, single)
    text = _SOFT_C.sub("s", text).replace("c", "k").replace("q", "k").replace("z", "s")
    text = re.sub(r"[aeiouywh]", "", text)
    return re.sub(r"(.)\1+", r"\1", text)
