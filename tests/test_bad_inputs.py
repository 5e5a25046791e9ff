"""Bad inputs: each reported on one line naming the input; the rest goes on; nothing stored is hurt."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from conftest import SEEDS
from couverture.cli import main
from couverture.engine import ingest_paths
from couverture.store import Store

GOOD_TEXT = (
    "Crue historique de la Seine à Paris\n\n"
    "La Seine a atteint mardi une hauteur de 6,10 mètres au pont d'Austerlitz, du jamais vu depuis des décennies, "
    "selon Vigicrues. Les quais sont fermés et plusieurs lignes de RER sont interrompues.\n"
)


@pytest.fixture
def batch(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (folder / "empty.txt").write_bytes(b"   \n\n")
    (folder / "latin1.txt").write_bytes(
        "Élection à Genève : la participation dépasse 60 %\n\nLes électeurs genevois se sont déplacés en nombre "
        "dimanche pour élire leur gouvernement cantonal, selon la chancellerie d'État.".encode("latin-1")
    )
    (folder / "cp1252.txt").write_bytes(
        "Grève à la SNCF : « un mouvement très suivi »\n\nLe trafic était très perturbé jeudi sur l’ensemble du "
        "réseau, a indiqué la direction, qui prévoit un retour à la normale vendredi – sauf en Île-de-France.".encode("cp1252")
    )
    lines = [
        json.dumps({"id": "ok-1", "text": "Un séisme de magnitude 6,1 a secoué le sud de l'Italie lundi, sans faire de victimes.", "lang": "fr"}),
        '{"id": "broken", "text": "unterminated',
        json.dumps({"id": "no-text", "title": "Sans texte"}),
        json.dumps({"id": "ok-2", "text": "Il Parlamento europeo ha approvato la nuova legge sull'intelligenza artificiale con ampia maggioranza.", "lang": "it"}),
    ]
    (folder / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "nav.html").write_text(
        "<html><head><title>Menu</title></head><body><nav><a href='/'>Accueil</a> | <a href='/a'>Monde</a></nav></body></html>",
        encoding="utf-8",
    )
    return folder


def test_batch_with_bad_inputs(store, analyzer, batch):
    report = ingest_paths(store, [batch], analyzer=analyzer)
    reasons = {e.origin.split("/")[-1]: e.reason for e in report.errors}
    assert set(reasons) == {"image.txt", "empty.txt", "feed.jsonl:2", "feed.jsonl:3", "nav.html"}
    assert "PNG" in reasons["image.txt"]
    assert "empty" in reasons["empty.txt"]
    assert "malformed JSON" in reasons["feed.jsonl:2"]
    assert "'text'" in reasons["feed.jsonl:3"]
    assert "no article text" in reasons["nav.html"]
    assert all("\n" not in r for r in reasons.values())
    assert report.added == 5  # good.txt, latin1.txt, cp1252.txt and the two good JSONL lines
    titles = {a.title for a in store.iter_articles()}
    assert "Élection à Genève : la participation dépasse 60 %" in titles
    assert "Grève à la SNCF : « un mouvement très suivi »" in titles
    notes = " ".join(report.notes)
    assert "latin1.txt" in notes and "cp1252.txt" in notes
    logged = {origin.split("/")[-1] for origin, _, _ in store.recent_errors()}
    assert "image.txt" in logged


def test_cli_reports_each_failure_on_one_line_and_exits_1(db_path, batch):
    runner = CliRunner()
    result = runner.invoke(main, ["ingest", str(batch), "--db", str(db_path)])
    assert result.exit_code == 1
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 5
    assert any("image.txt: not text" in line for line in error_lines)
    assert "5 article(s) added" in result.stdout


def test_failed_inputs_do_not_change_what_is_stored(db_path, batch, analyzer):
    store = Store(db_path)
    ingest_paths(store, [SEEDS], analyzer=analyzer)
    before = [(a.id, a.story_id, a.title, a.text) for a in store.iter_articles()]
    bad = batch.parent / "only-bad"
    bad.mkdir()
    for name in ("image.txt", "empty.txt", "nav.html"):
        shutil.copy(batch / name, bad / name)
    report = ingest_paths(store, [bad], analyzer=analyzer)
    assert report.added == 0 and report.failed == 3
    assert [(a.id, a.story_id, a.title, a.text) for a in store.iter_articles()] == before


def test_oversized_file_is_refused(store, tmp_path, analyzer):
    big = tmp_path / "big.txt"
    big.write_text("Titre\n\n" + "mot " * 300_000, encoding="utf-8")
    report = ingest_paths(store, [big], analyzer=analyzer, max_bytes=1_000_000)
    assert report.added == 0
    assert "too large" in report.errors[0].reason and "--max-bytes" in report.errors[0].reason


def test_missing_path(store, analyzer, tmp_path):
    report = ingest_paths(store, [tmp_path / "nope.txt"], analyzer=analyzer)
    assert report.errors[0].reason == "no such file or folder"


def test_a_failing_batch_write_leaves_the_database_unchanged(db_path, analyzer, tmp_path):
    """A real database failure in the middle of a batch rolls the whole batch back."""
    store = Store(db_path)
    ingest_paths(store, [SEEDS], analyzer=analyzer)
    stories_before = [(s.id, s.size) for s in store.list_stories()]
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse_poison BEFORE INSERT ON articles WHEN NEW.title LIKE '%POISON%' "
            "BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END"
        )
    folder = tmp_path / "two"
    folder.mkdir()
    (folder / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (folder / "b.txt").write_text("POISON in the title here\n\n" + GOOD_TEXT.split("\n", 2)[2] + " Encore.", encoding="utf-8")
    with pytest.raises(Exception, match="refused by test trigger"):
        ingest_paths(store, [folder], analyzer=analyzer, batch_size=10)
    assert store.count_articles() == 2  # neither a.txt nor b.txt: one transaction
    assert [(s.id, s.size) for s in store.list_stories()] == stories_before
