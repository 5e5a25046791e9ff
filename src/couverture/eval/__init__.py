"""Evaluation: clustering metrics, dataset loaders, a runner."""
from .datasets import load_ecbplus, load_googlenews_fr, load_jsonl, load_semeval_pairs, shared_data_dir
from .metrics import Scores, bcubed, pairwise
from .runner import evaluate

__all__ = [
    "Scores", "bcubed", "evaluate", "load_ecbplus", "load_googlenews_fr", "load_jsonl", "load_semeval_pairs",
    "pairwise", "shared_data_dir",
]
