"""What the README promises works in the installed package, whatever pip installed it.

A fresh venv's pip (23.x) skipped ``lxml[html_clean]`` (trafilatura's justext asks for
it; lxml 6 spells the extra ``html-clean``) and every HTML page then failed at
extraction, while a newer pip hid it. So: each optional path is exercised here, not
only imported, and what it needs must be declared by couverture itself.
"""
from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

from conftest import FIXTURES, ROOT

PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Séisme au Japon : la péninsule de Noto dévastée</title>
<meta property="og:title" content="Séisme au Japon : la péninsule de Noto dévastée">
<meta name="author" content="Claire Martin"><meta property="article:published_time" content="2024-01-02T08:00:00+01:00">
</head><body><nav><a href="/">Accueil</a> <a href="/monde">Monde</a></nav><article>
<h1>Séisme au Japon : la péninsule de Noto dévastée</h1>
<p>Un séisme de magnitude 7,5 a frappé lundi la péninsule de Noto, sur la côte ouest du Japon,
faisant au moins 48 morts selon les autorités locales, qui redoutent un bilan plus lourd.</p>
<p>Des milliers de secouristes ont été déployés dans la préfecture d'Ishikawa, où des routes
coupées par des glissements de terrain compliquent l'accès aux villages les plus touchés.</p>
<p>Le Premier ministre Fumio Kishida a promis que le gouvernement ferait « tout son possible »
pour sauver les personnes encore prisonnières des décombres.</p>
</article><footer>Tous droits réservés</footer></body></html>"""


def _requirement_names(extra: str | None = None) -> set[str]:
    """The distributions couverture itself declares (for ``extra``, those of that extra)."""
    names = set()
    for requirement in metadata.requires("couverture") or []:
        name, _, marker = requirement.partition(";")
        in_extra = re.search(r"extra\s*==\s*['\"]([^'\"]+)['\"]", marker)
        if (in_extra.group(1) if in_extra else None) == extra:
            names.add(re.split(r"[\s\[<>=!~]", name.strip(), maxsplit=1)[0].lower().replace("_", "-"))
    return names


def test_html_cleaning_is_a_direct_dependency():
    """Not left to an extra of lxml that older pips cannot resolve."""
    assert "lxml-html-clean" in _requirement_names()


def test_an_html_page_is_extracted_by_the_installed_package():
    from couverture.extract import extract_article
    from couverture.models import RawDocument

    article = extract_article(RawDocument(origin="page.html", kind="html", content=PAGE.encode("utf-8"),
                                          url="https://example.org/monde/2024/01/02/seisme-noto.html"))
    assert article.title.startswith("Séisme au Japon")
    assert "magnitude 7,5" in article.text and "Accueil" not in article.text
    assert article.lang == "fr" and article.published is not None and article.published.year == 2024


def test_a_feed_is_parsed_by_the_installed_package():
    from couverture.feeds import parse_feed

    feed = parse_feed(b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Monde</title>
      <item><title>Noto : le bilan s'alourdit</title><link>https://example.org/noto</link>
      <pubDate>Tue, 02 Jan 2024 09:00:00 +0000</pubDate><description>Au moins 48 morts.</description></item>
      </channel></rss>""", "https://example.org/rss.xml")
    assert [(e.title, e.link) for e in feed.entries] == [("Noto : le bilan s'alourdit", "https://example.org/noto")]


def test_the_web_app_is_built_by_the_installed_package(tmp_path):
    from fastapi.testclient import TestClient

    from couverture.engine import ingest_paths
    from couverture.store import Store
    from couverture.web import create_app

    store = Store(tmp_path / "web.db")
    ingest_paths(store, [FIXTURES / "unrelated_fr.txt"])
    # The app answers only hosts that name it (issue 21's DNS-rebinding guard), not
    # TestClient's default "testserver".
    with TestClient(create_app(store), base_url="http://127.0.0.1:8000") as client:
        assert client.get("/").status_code == 200
        assert client.get("/openapi.json").json()["info"]["title"] == "couverture"
    store.close()


def test_the_postgresql_driver_is_installed_with_the_test_extra():
    from sqlalchemy import create_engine

    assert "psycopg" in _requirement_names("postgres") and "psycopg" in _requirement_names("test")
    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")  # loads the driver, connects to nothing
    assert engine.dialect.driver == "psycopg"


def test_the_version_is_written_once():
    """``couverture --version``, the package and its metadata give the number of _version.py."""
    import couverture

    source = (ROOT / "src" / "couverture" / "_version.py").read_text(encoding="utf-8")
    written = re.search(r'__version__ = "([^"]+)"', source).group(1)
    assert couverture.__version__ == written == metadata.version("couverture")
    assert 'version = "' not in Path(ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_ci_runs_the_readme_setup_and_test_lines_as_written():
    """.ci/run is what a new user types: the README's setup line and its test command,
    word for word (scripts/fresh_install_check.sh reads the same two lines)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    setup = next(line for line in readme if line.startswith("python3 -m venv .venv && "))
    test = next(line for line in readme if line.startswith(". .venv/bin/activate && "))
    assert "pip install -e '.[test]'" in setup and test == ". .venv/bin/activate && scripts/test"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    commands = [line for line in ci if line.strip() and not line.startswith(("#", "set ", "cd "))]
    assert commands == [setup, test]
    assert "upgrade" not in " ".join(commands)
