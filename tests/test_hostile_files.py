"""Hostile files and lines: each one costs only itself, the good inputs beside it are stored.

Every test here is a reproduction from issue 21: the bad input sits next to good ones,
and the test checks both that the bad one is reported on its own line and that every
good one was stored.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from couverture.cli import main
from couverture.engine import ingest_paths
from couverture.ingest import read_inputs

ROOT = Path(__file__).resolve().parents[1]


def good_text(n: int) -> str:
    places = ["Brest", "Lyon", "Naples", "Utrecht", "Lisbon", "Madrid", "Kitzingen", "Grindavík"]
    place = places[n % len(places)]
    return (f"Storm number {n} reaches {place}\n\nThe storm brought gusts of {100 + n} km/h to {place} on "
            f"Thursday and {n * 37 + 12} homes lost power overnight, officials in {place} said.")


def record(n: int, **extra) -> str:
    return json.dumps({"id": f"good-{n}", "text": good_text(n), "lang": "en", **extra})


def stored_ids(store) -> set[str]:
    return {a.id for a in store.iter_articles()}


def test_deeply_nested_json_line_costs_only_that_line(store, analyzer, tmp_path):
    path = tmp_path / "nested.jsonl"
    path.write_text("\n".join([record(1), "[" * 200_000, '{"text": ' + "[" * 200_000, record(2)]) + "\n")
    report = ingest_paths(store, [path], analyzer=analyzer)
    assert stored_ids(store) == {"good-1", "good-2"}
    assert [e.origin.rsplit(":", 1)[1] for e in report.errors] == ["2", "3"]
    assert all("nested too deeply" in e.reason for e in report.errors)


def test_a_number_of_5000_digits_does_not_lose_its_article(store, analyzer, tmp_path):
    path = tmp_path / "numbers.jsonl"
    huge = record(3)[:-1] + ', "big": 1e999}'  # a float out of range, as written in the dump
    long_number = record(2)[:-1] + ', "views": ' + "9" * 5000 + "}"  # more digits than Python's int() reads
    path.write_text("\n".join([record(1), long_number, huge]) + "\n")
    report = ingest_paths(store, [path], analyzer=analyzer)
    assert not report.errors
    assert stored_ids(store) == {"good-1", "good-2", "good-3"}
    kept = store.get_article("good-2").to_json()
    assert kept["id"] == "good-2"


def test_whole_json_file_nested_too_deeply_is_one_error(store, analyzer, tmp_path):
    (tmp_path / "bomb.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "good.txt").write_text(good_text(4))
    report = ingest_paths(store, [tmp_path], analyzer=analyzer)
    assert report.added == 1 and len(report.errors) == 1
    assert report.errors[0].origin.endswith("bomb.json") and "nested" in report.errors[0].reason


def test_lone_surrogates_in_text_title_and_id_are_replaced_not_fatal(store, analyzer, tmp_path):
    lines = [
        record(1),
        json.dumps({"id": "surrogate-text", "text": good_text(2) + " \ud800 end", "lang": "en"}),
        json.dumps({"id": "surrogate-title", "title": "Bad \udfff title", "text": good_text(3), "lang": "en"}),
        json.dumps({"id": "bad-id-\ud800", "text": good_text(4), "lang": "en"}),
        json.dumps({"id": "surrogate-extra", "text": good_text(5), "lang": "en", "tag\ud801": ["\udc00", {"k": "\ud800"}]}),
        record(6),
    ]
    assert "\\ud800" in lines[1]  # json.dumps writes the escape, as a hostile dump would
    path = tmp_path / "surrogates.jsonl"
    path.write_text("\n".join(lines) + "\n")
    report = ingest_paths(store, [path], analyzer=analyzer)
    assert not report.errors
    ids = stored_ids(store)
    assert {"good-1", "surrogate-text", "surrogate-title", "bad-id-\ufffd", "surrogate-extra", "good-6"} == ids
    assert store.get_article("surrogate-title").title == "Bad \ufffd title"
    assert "\ufffd end" in store.get_article("surrogate-text").text
    for article in store.iter_articles():
        (article.title + article.text + article.id + json.dumps(article.extra, ensure_ascii=False)).encode("utf-8")


def test_file_name_that_is_not_utf8(store, analyzer, tmp_path):
    folder = os.fsencode(tmp_path / "names")
    os.mkdir(folder)
    with open(os.path.join(folder, b"bad\xff\xfe.txt"), "w", encoding="utf-8") as handle:
        handle.write(good_text(1))
    with open(os.path.join(folder, b"good.txt"), "w", encoding="utf-8") as handle:
        handle.write(good_text(2))
    report = ingest_paths(store, [os.fsdecode(folder)], analyzer=analyzer)
    assert report.added == 2 and not report.errors
    origins = sorted(a.origin.rsplit("/", 1)[1] for a in store.iter_articles())
    assert origins == ["bad\\xff\\xfe.txt", "good.txt"]


def _run_reader(folder: Path, max_bytes: int = 1_000_000, seconds: float = 60) -> list[str]:
    """read_inputs in a child process with a memory cap and a time limit: a reader that
    hangs or reads forever fails the test instead of the machine."""
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))\n"
        "from couverture.ingest import read_inputs\n"
        "for item in read_inputs([sys.argv[1]], max_bytes=int(sys.argv[2])):\n"
        "    print(type(item).__name__, getattr(item, 'origin', ''), getattr(item, 'reason', ''), sep='|')\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(folder), str(max_bytes)], capture_output=True, text=True,
                          timeout=seconds)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.splitlines()


def test_fifo_in_a_folder_is_refused_not_waited_for(tmp_path):
    folder = tmp_path / "with-fifo"
    folder.mkdir()
    (folder / "a.txt").write_text(good_text(1))
    os.mkfifo(folder / "pipe.txt")
    (folder / "z.txt").write_text(good_text(2))
    lines = _run_reader(folder, seconds=30)
    assert [line.split("|")[0] for line in lines] == ["RawDocument", "InputError", "RawDocument"]
    assert "named pipe" in lines[1]


def test_link_to_dev_zero_is_refused_by_type(tmp_path):
    folder = tmp_path / "with-zero"
    folder.mkdir()
    os.symlink("/dev/zero", folder / "zero.txt")
    (folder / "good.txt").write_text(good_text(1))
    lines = _run_reader(folder, max_bytes=20_000_000)
    assert [line.split("|")[0] for line in lines] == ["RawDocument", "InputError"]
    assert "device" in lines[1]


def test_a_file_growing_past_its_size_is_read_only_up_to_the_limit(tmp_path):
    # /proc files say they are empty (st_size 0) and are not: what is read counts.
    lines = _run_reader(Path("/proc/self/maps"), max_bytes=50)
    assert lines[0].startswith("InputError") and "too large" in lines[0]


def test_mtime_out_of_range_costs_nothing(store, analyzer):
    if not Path("/dev/shm").is_dir():
        pytest.fail("needs /dev/shm (tmpfs keeps a file time of year 3,170,843; ext4 clamps it)")
    folder = Path(tempfile.mkdtemp(dir="/dev/shm"))
    try:
        odd = folder / "odd.txt"
        odd.write_text(good_text(1))
        os.utime(odd, (1e14, 1e14))
        assert os.stat(odd).st_mtime == 1e14
        (folder / "plain.txt").write_text(good_text(2))
        report = ingest_paths(store, [folder], analyzer=analyzer)
    finally:
        shutil.rmtree(folder)
    assert report.added == 2 and not report.errors


def test_unreadable_subfolder_is_reported():
    # Not under tmp_path, whose parents only root may enter.
    base = Path(tempfile.mkdtemp(prefix="couverture-perm-"))
    os.chmod(base, 0o755)
    top = base / "top"
    (top / "locked").mkdir(parents=True)
    (top / "locked" / "inside.txt").write_text(good_text(1))
    (top / "open.txt").write_text(good_text(2))
    os.chmod(top / "locked", 0o000)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child reads as an unprivileged user: root reads any folder
        try:
            os.close(reader)
            os.setgid(65534)
            os.setuid(65534)
            found = [f"{type(item).__name__}|{getattr(item, 'origin', '')}|{getattr(item, 'reason', '')}"
                     for item in read_inputs([top])]
            os.write(writer, "\n".join(found).encode())
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as handle:
        lines = handle.read().splitlines()
    os.waitpid(pid, 0)
    os.chmod(top / "locked", 0o755)
    shutil.rmtree(base)
    errors = [line for line in lines if line.startswith("InputError")]
    assert len(errors) == 1 and errors[0].split("|")[1].endswith("top/locked")
    assert "cannot read folder" in errors[0] and "Permission denied" in errors[0]
    assert any(line.startswith("RawDocument") and "open.txt" in line for line in lines)


def test_utf16_and_utf32_with_a_bom_are_text(store, analyzer, tmp_path):
    (tmp_path / "le16.txt").write_bytes(good_text(1).encode("utf-16"))
    (tmp_path / "be16.txt").write_bytes(b"\xfe\xff" + good_text(2).encode("utf-16-be"))
    (tmp_path / "le32.txt").write_bytes(good_text(3).encode("utf-32"))
    (tmp_path / "lines16.jsonl").write_bytes((record(4) + "\n" + record(5) + "\n").encode("utf-16"))
    report = ingest_paths(store, [tmp_path], analyzer=analyzer)
    assert not report.errors
    titles = {a.title for a in store.iter_articles()}
    assert {"Storm number 1 reaches Lyon", "Storm number 2 reaches Naples", "Storm number 3 reaches Utrecht"} <= titles
    assert {"good-4", "good-5"} <= stored_ids(store)


def test_one_nul_line_does_not_refuse_a_jsonl_file(store, analyzer, tmp_path):
    data = (record(1) + "\n").encode() + b'{"text": "\x00\x00\x00 binary junk"}\n' + (record(2) + "\n").encode()
    (tmp_path / "nul.jsonl").write_bytes(data)
    report = ingest_paths(store, [tmp_path / "nul.jsonl"], analyzer=analyzer)
    assert stored_ids(store) == {"good-1", "good-2"}
    assert [e.origin.rsplit(":", 1)[1] for e in report.errors] == ["2"]


def test_mostly_utf8_with_a_few_bad_bytes_stays_utf8(store, analyzer, tmp_path):
    text = ("Élection à Genève : la participation dépasse 60 %\n\nLes électeurs genevois se sont déplacés "
            "en nombre dimanche pour élire leur gouvernement cantonal, selon la chancellerie d'État.")
    data = text.encode("utf-8").replace(b"dimanche", b"dim\xe9anche\xff")
    (tmp_path / "glitch.txt").write_bytes(data)
    report = ingest_paths(store, [tmp_path / "glitch.txt"], analyzer=analyzer)
    article = next(store.iter_articles())
    assert article.title == "Élection à Genève : la participation dépasse 60 %"
    assert "électeurs genevois" in article.text and "dim\ufffdanche\ufffd" in article.text
    assert "UTF-8 with 2 invalid bytes" in " ".join(report.notes)


def test_object_and_boolean_ids_are_not_stored_as_python_repr(store, analyzer, tmp_path):
    lines = [json.dumps({"id": {"a": 1}, "text": good_text(1)}), json.dumps({"id": True, "text": good_text(2)}),
             json.dumps({"id": 7, "text": good_text(3)}), json.dumps({"id": "x" * 300, "text": good_text(4)})]
    (tmp_path / "ids.jsonl").write_text("\n".join(lines) + "\n")
    report = ingest_paths(store, [tmp_path / "ids.jsonl"], analyzer=analyzer)
    ids = stored_ids(store)
    assert len(ids) == 4 and "7" in ids
    assert not any(i in ("True", "{'a': 1}") or i.startswith("{") or len(i) > 200 for i in ids)
    assert sum("'id'" in note for note in report.notes) == 3


def test_terminal_escapes_in_file_names_are_not_printed(tmp_path):
    folder = tmp_path / "ansi"
    folder.mkdir()
    (folder / "evil\x1b]0;pwned\x07\x1b[2J.txt").write_bytes(b"")
    result = CliRunner().invoke(main, ["ingest", str(folder), "--db", str(tmp_path / "t.db")])
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "evil\\x1b]0;pwned\\x07\\x1b[2J.txt: empty file" in result.stderr


def test_missing_dependency_fails_once_and_blames_no_input(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a.txt").write_text(good_text(1))
    for n in range(3):
        (folder / f"page{n}.html").write_text(f"<html><body><article><p>{good_text(n + 2)}</p></article></body></html>")
    # A broken install, for real: the module cannot be imported in this interpreter.
    code = ("import sys; sys.modules['lxml_html_clean'] = None\n"
            "from couverture.cli import main; main()")
    done = subprocess.run([sys.executable, "-c", code, "ingest", str(folder), "--db", str(tmp_path / "m.db")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.count("not installed correctly") == 1
    assert "lxml" in done.stderr and "error: " + str(folder) not in done.stderr
    assert "Traceback" not in done.stderr


def test_an_article_the_analyzer_fails_on_costs_only_itself(analyzer):
    """Inputs are scrubbed before analysis; should one still make the analyzer fail (here
    a lone surrogate, which the sentence encoder cannot encode), only it is dropped."""
    from couverture.engine import IngestReport, _analyze
    from couverture.models import Article

    def article(n: int, text: str) -> Article:
        return Article(id=f"a{n}", title=f"Title {n}", text=text, lang="en", origin=f"in-{n}", content_hash=f"h{n}")

    chunk = [article(1, good_text(1)), article(2, "A lone \ud800 half in a text long enough."), article(3, good_text(3))]
    report = IngestReport()
    kept, features = _analyze(analyzer, chunk, False, report)
    assert [a.id for a in kept] == ["a1", "a3"] and len(features) == 2
    assert [e.origin for e in report.errors] == ["in-2"] and "could not be analysed" in report.errors[0].reason
