"""ECB+ (event_cluster gold): six topics whose two look-alike events only the regroup keeps apart.

The full-set quality floor (982 documents, decisions refitted on topic-disjoint folds,
BCubed F1 >= 0.948, pairwise >= 0.93) took 8 to 13 minutes on two cores; it is now
``python bench/bench_ecbplus.py``, its figures in bench/RESULTS.md. Here the behaviour
behind it is pinned on a small real sample in seconds.

The topics: 25, 27, 29, 31, 35 and 37, chosen because on the full set with the shipped
models each of them is scored right only with both the regroup and its cut on sharpened
(cubed) probabilities: without the regroup, or with the cut on plain probabilities,
each one's two events fuse or split (bench/RESULTS.md, issue 22). The shipped models
were fitted on all of ECB+, these topics included, so the figure below is a pin of
behaviour, not an estimate of quality (that is the bench's cross-fitted figure).
Measured on this sample (145 documents, 12 gold stories, seeded shuffle), BCubed /
pairwise F1: with the decisions shipped until issue 26, 0.9935 / 0.9916, without the
regroup 0.8165 / 0.7648, cut on plain probabilities 0.9051 / 0.8419; with those of
issue 26 (trained on ECB+ and multinews_dev together, day clashes, one cut per group)
0.9555 / 0.9514, 0.7732 / 0.7069 and 0.9160 / 0.8584. The floors sit between the
shipped figure and the better of the two variants: either one breaking fails here.
"""
import json

from conftest import DATA
from couverture.learn import evaluate

TOPICS = (25, 27, 29, 31, 35, 37)


def test_the_regroup_keeps_look_alike_ecbplus_events_apart(tmp_path):
    sample = tmp_path / "ecbplus_sample.jsonl"
    with open(DATA / "ecbplus" / "ecbplus_docs.jsonl", encoding="utf-8") as handle, \
            open(sample, "w", encoding="utf-8") as out:
        for line in handle:
            if json.loads(line)["topic"] in TOPICS:
                out.write(line)
    result = evaluate(str(sample), gold_field="event_cluster", folds=0)
    assert result["documents"] == 145 and result["errors"] == 0 and result["gold_stories"] == 12
    assert result["bcubed"]["f1"] >= 0.94, result
    assert result["pairwise"]["f1"] >= 0.92, result
