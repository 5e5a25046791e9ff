"""Who said what: quotes, their speakers, and the same quote across outlets.

A quote is either a span between quotation marks (« », “ ”, „ “, " ", ‹ ›, in any
mix, as scraped pages and machine translations write them) or reported speech
("X a déclaré que ..."). Its speaker comes from a speech verb next to it:

- inserted in the quote: “… – a accusé Poutine – …»
- right after it: “…”, a déclaré Vladimir Poutine / “…,” the spokesman John Smith said
- before it: Victor Cha, chef du groupe …, a noté que “…”
- the next sentence when it only says who spoke: «…» Le porte-parole …, Matthew Miller, a déclaré à la presse.
- a pronoun ("argumenta-t-il", "he said"), resolved to the previous speaker only when
  no other person is named in between;
- another quote of the same sentence, when nothing but a few words separate them.

A speaker is a person's name when one can be found ("le porte-parole du Département
d'État, Matthew Miller" gives the name and the role), completed from the article
("Poutine" -> "Vladimir Poutine" when the article names him in full). Precision comes
first: a quote whose speaker is unclear keeps no speaker rather than a guess.

The package is split by concern: ``marks`` (quotation marks), ``names`` (speakers'
names), ``roles`` (a role standing for a name), ``attribution`` (who said a quotation),
``reported`` (reported speech), ``extract`` (one article's quotes) and ``grouping``
(the same quote across articles).
"""
from __future__ import annotations

from .extract import extract_quotes
from .grouping import (QUOTE_CONTAINMENT, QUOTE_SIMILARITY, QUOTE_SIMILARITY_OTHER_SPEAKER, QUOTE_SIMILARITY_SAME_SPEAKER,
                       merge_quotes, one_name_per_person, quote_lemmas, same_person_across_spellings, speakers_agree)
from .marks import MIN_WORDS_ATTRIBUTED, MIN_WORDS_UNATTRIBUTED, quote_spans
from .names import NameBook, Speaker, parse_speaker
from .reported import QuoteMention

__all__ = [
    "MIN_WORDS_ATTRIBUTED", "MIN_WORDS_UNATTRIBUTED", "QUOTE_CONTAINMENT", "QUOTE_SIMILARITY",
    "QUOTE_SIMILARITY_OTHER_SPEAKER", "QUOTE_SIMILARITY_SAME_SPEAKER", "NameBook", "QuoteMention", "Speaker",
    "extract_quotes", "merge_quotes", "one_name_per_person", "parse_speaker", "quote_lemmas", "quote_spans",
    "same_person_across_spellings", "speakers_agree",
]
