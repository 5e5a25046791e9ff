from couverture.eval.metrics import bcubed, pairwise
import pytest


def test_perfect_and_worst():
    gold = ["a", "a", "b", "b"]
    assert bcubed(["x", "x", "y", "y"], gold).f1 == 1.0
    assert pairwise(["x", "x", "y", "y"], gold).f1 == 1.0
    assert pairwise(["1", "2", "3", "4"], gold).recall == 0.0


def test_bcubed_by_hand():
    # predicted {0,1,2} {3}; gold {0,1} {2,3}
    scores = bcubed(["p", "p", "p", "q"], ["a", "a", "b", "b"])
    # precision per item: 2/3, 2/3, 1/3, 1 -> 8/3 / 4 = 2/3 ; recall: 1, 1, 1/2, 1/2 -> 3/4
    assert abs(scores.precision - 2 / 3) < 1e-9
    assert abs(scores.recall - 3 / 4) < 1e-9


def test_pairwise_by_hand():
    # predicted pairs: (0,1) (0,2) (1,2); gold pairs: (0,1) (2,3); shared: (0,1)
    scores = pairwise(["p", "p", "p", "q"], ["a", "a", "b", "b"])
    assert abs(scores.precision - 1 / 3) < 1e-9
    assert abs(scores.recall - 1 / 2) < 1e-9


def test_translated_semeval_copies_share_their_original_pair_id():
    from couverture.eval.semeval import base_pair_id

    assert base_pair_id("1484039360it_1484180228it") == "1484039360_1484180228"
    assert base_pair_id("1556488279_1573093212fr") == "1556488279_1573093212"
    assert base_pair_id("1586893419_1587582551") == "1586893419_1587582551"


def test_hard_negative_pairs_merged_count_majorities():
    from couverture.eval.metrics import hard_negatives_merged

    gold = ["final"] * 4 + ["semi"] * 4 + ["other"] * 2
    apart = ["a"] * 4 + ["b"] * 4 + ["c"] * 2
    assert hard_negatives_merged(apart, gold, [("final", "semi")]) == 0
    # Three of the four semi-final articles in the final's story: merged.
    fused = ["a"] * 4 + ["a", "a", "a", "b"] + ["c"] * 2
    assert hard_negatives_merged(fused, gold, [("final", "semi"), ("semi", "other")]) == 1
    # One semi-final article in the final's story is an error, not a merge of the two.
    stray = ["a"] * 4 + ["a", "b", "b", "b"] + ["c"] * 2
    assert hard_negatives_merged(stray, gold, [("final", "semi")]) == 0


def test_heldout_scores_equal_the_plain_ones_for_one_run_and_count_cross_fold_merges():
    from couverture.eval.metrics import bcubed, heldout_scores, pairwise

    gold = ["a", "a", "b", "b", "c", "c"]
    labels = ["x", "x", "x", "y", "z", "z"]
    b, p = heldout_scores([(labels, range(6))], gold)
    assert (b, p) == (bcubed(labels, gold), pairwise(labels, gold))
    # Two runs: items 0-3 judged by a run that merges a with one c; items 4-5 by a
    # perfect run. Item 0's cluster holds an item it does not judge (4): precision 2/3.
    first = ["x", "x", "y", "y", "x", "w"]
    perfect = ["x", "x", "y", "y", "z", "z"]
    b, p = heldout_scores([(first, [0, 1, 2, 3]), (perfect, [4, 5])], gold)
    assert b.precision == pytest.approx((2 / 3 + 2 / 3 + 1 + 1 + 1 + 1) / 6)
    assert b.recall == pytest.approx(1.0)
    # Pairs: (0,1) and (2,3) together and right, (4,5) right from the perfect run; (0,4)
    # and (1,4) judged together by the first run only for its half: 1 wrong pair in all.
    assert p.precision == pytest.approx(3 / 4) and p.recall == pytest.approx(1.0)
    with pytest.raises(ValueError):
        heldout_scores([(first, [0, 1]), (perfect, [1, 2, 3, 4, 5])], gold)
