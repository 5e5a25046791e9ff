from couverture.eval.metrics import bcubed, pairwise


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
