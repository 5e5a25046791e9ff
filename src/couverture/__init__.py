"""couverture: full coverage of news stories across outlets and languages.

The pipeline, one stage per package: ingest -> extract -> analyze -> cluster, with
``store`` for persistence and ``eval`` for measurement. The names below are the
public API; everything else may change between releases.
"""
# The public names are imported on first use (a module ``__getattr__``, PEP 562), not
# here: ``import couverture`` and every ``couverture.x`` submodule import run this file,
# and loading the engine, the models and scipy up front made ``couverture --help`` take
# over a second. The names and what they resolve to are the same as an eager import.
from ._lazy import lazy_exports
from ._version import __version__

_EXPORTS = {
    "Analyzer": ".analyze",
    "Article": ".models",
    "CouvertureError": ".errors",
    "DecisionModel": ".cluster",
    "Embedder": ".analyze",
    "Entity": ".models",
    "Features": ".models",
    "IngestReport": ".engine",
    "InputError": ".errors",
    "OnlineClusterer": ".cluster",
    "RawDocument": ".models",
    "Store": ".store",
    "USEEmbedder": ".analyze",
    "bcubed": ".eval",
    "clean_text": ".extract",
    "cluster_articles": ".pipeline",
    "evaluate": ".learn",
    "extract_article": ".extract",
    "ingest_documents": ".engine",
    "ingest_paths": ".engine",
    "pairwise": ".eval",
    "read_inputs": ".ingest",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
__all__ = list(_EXPORTS)
