"""Function words, per language, that carry no story information.

Short lists written for this project: IDF weighting already damps frequent words,
these lists only keep the commonest ones out of entity and lemma bags.
"""
STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("""a an the and or but if of to in on at by for with from as is are was were be been being
        has have had do does did this that these those it its he she they them his her their we our you your i
        not no yes will would can could should may might must shall than then there here when where which who
        whom whose what why how all any some such more most other into over after before about up down out off
        again also just only very said says say one two new last first year years week monday tuesday wednesday
        thursday friday saturday sunday mr mrs ms while during against between under because so per""".split()),
    "fr": frozenset("""le la les l un une des du de d et ou mais si à a au aux en dans sur sous par pour avec sans
        ce cet cette ces c qui que qu quoi dont où il elle ils elles on nous vous je tu se s son sa ses leur leurs
        notre nos votre vos ne n pas plus moins très aussi est sont été être a ont avait avaient sera seront fait
        faire dit comme y lui eux même tout tous toute toutes entre après avant depuis pendant lors selon contre
        vers chez deux un une premier année ans lundi mardi mercredi jeudi vendredi samedi dimanche m mme""".split()),
    "it": frozenset("""il lo la i gli le un uno una di a da in con su per tra fra e o ma se che chi cui non più
        del dello della dei degli delle al allo alla ai agli alle dal dallo dalla dai dagli dalle nel nello nella
        nei negli nelle sul sullo sulla sui sugli sulle è sono era erano stato stata essere ha hanno aveva come
        anche questo questa questi queste quello quella suo sua suoi sue loro ci si ne dopo prima durante contro
        verso secondo due anni anno lunedì martedì mercoledì giovedì venerdì sabato domenica""".split()),
    "de": frozenset("""der die das den dem des ein eine einer eines einem einen und oder aber wenn als wie
        in im an am auf aus bei mit nach von vom zu zum zur für über unter vor durch gegen ohne um ist sind war
        waren wird werden wurde wurden hat haben hatte hatten sein nicht kein keine auch noch nur sehr schon
        dieser diese dieses es er sie wir ihr ich man sich sein seine ihre ihren dass daß so zwei jahr jahre
        montag dienstag mittwoch donnerstag freitag samstag sonntag herr frau""".split()),
    "es": frozenset("""el la los las lo un una unos unas de del al a en con por para sin sobre entre tras
        desde hasta y o pero si que quien cual cuyo no más muy también es son fue fueron era eran ser estar
        está están ha han había se su sus le les nos este esta estos estas ese esa eso como cuando donde
        durante contra según dos año años lunes martes miércoles jueves viernes sábado domingo""".split()),
}
ALL_STOPWORDS = frozenset().union(*STOPWORDS.values())


def stopwords_for(lang: str) -> frozenset[str]:
    return STOPWORDS.get(lang, ALL_STOPWORDS)
