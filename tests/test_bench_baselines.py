"""The tuning helpers of bench/bench_baselines.py, on tiny synthetic data."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
from sklearn.cluster import AgglomerativeClustering

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "bench_baselines.py"


def load_script():
    spec = importlib.util.spec_from_file_location("bench_baselines", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


bb = load_script()

# Documents 0-3 form fold 0, documents 4-7 fold 1; gold: two stories per fold.
GOLD = ["a", "a", "b", "b", "c", "c", "d", "d"]
PARTS = [[0, 1, 2, 3], [4, 5, 6, 7]]
RIGHT = ["x", "x", "y", "y"]  # labels of one fold that match its gold stories
WRONG = ["x", "y", "z", "w"]  # all singletons


def grid(labels_by_param):
    g = bb.Grid(list(labels_by_param), PARTS)
    for p, per_part in labels_by_param.items():
        g.labels[p] = [[f"{k}:{label}" for label in labels] for k, labels in enumerate(per_part)]
    return g


def test_crossfit_uses_parameters_chosen_on_the_other_fold_only():
    # "left" is perfect on fold 0 only, "right" on fold 1 only.
    g = grid({("left",): [RIGHT, WRONG], ("right",): [WRONG, RIGHT]})
    predicted, chosen = bb.crossfit(g, GOLD, len(GOLD))
    assert chosen == [("right",), ("left",)]
    # So each fold gets the setting that is wrong for it: all singletons.
    assert len(set(predicted)) == len(GOLD)
    assert bb.bcubed(predicted, GOLD).recall == 0.5


def test_oracle_picks_one_setting_on_the_scored_data():
    g = grid({("bad",): [WRONG, WRONG], ("good",): [RIGHT, RIGHT]})
    predicted, chosen = bb.oracle(g, GOLD, len(GOLD))
    assert chosen == ("good",)
    assert bb.bcubed(predicted, GOLD).f1 == 1.0
    assert len(set(predicted)) == 4  # stories never span folds


def test_folds_are_dealt_like_couverture_eval():
    # Sorted by (length, name): 1, 2, 3, 10 -> folds 0, 1, 0, 1.
    assert bb.deal_folds(["10", "1", "3", "2", "1"]) == [1, 0, 0, 1, 0]


def test_noise_points_become_singletons():
    assert bb.as_story_labels([0, -1, 0, -1], "1") == ["1:0", "1:noise1", "1:0", "1:noise3"]


def test_precomputed_cosine_matches_sklearn_cosine_metric():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(4, 16))
    points = np.vstack([c + 0.3 * rng.normal(size=(6, 16)) for c in centres])
    for linkage in bb.LINKAGES:
        ours = bb.agglomerative(bb.embedding_distances(points), linkage, 0.3)
        theirs = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage=linkage,
                                         distance_threshold=0.3).fit_predict(points)
        assert bb.bcubed(ours.tolist(), theirs.tolist()).f1 == 1.0
