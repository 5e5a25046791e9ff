"""Names of places and people that are spelled differently across languages.

Matching entities across languages needs one key per referent: "Poutine", "Putin"
and "Путин" are one person, "Corée du Nord", "Nordkorea", "Corea del Nord" one
country. Keys are accent-free lowercase English forms. The table covers the
countries and leaders that news mentions most; names that are spelled the same
everywhere (most people) need no entry.
"""
from __future__ import annotations

from ..folding import fold_alias as _fold

_GROUPS: dict[str, tuple[str, ...]] = {
    "putin": ("poutine", "putin", "putyin", "putine"),
    "zelensky": ("zelensky", "zelenski", "zelenskyy", "zelenskij", "zelenskyj", "selenskyj", "zelenskiy"),
    "xi jinping": ("xi jinping", "xi jin ping"),
    "kim jong un": ("kim jong un", "kim jong-un", "kim jong‑un"),
    "north korea": ("coree du nord", "north korea", "nordkorea", "corea del nord", "corea del norte", "rpdc", "dprk",
                    "republique populaire democratique de coree", "democratic people s republic of korea"),
    "south korea": ("coree du sud", "south korea", "sudkorea", "suedkorea", "corea del sud", "corea del sur"),
    "russia": ("russie", "russia", "russland", "rusia", "russian federation", "federation de russie"),
    "ukraine": ("ukraine", "ucraina", "ucrania"),
    "united states": ("etats unis", "etats-unis", "united states", "usa", "us", "u s", "vereinigte staaten", "stati uniti",
                      "estados unidos", "eeuu", "ee uu", "america"),
    "united kingdom": ("royaume uni", "united kingdom", "uk", "britain", "great britain", "grossbritannien",
                       "regno unito", "reino unido", "gran bretagna", "gran bretana"),
    "germany": ("allemagne", "germany", "deutschland", "germania", "alemania"),
    "france": ("france", "frankreich", "francia"),
    "italy": ("italie", "italy", "italien", "italia"),
    "spain": ("espagne", "spain", "spanien", "spagna", "espana"),
    "england": ("angleterre", "england", "inghilterra", "inglaterra"),
    "china": ("chine", "china", "cina"),
    "japan": ("japon", "japan", "giappone"),
    "taiwan": ("taiwan", "taïwan", "taiwan"),
    "vietnam": ("vietnam", "viet nam", "viêt nam"),
    "european union": ("union europeenne", "european union", "europaische union", "europaeische union", "unione europea",
                       "union europea", "ue", "eu"),
    "united nations": ("onu", "nations unies", "united nations", "un", "uno", "vereinte nationen", "nazioni unite",
                       "naciones unidas"),
    "nato": ("otan", "nato"),
    "washington": ("washington",),
    "moscow": ("moscou", "moscow", "moskau", "mosca", "moscu"),
    "beijing": ("pekin", "beijing", "peking", "pechino"),
    "seoul": ("seoul", "seul"),
    "pyongyang": ("pyongyang", "pjongjang", "piongyang"),
    "hanoi": ("hanoi", "hanoï"),
    "kyiv": ("kiev", "kyiv", "kiew", "kyjiw"),
    "london": ("londres", "london", "londra"),
    "munich": ("munich", "munchen", "muenchen", "monaco di baviera", "munich"),
    "berlin": ("berlin", "berlino", "berlín"),
    "rome": ("rome", "roma", "rom"),
    "vatican": ("vatican", "vatikan", "vaticano"),
    "pope": ("pape", "pope", "papst", "papa"),
    "white house": ("maison blanche", "white house", "weisses haus", "casa bianca", "casa blanca"),
    "state department": ("departement d etat", "state department", "department of state", "aussenministerium",
                         "dipartimento di stato", "departamento de estado"),
    "kremlin": ("kremlin", "kreml", "cremlino"),
    "biden": ("biden",),
    "trump": ("trump",),
    "macron": ("macron",),
    "paris": ("paris", "parigi", "parís"),
    "brussels": ("bruxelles", "brussels", "brussel", "brüssel", "bruselas"),
    "europe": ("europe", "europa"),
    "israel": ("israel", "israël", "israele"),
    "gaza": ("gaza",),
    "lebanon": ("liban", "lebanon", "libanon", "libano", "líbano"),
    "iran": ("iran", "irán"),
    "turkey": ("turquie", "turkey", "turkei", "tuerkei", "turchia", "turquia", "türkiye", "turkiye"),
    "syria": ("syrie", "syria", "syrien", "siria"),
    "greece": ("grece", "greece", "griechenland", "grecia"),
    "switzerland": ("suisse", "switzerland", "schweiz", "svizzera", "suiza"),
    "belgium": ("belgique", "belgium", "belgien", "belgio", "belgica"),
    "netherlands": ("pays bas", "netherlands", "niederlande", "paesi bassi", "paises bajos"),
    "poland": ("pologne", "poland", "polen", "polonia"),
    "mexico": ("mexique", "mexico", "mexiko", "messico"),
    "brazil": ("bresil", "brazil", "brasilien", "brasile", "brasil"),
    "india": ("inde", "india", "indien"),
    "egypt": ("egypte", "egypt", "agypten", "aegypten", "egitto", "egipto"),
    "valencia": ("valence", "valencia", "valenza"),
}



ALIASES: dict[str, str] = {}
for key, spellings in _GROUPS.items():
    for spelling in spellings:
        ALIASES[_fold(spelling)] = key
    if spellings:
        ALIASES.setdefault(key, key)

# The keys above that are people; the rest are places, countries and bodies. A quote's
# pronoun may pass over "Séoul" or "the Kremlin" on its way back to its speaker, never
# over another person.
PEOPLE = frozenset({"putin", "zelensky", "xi jinping", "kim jong un", "pope", "biden", "trump", "macron"})
NOT_PEOPLE = frozenset(set(_GROUPS) - PEOPLE)
KNOWN_KEYS = frozenset(ALIASES.values())  # every referent the table knows, people and places
