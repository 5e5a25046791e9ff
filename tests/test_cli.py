"""The command line on real data: stories, show, export, eval."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, SEEDS
from couverture.cli import main


@pytest.fixture
def filled(db_path):
    runner = CliRunner()
    result = runner.invoke(main, ["ingest", str(SEEDS), str(FIXTURES / "unrelated_fr.txt"), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    return db_path


def test_stories_lists_one_line_per_story(filled):
    result = CliRunner().invoke(main, ["stories", "--db", str(filled)])
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    seeds_line = next(line for line in lines if "Corée du Nord" in line or "Poutine" in line)
    assert "2 art." in seeds_line and " fr " in seeds_line


def test_show_and_export(filled):
    runner = CliRunner()
    exported = runner.invoke(main, ["export", "--articles", "--db", str(filled)]).stdout
    records = [json.loads(line) for line in exported.splitlines()]
    assert len(records) == 3 and all({"id", "story_id"} <= set(r) for r in records)
    seeds_story = {r["story_id"] for r in records if "Poutine" in r["title"]}
    assert len(seeds_story) == 1
    story_id = seeds_story.pop()
    shown = runner.invoke(main, ["show", story_id[:8], "--db", str(filled)])
    assert shown.exit_code == 0
    assert "ANSA" in shown.stdout and "AFP" in shown.stdout
    assert "Poutine n’exclut pas" in shown.stdout
    stories = [json.loads(line) for line in runner.invoke(main, ["export", "--db", str(filled)]).stdout.splitlines()]
    assert sorted(len(s["article_ids"]) for s in stories) == [1, 2]


def test_show_unknown_story_is_a_clear_error(filled):
    result = CliRunner().invoke(main, ["show", "s-doesnotexist", "--db", str(filled)])
    assert result.exit_code == 1
    assert "no story" in result.output and "couverture stories" in result.output


def test_eval_on_a_jsonl_with_gold_labels(tmp_path):
    path = tmp_path / "gold.jsonl"
    rows = [
        {"text": "Un séisme de magnitude 7,5 a frappé la péninsule de Noto au Japon le 1er janvier, faisant des dizaines de morts.", "story": "noto"},
        {"text": "Japon : le bilan du tremblement de terre de Noto, de magnitude 7,5, s'alourdit à des dizaines de morts.", "story": "noto"},
        {"text": "La Seine a atteint 6,10 mètres à Paris, les quais sont fermés et le RER C interrompu.", "story": "seine"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(path), "--gold-field", "story", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["documents"] == 3 and figures["gold_stories"] == 2
    assert figures["bcubed"]["f1"] == 1.0


def test_eval_needs_a_gold_field_for_jsonl(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"text": "abc"}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(path)])
    assert result.exit_code == 1 and "--gold-field" in result.output


def test_show_json_is_the_full_coverage(filled):
    runner = CliRunner()
    records = [json.loads(line) for line in runner.invoke(main, ["export", "--articles", "--db", str(filled)]).stdout.splitlines()]
    story_id = next(r["story_id"] for r in records if "Poutine" in r["title"])
    result = runner.invoke(main, ["show", story_id, "--json", "--db", str(filled)])
    assert result.exit_code == 0, result.output
    view = json.loads(result.stdout)
    assert set(view) == {"id", "headline", "lang", "headline_lang", "note", "sources", "timeline", "summary",
                         "quotes", "shared_facts", "unique_facts", "divergences", "copies", "related"}
    assert view["id"] == story_id and len(view["sources"]) == 2
    assert view["related"] == []  # the seeds and a Tour de France stage share no main name


def test_ingest_url_without_allow_private_is_refused(db_path):
    result = CliRunner().invoke(main, ["ingest", "http://127.0.0.1:9/article.html", "--db", str(db_path)])
    assert result.exit_code == 1
    assert "--allow-private" in result.stderr


def test_the_cli_draws_the_progress_bar_and_the_engine_only_reports(tmp_path):
    from couverture.demo import demo_corpus_path

    runner = CliRunner()
    shown = runner.invoke(main, ["ingest", str(demo_corpus_path()), "--db", str(tmp_path / "a.db"), "--progress"])
    assert shown.exit_code == 0, shown.output
    assert "analyze+cluster" in shown.stderr and "60/60" in shown.stderr
    quiet = runner.invoke(main, ["ingest", str(demo_corpus_path()), "--db", str(tmp_path / "b.db"), "--no-progress"])
    assert quiet.exit_code == 0 and "analyze+cluster" not in quiet.stderr
