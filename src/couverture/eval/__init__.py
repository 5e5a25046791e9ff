"""Evaluation: clustering metrics, dataset loaders, labelled sets made ready to score.

The evaluation that refits the decisions on held-out folds (``couverture eval``) is
``couverture.learn.evaluate``: it trains, and training sits above this package."""
from .datasets import load_ecbplus, load_googlenews_fr, load_jsonl, load_semeval_pairs, shared_data_dir
from .metrics import Scores, bcubed, pairwise

__all__ = [
    "Scores", "bcubed", "load_ecbplus", "load_googlenews_fr", "load_jsonl", "load_semeval_pairs",
    "pairwise", "shared_data_dir",
]
