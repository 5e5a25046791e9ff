"""ECB+ (event_cluster gold): the clustering quality floor of the spine."""
from couverture.eval import evaluate


def test_ecbplus_bcubed_f1_at_least_085():
    result = evaluate("ecbplus")
    assert result["documents"] == 982 and result["errors"] == 0
    assert result["gold_stories"] == 86
    assert result["bcubed"]["f1"] >= 0.85, result
