"""The cleaning rules are general: other languages, other pages, same shapes."""
from __future__ import annotations

from couverture.extract import clean_text, find_agencies, parse_byline, parse_date

ITALIAN = """Terremoto in Giappone, almeno 60 morti nella penisola di Noto

Terremoto in Giappone, almeno 60 morti nella penisola di Noto

Pubblicato il 02/01/2024 alle 10:15

TOKYO - Il bilancio del terremoto di magnitudo 7,5 che ha colpito il Giappone è salito ad almeno 60 morti, secondo le autorità locali.

Leggi anche

Borsa, Milano apre in rialzo

I soccorritori lavorano senza sosta tra le macerie delle case crollate a Wajima.

Condividi su Facebook

di Marco Bianchi

Riproduzione riservata © Copyright ANSA
"""

GERMAN = """Nordkorea und Russland schließen Beistandspakt
(dpa) - Russland und Nordkorea haben einen Vertrag über gegenseitigen Beistand unterzeichnet.
Lesen Sie auch: Selenskyj reist nach Brüssel
„Das ist ein Durchbruch“, sagte Kim Jong Un nach dem Treffen.
Jetzt abonnieren
Von Anna Vogel
"""


def test_italian_page():
    result = clean_text(ITALIAN)
    assert result.title == "Terremoto in Giappone, almeno 60 morti nella penisola di Noto"
    assert "Leggi anche" not in result.text and "Borsa, Milano" not in result.text
    assert "Condividi" not in result.text and "Pubblicato" not in result.text
    assert "Copyright" not in result.text and "Marco Bianchi" not in result.text
    assert "I soccorritori lavorano" in result.text
    assert result.byline == "di Marco Bianchi"
    assert result.agencies == ["ANSA"]
    assert result.date_text.startswith("Pubblicato il 02/01/2024")
    assert parse_date(result.date_text).isoformat() == "2024-01-02T10:15:00+00:00"


def test_german_page_with_inline_read_also_and_dateline():
    result = clean_text(GERMAN)
    assert "Lesen Sie auch" not in result.text and "Selenskyj reist" not in result.text
    assert "abonnieren" not in result.text
    assert "„Das ist ein Durchbruch“" in result.text
    # the line after an inline "Lesen Sie auch: <headline>" is article text, not a link
    assert result.byline == "Von Anna Vogel"
    assert result.agencies == ["dpa"]


def test_bylines_in_several_languages():
    assert parse_byline("By Jane Doe and John Roe") == ("By Jane Doe and John Roe", [])
    assert parse_byline("Par Marie Martin avec l'AFP") == ("Par Marie Martin avec l'AFP", ["AFP"])
    assert parse_byline("Por Lucía García (EFE)") == ("Por Lucía García (EFE)", ["EFE"])
    assert parse_byline("Jane Doe (Reuters)") == ("Jane Doe (Reuters)", ["Reuters"])
    # headings and sentences are not bylines
    assert parse_byline("Washington est inquiet") is None
    assert parse_byline("Par ailleurs, la Chine a réagi.") is None
    assert parse_byline("Plus de deux ans de guerre en Ukraine") is None


def test_agencies_need_exact_names():
    assert find_agencies("Mit Material von dpa und Reuters") == ["dpa", "Reuters"]
    assert find_agencies("a map of the area") == []  # "ap" in lower case is not AP
    assert find_agencies("(AP) -") == ["AP"]


def test_dates():
    assert parse_date("2024-06-20T14:05:00+02:00").isoformat() == "2024-06-20T12:05:00+00:00"
    assert parse_date("Thu, 20 Jun 2024 10:00:00 GMT").isoformat() == "2024-06-20T10:00:00+00:00"
    assert parse_date("Veröffentlicht am 20. Juni 2024").date().isoformat() == "2024-06-20"
    assert parse_date("publicado el 3 de abril de 2024").date().isoformat() == "2024-04-03"
    assert parse_date("2099-01-01") is None  # in the future: unknown
    assert parse_date("1985-05-01") is None  # before 1990: unknown


def test_url_only_lines_are_metadata_not_title():
    from couverture.extract.boilerplate import url_of_line

    text = "http : / / www . example . com / news / 2009 / dec / 07 / prisoner - captured\nA Texas prisoner was captured after a week on the run .\nPolice said he was found in a motel ."
    result = clean_text(text)
    assert result.title == "A Texas prisoner was captured after a week on the run ."
    assert result.urls == ["http://www.example.com/news/2009/dec/07/prisoner-captured"]
    assert "http" not in result.text
    assert url_of_line("Washington est inquiet") is None


def test_dates_from_page_urls():
    from couverture.extract.dates import date_from_url

    assert date_from_url("https://www.lemonde.fr/international/article/2024/06/20/poutine_123.html").date().isoformat() == "2024-06-20"
    assert date_from_url("http://www.example.com/news/2009/dec/07/texas").date().isoformat() == "2009-12-07"
    assert date_from_url("http://example.com/technology/20070503/judge").date().isoformat() == "2007-05-03"
    assert date_from_url("https://example.com/item/?map=plane-bombs") is None
    assert date_from_url("https://example.com/2031/01/01/future") is None


def test_a_headline_given_as_both_title_and_text_is_kept():
    """Headline-only records (feeds, headline sets) repeat the title as the text."""
    from couverture.extract import extract_article
    from couverture.models import RawDocument

    headline = "Incendie de Notre-Dame : la charpente s'est effondree"
    article = extract_article(RawDocument("headlines:1", "record", {"title": headline, "text": " " + headline + " "}))
    assert article.text == headline and article.title == headline
    # A repeated title followed by page furniture only is still not an article.
    import pytest
    from couverture.errors import InputError

    with pytest.raises(InputError):
        extract_article(RawDocument("headlines:2", "record", {"title": headline, "text": headline + "\nLire aussi\nPartager sur Facebook"}))


WIRE_PARAGRAPH = (
    "Argentina defeated 2018 runners-up Croatia 3-0 on Tuesday in the first World Cup semifinal, thanks to two "
    "goals from striker Julian Alvarez and a Lionel Messi penalty. The result set up a final against France or "
    "Morocco on Sunday.\n\n(AFP)\n"
)


def test_a_first_line_that_is_a_paragraph_is_the_text_not_the_title():
    result = clean_text(WIRE_PARAGRAPH)
    assert result.title == ""  # no title line: the article gets its lead sentence as title
    assert result.text.startswith("Argentina defeated 2018 runners-up Croatia 3-0")
    assert "AFP" in result.agencies


def test_a_one_paragraph_wire_item_is_an_article_with_its_first_sentence_as_title():
    from couverture.extract import extract_article
    from couverture.models import RawDocument

    article = extract_article(RawDocument("wire.txt", "text", WIRE_PARAGRAPH))
    # Its first sentence, 162 characters, is cut at a word boundary under 160.
    assert article.title.endswith("…") and len(article.title) <= 161
    assert WIRE_PARAGRAPH.startswith(article.title[:-1]) and article.title[-2] != " "
    assert article.text.startswith("Argentina defeated") and article.text.endswith("on Sunday.")
    assert article.agencies == ["AFP"]
    short = extract_article(RawDocument("flash.txt", "text", "Hurricane Milton made landfall near Siesta Key on "
                                        "Wednesday. Millions lost power across Florida overnight.\n\n(Reuters)"))
    assert short.title == "Hurricane Milton made landfall near Siesta Key on Wednesday."


def test_a_short_headline_line_stays_the_title():
    result = clean_text("Milton makes landfall near Siesta Key\n\nThe hurricane came ashore on Wednesday night.")
    assert result.title == "Milton makes landfall near Siesta Key"


def test_a_leading_date_stamp_is_a_date_and_a_month_stamp_an_estimate():
    from couverture.extract import extract_article
    from couverture.models import RawDocument

    dated = extract_article(RawDocument("a.txt", "text", "date 2024-08-12 Los Angeles took over the Olympic "
                                        "mantle on Sunday.\n\nCruise rode out of the stadium."))
    assert dated.published.date().isoformat() == "2024-08-12" and dated.estimate is None
    assert dated.title.startswith("Los Angeles took over")
    monthly = extract_article(RawDocument("b.txt", "text", "date 2019-04 Sous les yeux ébahis des habitants, le feu "
                                          "s'amplifie.\n\nLa flèche s'effondre."))
    assert monthly.published is None
    assert (monthly.estimate.earliest.isoformat(), monthly.estimate.latest.date().isoformat()) == \
        ("2019-04-01T00:00:00+00:00", "2019-04-30")
    assert monthly.estimate.source == "month stamp 2019-04"
    assert not monthly.title.startswith("date")


def test_furniture_and_photo_credits_are_never_the_title():
    result = clean_text("Advertisement\nStar man Lionel Messi rifled home a penalty\n\nAlvarez scored twice.")
    assert result.title == "Star man Lionel Messi rifled home a penalty"
    result = clean_text("Credit: Michael DiGioia\nHarris accepts the nomination\n\nShe spoke on Thursday.")
    assert result.title == "Harris accepts the nomination"


def test_glyphs_section_labels_and_the_site_s_name_are_never_the_title():
    from couverture.extract import extract_article
    from couverture.models import RawDocument

    body = ("Hurricane Milton strengthens to category 5 in the Gulf\n\n"
            "The storm's winds reached 175 mph on Monday as it moved toward Florida's west coast.")
    for furniture in ("×", "☰", "Sports", "Key Moments:", "Lire aussi :"):
        assert clean_text(f"{furniture}\n{body}").title == "Hurricane Milton strengthens to category 5 in the Gulf", furniture
        # ...and given as the page's title (a close button taken for the <h1>).
        assert clean_text(body, title=furniture).title == "Hurricane Milton strengthens to category 5 in the Gulf", furniture
    # The site's own name, as the outlet gives it or as its address says it.
    guardian = extract_article(RawDocument("g", "record", {"title": "The Guardian", "source": "The Guardian", "text": body},
                                           url="https://www.theguardian.com/world/2024/oct/07/milton"))
    assert guardian.title == "Hurricane Milton strengthens to category 5 in the Gulf"
    bbc = extract_article(RawDocument("b", "text", "BBC News\n" + body, url="https://www.bbc.co.uk/news/1"))
    assert bbc.title == "Hurricane Milton strengthens to category 5 in the Gulf"
    # A real headline stays: one in a script without spaces, one that names the site's city.
    assert clean_text("普京警告韩国向乌克兰提供武器将是大错\n\n普京周四在河内表示，向乌克兰提供武器将是一个非常大的错误。").title \
        == "普京警告韩国向乌克兰提供武器将是大错"
    zeit = extract_article(RawDocument("z", "text", "Putin droht mit Waffenlieferungen an Nordkorea\n\n"
                                       "Der russische Präsident sagte am Donnerstag in Hanoi, er schließe dies nicht aus.",
                                       url="https://www.zeit.de/politik/2024-06/putin"))
    assert zeit.title == "Putin droht mit Waffenlieferungen an Nordkorea"
