"""The pipeline without storage: RawDocuments -> Articles -> Features -> stories."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .analyze import Analyzer
from .cluster import ArticleProfile, OnlineClusterer
from .errors import BrokenInstall, InputError
from .extract import extract_article
from .models import Article, Features, Notice, RawDocument


@dataclass
class Prepared:
    articles: list[Article] = field(default_factory=list)
    features: list[Features] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # non-fatal remarks, e.g. a guessed encoding


def extract_all(items: Iterable[RawDocument | InputError | Notice]) -> Prepared:
    """Extract every document; errors are collected, never raised."""
    prepared = Prepared()
    prepared.articles.extend(extract_each(items, prepared))
    return prepared


def extract_each(items: Iterable[RawDocument | Article | InputError | Notice], prepared: Prepared) -> Iterator[Article]:
    """Extract documents one at a time, as they arrive; errors and notes go to ``prepared``.

    A consumer can start on the first articles (e.g. embed them) while later ones
    are still being read.
    """
    now = datetime.now(timezone.utc)
    for item in items:
        if isinstance(item, InputError):
            prepared.errors.append(item)
            continue
        if isinstance(item, Notice):
            prepared.notes.append(f"{item.origin}: {item.message}")
            continue
        if isinstance(item, Article):  # extracted elsewhere (a distributed worker: couverture.distributed)
            yield item
            continue
        try:
            article = extract_article(item, now=now)
        except InputError as exc:
            prepared.errors.append(exc)
            continue
        except ImportError as exc:  # a missing module fails every input alike: say so once
            raise BrokenInstall(exc) from exc
        except Exception as exc:  # a bug or a library failure on one input must not sink the batch
            prepared.errors.append(InputError(item.origin, f"could not be read ({type(exc).__name__}: {exc})"))
            continue
        if item.encoding_note:
            prepared.notes.append(f"{item.origin}: {item.encoding_note}")
        yield article


def stream_order(articles: Sequence[Article]) -> list[int]:
    """Indices in processing order: by publication time when known, else arrival.

    Undated articles keep their arrival position relative to each other and follow
    the dated ones of the same batch.
    """
    return sorted(range(len(articles)), key=lambda i: (articles[i].published is None, articles[i].published or 0, i))


def cluster_articles(
    articles: Sequence[Article],
    features: Sequence[Features],
    clusterer: OnlineClusterer | None = None,
    order: Sequence[int] | None = None,
) -> list[str]:
    """Story id for each article (same order as the input)."""
    clusterer = clusterer or OnlineClusterer()
    story_ids = [""] * len(articles)
    for index in order if order is not None else stream_order(articles):
        assignment = clusterer.add(ArticleProfile.build(articles[index], features[index]))
        story_ids[index] = assignment.story_id
    clusterer.finish()
    # Merges and regroups after an article's arrival may have moved it.
    return [clusterer.story_of(a.id, sid) if sid else sid for a, sid in zip(articles, story_ids)]


def analyze_all(articles: Sequence[Article], analyzer: Analyzer | None = None, batch_size: int = 64, progress=None) -> list[Features]:
    analyzer = analyzer or Analyzer()
    out: list[Features] = []
    for start in range(0, len(articles), batch_size):
        batch = articles[start : start + batch_size]
        out.extend(analyzer.analyze_many(batch))
        if progress is not None:
            progress(len(batch))
    return out
