"""couverture: full coverage of news stories across outlets and languages.

The pipeline, one stage per package: ingest -> extract -> analyze -> cluster, with
``store`` for persistence and ``eval`` for measurement. The names below are the
public API; everything else may change between releases.
"""
from .analyze import Analyzer, Embedder, USEEmbedder
from .cluster import DecisionModel, OnlineClusterer
from .engine import IngestReport, ingest_documents, ingest_paths
from .errors import CouvertureError, InputError
from .eval import bcubed, evaluate, pairwise
from .extract import clean_text, extract_article
from .ingest import read_inputs
from .models import Article, Entity, Features, RawDocument
from .pipeline import cluster_articles
from .store import Store

__version__ = "0.1.0"

__all__ = [
    "Analyzer",
    "Article",
    "CouvertureError",
    "DecisionModel",
    "Embedder",
    "Entity",
    "Features",
    "IngestReport",
    "InputError",
    "OnlineClusterer",
    "RawDocument",
    "Store",
    "USEEmbedder",
    "bcubed",
    "clean_text",
    "cluster_articles",
    "evaluate",
    "extract_article",
    "ingest_documents",
    "ingest_paths",
    "pairwise",
    "read_inputs",
]
