"""Speech verbs, pronouns and role words for fr, en, it, de and es.

Quote attribution rests on these lists: a quote gets a speaker only when a speech
verb links them. Each list is per language; an article whose language is not
listed is read with all of them.
"""
from __future__ import annotations

import re
from functools import lru_cache

# Past participles (after an auxiliary: "a déclaré", "has said", "ha detto").
_PARTICIPLES = {
    "fr": """menacé déclaré dit affirmé ajouté annoncé expliqué estimé souligné assuré précisé indiqué accusé averti prévenu
        insisté martelé lancé confié répondu rappelé noté qualifié commenté jugé reconnu admis argumenté poursuivi
        conclu dénoncé réagi écrit tweeté raconté répété observé témoigné relevé promis salué regretté déploré plaidé
        asséné tranché résumé confirmé démenti avancé lâché glissé ironisé réclamé demandé signalé soutenu fustigé
        parlé appelé évoqué fait\\s+valoir fait\\s+savoir mis\\s+en\\s+garde prévenu interpellé protesté objecté renchéri concédé
        détaillé martelé clamé proclamé déclarée dite affirmée ajoutée annoncée expliquée estimé assurée précisée
        indiquée confiée répondue lancée admise reconnue""",
    "en": """said told added stated explained announced warned noted insisted declared wrote tweeted replied continued
        recalled admitted acknowledged argued claimed commented urged confirmed stressed emphasised emphasized
        conceded maintained observed remarked suggested testified promised vowed predicted complained described
        called accused apologised apologized asserted reiterated cautioned""",
    "it": """detto dichiarato affermato aggiunto spiegato sottolineato annunciato precisato commentato osservato
        avvertito ribadito concluso scritto assicurato ammesso riconosciuto denunciato parlato definito chiesto
        risposto raccontato confermato evidenziato insistito accusato rimarcato puntualizzato dichiarata detta
        affermata aggiunta spiegata sottolineata annunciata""",
    "de": """gesagt erklärt betont gemeint gewarnt geschrieben mitgeteilt angekündigt hinzugefügt eingeräumt bekräftigt
        versichert geäußert gefordert kritisiert bestätigt berichtet erläutert ergänzt gemahnt""",
    "es": """dicho afirmado asegurado declarado añadido explicado señalado indicado advertido subrayado anunciado
        comentado manifestado reconocido admitido destacado insistido apuntado sostenido agregado precisado
        recalcado calificado denunciado respondido escrito""",
}

# Finite forms used on their own ("déclare", "said", "sagte", "afirmó").
_FINITE = {
    "fr": """déclare dit affirme ajoute annonce explique estime souligne assure précise indique accuse avertit prévient
        insiste martèle lance confie répond rappelle note juge reconnaît admet argumente argumenta poursuit conclut
        dénonce réagit écrit raconte observe déclara affirma ajouta expliqua assura lança répondit souligna nota
        précisa estima indiqua insista poursuivit résume tranche lâche glisse ironise renchérit plaide""",
    "en": """said says told tells added adds stated states explained explains announced warned warns noted notes
        insisted declared wrote writes tweeted replied continued recalled admitted acknowledged argued argues
        claimed claims commented urged confirmed stressed emphasised emphasized conceded maintained observed
        remarked suggested testified promised vowed complained asserted reiterated cautioned""",
    "it": """dice spiega aggiunge sottolinea afferma dichiara osserva commenta conclude precisa ribadisce avverte
        disse spiegò aggiunse affermò dichiarò sottolineò precisò commentò osservò ribadì concluse scrive
        racconta assicura ammette denuncia""",
    "de": """sagte sagt erklärte erklärt betonte betont meinte meint warnte warnt schrieb schreibt bekräftigte
        versicherte äußerte forderte kritisierte bestätigte berichtete erläuterte ergänzte mahnte unterstrich
        verkündete räumte teilte kündigte fügte""",
    "es": """dijo dice afirmó afirma aseguró asegura declaró declara añadió añade explicó explica señaló señala
        indicó indica advirtió advierte subrayó subraya anunció anuncia comentó manifestó reconoció admitió
        destacó insistió apuntó sostuvo agregó precisó recalcó calificó denunció respondió escribió""",
}

_AUXILIARIES = {
    "fr": r"(?:a|ont|avait|avaient|aurait|a-t-il|a-t-elle|a-t-on|ont-ils|ont-elles|avait-il|avait-elle)",
    "en": r"(?:has|have|had|will\s+have|would\s+have)",
    "it": r"(?:ha|hanno|aveva|avevano|avrebbe)",
    "de": r"(?:hat|haben|hatte|hatten)",
    "es": r"(?:ha|han|había|habían|habría)",
}

# Adverbs that can sit between the auxiliary and the participle ("a également déclaré").
_ADVERBS = {
    "fr": r"(?:également|aussi|encore|ensuite|alors|notamment|lui|elle|enfin|déjà|pour\s+sa\s+part|de\s+son\s+côté|par\s+ailleurs|toutefois|cependant|ainsi|d['’]ailleurs|plus\s+tard|aussitôt)",
    "en": r"(?:also|later|then|previously|earlier|repeatedly|again|further|already|recently|once)",
    "it": r"(?:anche|poi|inoltre|già|ancora|invece|pure|infine)",
    "de": r"(?:auch|zudem|außerdem|dann|bereits|noch|weiter)",
    "es": r"(?:también|además|luego|ya|después|asimismo)",
}

# Prepositions that introduce a source: "selon X", "according to X", "laut X".
SOURCE_MARKERS = {
    "fr": r"(?:selon|d['’]après)",
    "en": r"(?:according\s+to)",
    "it": r"(?:secondo)",
    "de": r"(?:laut|so)",
    "es": r"(?:según)",
}

PRONOUNS = {
    "fr": {"il", "elle", "celui-ci", "celle-ci", "ce dernier", "cette dernière"},
    "en": {"he", "she"},
    "it": {"lui", "lei", "egli", "ella"},
    "de": {"er", "sie"},
    "es": {"él", "ella"},
}

# Subjects never to take as a speaker: plural pronouns, impersonal forms.
NON_SPEAKERS = {"ils", "elles", "on", "they", "we", "nous", "you", "vous", "loro", "sie", "wir", "ellos", "ellas",
                "it", "this", "cela", "ce", "ça", "es", "esto", "ciò", "questo"}

# Conjunctions that introduce the reported clause.
THAT = {
    "fr": r"(?:que|qu['’])",
    "en": r"(?:that)",
    "it": r"(?:che)",
    "de": r"(?:dass|daß)",
    "es": r"(?:de\s+que|que)",  # "advirtió a Seúl de que …"
}

# Words that may open a subject phrase without being part of it.
LEADING_NOISE = frozenset(
    """while whereas and but et mais tandis puis e ma mentre und aber während y pero mientras cependant however
    toutefois pourtant also aussi anche auch también meanwhile""".split()
)

DETERMINERS = frozenset(
    """le la les l un une des du de d the a an il lo gli i una uno un' der die das den dem des ein eine einer eines
    einem el los las su sa son ses his her its their leur""".split()
)

# Words that name a role, in all five languages (lowercase stems; German compounds
# such as "Nationaltrainer" or "IOC-Präsident" contain one).
ROLE_STEMS = tuple(
    """président presidente präsident president ministre minister ministro premier porte-parole spokesman
    spokeswoman spokesperson portavoce portavoz sprecher sprecherin chancelier chancellor kanzler kanzlerin
    cancelliere canciller sélectionneur seleccionador trainer coach entraîneur allenatore ct capitaine captain
    capitano kapitän capitán chef leader leiter líder dirigeant dirigente gouverneur governor governatore
    gouverneur gobernador gov maire mayor sindaco bürgermeister alcalde alcaldesa roi king re könig rey reine queen
    regina königin reina pape pope papa papst secrétaire secretary segretario sekretär secretario ambassadeur
    ambassador ambasciatore botschafter embajador directeur director direttore direktor directora ceo patron boss
    conseiller adviser advisor consigliere berater asesor commissaire commissioner commissario kommissar
    procureur prosecutor procuratore staatsanwalt fiscal général general generale generał sénateur senator
    senatore député deputy deputato abgeordneter diputado juge judge giudice richter juez rep representative
    analyst analyste analista expert esperto experto experte official responsable funzionario funcionario
    chairman chairwoman chair fondateur founder fondatore gründer fundador manager agent attorney lawyer avocat
    avvocato anwalt abogado police officer officier sheriff chief head moderator moderatorin habitant habitante
    resident residente witness témoin testimone zeuge testigo cardinal cardinale kardinal prince prince principe
    prinz príncipe professeur professor professore profesor doctor docteur dottore arzt médico
    vice-président vicepresidente capo mandatario mandataire machthaber""".split()
)

# Roles held by one person at the top of a state, a government, a team or a church: a
# definite "le chef du Kremlin", "il presidente russo", "el mandatario ruso" may stand for
# the person the article is about. Staff roles (spokesman, adviser, minister, expert) never do:
# a spokesman is somebody else than the leader he speaks for.
LEADER_ROLES = frozenset(
    """président presidente präsident president presidenta chef capo jefe jefa head leader líder dirigeant
    dirigente mandatario mandataire machthaber chancelier chancellor kanzler kanzlerin cancelliere canciller
    premier roi king re rey könig reine queen regina reina königin pape pope papa papst pontife pontefice
    pontífice sélectionneur seleccionador allenatore ct coach trainer entraîneur maire mayor sindaco alcalde
    alcaldesa bürgermeister bürgermeisterin gouverneur governor governatore gobernador""".split()
)
_LEADER_COMPOUND_DE = re.compile(r"(?:chef|präsident|kanzler|trainer|bürgermeister)(?:in)?\Z")
DEFINITE = frozenset("le la l the il lo el der die".split())


def is_leader_role(word: str, lang: str = "") -> bool:
    """"président", "capo", "Kremlchef", "Bundestrainerin": a role of the one person at the top."""
    lowered = word.lower()
    return lowered in LEADER_ROLES or (lang == "de" and bool(_LEADER_COMPOUND_DE.search(lowered)) and len(lowered) > 6)

ORG_WORDS = frozenset(
    """département department ministère ministry ministero ministerium ministerio maison house casa haus conseil
    council consiglio rat consejo université university università universität universidad parti party partito
    partei partido agence agency agenzia agentur agencia police polizei polizia policía comité committee comitato
    komitee comité cour court corte gericht tribunal tribunale bank banque banca banco bureau office ufficio amt
    oficina gouvernement government governo regierung gobierno armée army esercito armee ejército fondation
    foundation fondazione stiftung fundación union unione organisation organization organizzazione institut
    institute istituto instituto commission commissione kommission comisión assemblée assembly parlement parliament
    parlamento conférence conference conferenza konferenz conferencia episcopal épiscopale episcopale
    kremlin élysée pentagone pentagon palace palais palazzo palast palacio état etat state stato staat
    estado times post journal news herald tribune gazette guardian telegraph monde figaro zeitung corriere
    repubblica país mundo press presse stampa prensa tv television télévision channel network company compagnie
    société società gesellschaft empresa compañía firm firma group groupe gruppo grupo konzern corporation
    ministry sender""".split()
)

ORG_SUFFIXES_DE = ("gesellschaft", "ministerium", "behorde", "behoerde", "partei", "regierung", "verband", "konzern",
                   "polizei", "gericht", "kommission", "agentur", "institut", "zentrum", "bahn", "warte", "amt")

_cache: dict[str, dict[str, re.Pattern]] = {}


def _alternation(words: str) -> str:
    forms = sorted(set(words.split()), key=len, reverse=True)
    return "|".join(forms)


def languages(lang: str) -> list[str]:
    return [lang] if lang in _FINITE else list(_FINITE)


def verb_pattern(lang: str) -> str:
    """A regex (no anchors) matching a speech-verb group in ``lang``: "a également déclaré", "said"."""
    parts = []
    for code in languages(lang):
        participles = _alternation(_PARTICIPLES[code])
        finite = _alternation(_FINITE[code])
        aux = _AUXILIARIES[code]
        adv = _ADVERBS[code]
        parts.append(rf"{aux}\s+(?:{adv}\s+|,\s*{adv}\s*,\s+)*(?:{participles})")
        if code == "fr":
            # Inverted forms: "argumenta-t-il", "ajoute-t-elle", "dit-il".
            parts.append(rf"(?:{finite})(?:-t)?-(?:il|elle|on)")
        parts.append(rf"(?:{finite})")
    return "(?:" + "|".join(parts) + ")"


def patterns(lang: str) -> dict[str, re.Pattern]:
    """Compiled patterns for ``lang`` (cached)."""
    key = lang if lang in _FINITE else "*"
    if key in _cache:
        return _cache[key]
    verb = verb_pattern(lang)
    codes = languages(lang)
    source = "|".join(SOURCE_MARKERS[c] for c in codes)
    that = "|".join(THAT[c] for c in codes)
    compiled = {
        "verb": re.compile(rf"(?<![\w-])(?:{verb})(?![\w-])", re.I),
        "verb_start": re.compile(rf"^(?:{verb})(?![\w-])", re.I),
        "source": re.compile(rf"^(?:{source})\s+", re.I),
        # "que" as a word, or the elided "qu'" glued to the next one ("qu'il", "qu'aucune").
        "that": re.compile(rf"^(?:{that})(?:(?<=['’])|(?![\w]))\s*", re.I),
    }
    _cache[key] = compiled
    return compiled


@lru_cache(maxsize=20_000)
def is_role_word(word: str, lang: str = "") -> bool:
    """"ministre", "Ministerin", "IOC-Präsident" (and in German "Nationaltrainer") are roles; "Hawking" is not."""
    lowered = word.lower().strip(".,")
    if not lowered:
        return False
    if lowered in _ROLE_SET:
        return True
    if _ROLE_INFLECTED.match(lowered):  # plural, feminine: "ministres", "Ministerin"
        return True
    # Compounds: "Nationaltrainer", "Innenministerin" in German, "IOC-Präsident" in any language.
    return bool((_ROLE_COMPOUND_DE if lang == "de" else _ROLE_COMPOUND).search(lowered))


_ROLE_SET = frozenset(ROLE_STEMS)
# The rules above as three patterns, one pass each instead of a loop over every stem
# (a story's first show asks about 400 words: 86 ms in Python loops, a few in patterns).
# Stems under four letters are too short to be found inside other words.
_LONG_STEMS = "|".join(re.escape(stem) for stem in sorted({s for s in ROLE_STEMS if len(s) >= 4}, key=len, reverse=True))
_ROLE_INFLECTED = re.compile(rf"(?:{_LONG_STEMS}).{{0,2}}\Z", re.S)
_ROLE_COMPOUND_DE = re.compile(rf".(?:{_LONG_STEMS})(?:in|innen)?\Z", re.S)
_ROLE_COMPOUND = re.compile(rf"-(?:{_LONG_STEMS})(?:in|innen)?\Z", re.S)


# German indirect speech: the third person of the Konjunktiv I ("er sei", "es gebe"), which
# only reported speech uses. The frequent forms, plus a rule for the others (see
# ``is_konjunktiv``): a lowercase word in -e right after its subject.
KONJUNKTIV_I = frozenset(
    """sei seien habe gebe werde könne müsse solle wolle dürfe möge wisse stehe liege handle gehe komme
    bleibe sehe halte gelte lasse trage brauche bestehe fehle zeige plane arbeite""".split()
)
# Lowercase words in -e that are no verbs: determiners, pronouns, adverbs, prepositions.
_NOT_KONJUNKTIV = frozenset(
    """die eine keine meine deine seine ihre unsere eure jene diese jede jene welche manche solche alle beide
    andere viele wenige einige ohne heute gerne gern bitte ebenfalls ferner lange alleine daher bisher
    mehrere gerade weitere ganze große kleine neue alte erste letzte nächste""".split()
)
_SUBJECT_PRONOUNS_DE = frozenset("er sie es man".split())


def is_konjunktiv(word: str, before: str) -> bool:
    """Whether ``word`` is a Konjunktiv I verb when it follows ``before`` ("Westen liefere", "es gebe")."""
    lowered = word.lower()
    if word[:1].isupper():
        return False
    if lowered in KONJUNKTIV_I:
        return True
    if len(lowered) < 5 or not lowered.endswith("e") or lowered.endswith(("te", "ie")) or lowered in _NOT_KONJUNKTIV:
        return False
    # Right after a subject: a personal pronoun or a capitalised noun that is no determiner.
    return before.lower() in _SUBJECT_PRONOUNS_DE or (before[:1].isupper() and before.lower() not in DETERMINERS)
