"""What a distributed worker runs: raw documents -> extracted articles with their features.

A task is one batch of inputs in the order the driver read them. The worker extracts
each (as ``pipeline.extract_each`` does), analyses the articles and embeds them in one
call (as ``Analyzer.analyze_many`` does), and returns one outcome per input, in order:

- ``("article", Article, Features)``
- ``("unanalysed", Article, message)``: extracted, but the analyzer failed on it; the
  driver reports it as the single-process path does (after deduplication)
- ``("error", origin, reason)``: the input could not be read (an ``InputError``; sent
  as a tuple because the exception itself does not survive pickling)
- ``("note", origin, message)``: a non-fatal remark (a guessed encoding)

Nothing here imports Dask: the functions are plain and tested without it too. The
analyzer (and its encoder) is built once per worker process and kept
(``worker_analyzer``); ``WarmAnalyzer`` builds it when a worker starts, so the first
task does not pay for the encoder's load.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from datetime import datetime

from ..errors import BrokenInstall, InputError
from ..models import Article, Notice, RawDocument

_lock = threading.Lock()
_analyzer = None


def worker_analyzer():
    """The process's one Analyzer: the encoder's weights are loaded once per worker."""
    global _analyzer
    with _lock:
        if _analyzer is None:
            from ..analyze import Analyzer

            _analyzer = Analyzer()  # the process's default embedder: one BLAS thread
        return _analyzer


def warm_up() -> int:
    """Load the analyzer and its encoder now (one short text embedded); returns the pid."""
    worker_analyzer().embedder.embed(["warm up"])
    return os.getpid()


def _extract(item, now: datetime | None):
    """One input -> ``(outcome, article or None)``."""
    from ..extract import extract_article

    if isinstance(item, InputError):
        return ("error", item.origin, item.reason), None
    if isinstance(item, Notice):
        return ("note", item.origin, item.message), None
    if isinstance(item, Article):  # extracted already (a labelled set, an export): analysed here
        return None, item
    try:
        article = extract_article(item, now=now)
    except InputError as exc:
        return ("error", exc.origin, exc.reason), None
    except ImportError as exc:  # a broken install on this worker: the task fails, loudly
        raise BrokenInstall(exc) from exc
    except Exception as exc:  # one input's failure must not sink the batch (as in extract_each)
        return ("error", item.origin, f"could not be read ({type(exc).__name__}: {exc})"), None
    return None, article


def prepare_batch(items: Sequence[RawDocument | Article | InputError | Notice], now: datetime | None = None) -> list[tuple]:
    """Extract, analyse and embed one batch of inputs; one outcome per input (and a
    note after an input whose encoding was guessed), in input order."""
    outcomes: list = []
    articles = []  # (position in outcomes, article)
    for item in items:
        outcome, article = _extract(item, now)
        if article is None:
            outcomes.append(outcome)
            continue
        articles.append((len(outcomes), article))
        outcomes.append(None)  # filled below
        if isinstance(item, RawDocument) and item.encoding_note:
            outcomes.append(("note", item.origin, item.encoding_note))
    if articles:
        for (position, article), result in zip(articles, _analyse([a for _, a in articles])):
            outcomes[position] = ("article", article, result) if not isinstance(result, str) else \
                ("unanalysed", article, result)
    return outcomes


def _analyse(articles: list) -> list:
    """Features for each article, or the failure's message for one the analyzer fails
    on (all at once first; one at a time when that fails, as the engine's ``_analyze``)."""
    analyzer = worker_analyzer()
    try:
        return analyzer.analyze_many(articles)
    except ImportError as exc:
        raise BrokenInstall(exc) from exc
    except Exception:
        out: list = []
        for article in articles:
            try:
                out.extend(analyzer.analyze_many([article]))
            except ImportError as exc:
                raise BrokenInstall(exc) from exc
            except Exception as exc:
                out.append(f"{type(exc).__name__}: {exc}")
        return out


def worker_plugin():
    """A Dask ``WorkerPlugin`` that loads the analyzer when a worker starts (and when a
    nanny restarts one). Built on demand: this module imports without Dask."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class WarmAnalyzer(WorkerPlugin):
        name = "couverture-warm-analyzer"

        def setup(self, worker):
            warm_up()

    return WarmAnalyzer()
