"""The stream of bench/bench_scaling.py: windows at every level read the same texts."""
from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))  # the script imports its neighbour bench_web
import bench_scaling  # noqa: E402


def test_windows_at_every_level_read_copies_of_the_same_texts():
    records = bench_scaling.base_records(30.0)
    era = len(records)
    offset = 1000 % era
    starts = [bench_scaling.aligned_start(level, offset, era) for level in (1000, 10_000, 100_000)]
    assert starts[0] == 1000
    for level, start in zip((1000, 10_000, 100_000), starts):
        assert level - era < start <= level
    windows = [list(bench_scaling.stream(records, 30.0, start, 50)) for start in starts]
    bases = [[doc.content["bench_base"] for doc in window] for window in windows]
    assert bases[0] == bases[1] == bases[2]
    ids = [doc.content["id"] for window in windows for doc in window]
    assert len(set(ids)) == len(ids)  # copies, not the same articles again
    # The encoder reads the same text for each copy, up to the suffix's letters: the
    # first era's copies are not embedded without their title (they were, once).
    from couverture.analyze.features import embedding_text
    from couverture.extract import extract_article

    lengths = [sum(len(embedding_text(extract_article(doc))) for doc in window) for window in windows]
    assert max(lengths) - min(lengths) <= 2 * 50, lengths  # at most two more letters per title
    # Unaligned starts (the old windows) read other texts.
    assert [d.content["bench_base"] for d in bench_scaling.stream(records, 30.0, 10_000, 50)] != bases[0]


def test_peak_memory_is_the_measuring_programs_own():
    """A measuring process started by a parent holding much memory reports its own
    peak, not the parent's (Linux carries ``ru_maxrss`` across fork and exec)."""
    import subprocess

    held = b"\x01" * (400 * 2**20)  # touched pages: the parent's RSS is at least 400 MB now
    probe = (f"import sys; sys.path.insert(0, {str(BENCH)!r}); import peak_memory; "
             "print(peak_memory.own_peak_rss_mb())")
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    peak = float(out.stdout.strip().splitlines()[-1])
    assert len(held) == 400 * 2**20
    assert 5 < peak < 200, peak
