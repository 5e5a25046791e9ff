"""ECB+ story clustering on the full set, topic-disjoint folds, against its quality floors.

This is the check that ``tests/test_ecbplus.py`` made on every test run until issue 22:
the same evaluation as ``couverture eval`` (982 documents, 86 gold stories, seeded
shuffle, decision models refitted on two topic-disjoint folds), with the same floors.
It takes 8 to 13 minutes on two cores, most of it refitting the decisions, which is
why the suite now pins the behaviour on a few ECB+ topics instead (test_ecbplus.py)
and the full-set floor is checked here, its figures recorded in bench/RESULTS.md.

The floors sit a little under the figures measured when they were set (0.954 / 0.939),
so a change that loses the regroup's sharpened cut (0.942 / 0.919 on plain
probabilities; 0.943 / 0.915 on cubes with the first of tied settings), or its pair
model (0.909 / 0.881 without), falls below them.

    python bench/bench_ecbplus.py           # prints the figures; exit status 1 under a floor
"""
from __future__ import annotations

import sys
import time

BCUBED_FLOOR = 0.948
PAIRWISE_FLOOR = 0.93


def main() -> int:
    from couverture.learn import evaluate

    started = time.perf_counter()
    result = evaluate("ecbplus")
    elapsed = time.perf_counter() - started
    print("$ python bench/bench_ecbplus.py")
    print(f"dataset {result['dataset']}: {result['documents']} documents, {result['gold_stories']} gold stories, "
          f"{result['errors']} unreadable, order={result['order']} seed={result['seed']}, "
          f"{result['folds']} topic-disjoint folds; {result['predicted_stories']} predicted stories "
          f"({result['singletons']} singletons); {elapsed:.0f} s")
    held = True
    for name, floor in (("bcubed", BCUBED_FLOOR), ("pairwise", PAIRWISE_FLOOR)):
        scores = result[name]
        ok = scores["f1"] >= floor
        held = held and ok
        print(f"{name:<9} P {scores['precision']:.4f}  R {scores['recall']:.4f}  F1 {scores['f1']:.4f}  "
              f"floor {floor:.3f}: {'held' if ok else 'BELOW THE FLOOR'}")
    shape_ok = result["documents"] == 982 and result["errors"] == 0 and result["gold_stories"] == 86
    if not shape_ok:
        print("the data set is not the one the floors were set on (982 documents, 86 stories, none unreadable)")
    return 0 if held and shape_ok else 1


if __name__ == "__main__":
    sys.exit(main())
