"""The bundled demo corpus (written for this project; see README.md beside this file)."""
from pathlib import Path


def demo_corpus_path() -> Path:
    return Path(__file__).with_name("articles.jsonl")
