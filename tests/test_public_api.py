import couverture

EXPECTED = {
    "Analyzer", "Article", "CouvertureError", "DecisionModel", "Embedder", "Entity", "Features", "IngestReport",
    "InputError", "OnlineClusterer", "RawDocument", "Store", "USEEmbedder", "bcubed", "clean_text",
    "cluster_articles", "evaluate", "extract_article", "ingest_documents", "ingest_paths", "pairwise", "read_inputs",
}


def test_exported_names_are_exactly_the_public_api():
    assert set(couverture.__all__) == EXPECTED
    for name in couverture.__all__:
        assert getattr(couverture, name) is not None
