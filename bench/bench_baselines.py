"""couverture against standard clustering baselines, side by side in one run.

Every method sees the same documents and the same analyzer output: extraction and
analysis run once per dataset and their features feed couverture and every baseline.

Methods
  couverture               online clusterer, learned join decision (as `couverture eval`)
  TF-IDF lemmas + agglo    TfidfVectorizer(sublinear_tf) over the analyzer's content-word
                           lemmas, cosine distance, AgglomerativeClustering
  TF-IDF words + agglo     the same over the cleaned title and text, scikit-learn's own
                           tokenizer (lowercased, accents stripped)
  USE + agglo              the analyzer's multilingual USE v3 vectors, cosine distance,
                           AgglomerativeClustering
  USE + HDBSCAN            sklearn HDBSCAN on the same vectors, cosine distance; its noise
                           points count as singleton stories

The agglomerative grid is linkage (average, complete, single) x distance_threshold;
the HDBSCAN grid is min_cluster_size x min_samples x cluster_selection_epsilon x
cluster_selection_method. Cosine distances are computed once per clustered set and
passed as metric="precomputed" (the same clustering as metric="cosine", without
recomputing the matrix for every grid point). TF-IDF is fitted on the set being
clustered.

Tuning, the same way as couverture's cross-fitted decision model
  ECB+           the 43 topics dealt to 2 folds exactly as `couverture eval` does
                 (sorted by (length, name), alternately); each fold is clustered on
                 its own; the parameters used on a fold are those with the best BCubed
                 F1 on the other fold; scores are over all documents.
  googlenews_fr  couverture uses its shipped full-length decisions (never trained on these
                 headlines; the shipped short-text ones were, so they are left out).
                 Two settings: (a) story ids dealt to 2 folds the same way, each fold
                 clustered on its own, baselines tuned on the other fold, couverture
                 run on each fold too, with its shipped decisions and with decisions
                 fitted on the other fold's headlines; (b) all headlines clustered together, baselines
                 with the parameters tuned on all of ECB+ (only when ECB+ is in the run).
  multinews_dev  couverture as `couverture eval multinews_dev`: 3 folds of families of
                 look-alike stories, each clustered among all 155 articles with decisions
                 fitted on the shipped recipe without it, and scored on its own articles;
                 with the dates as given, none, and a seeded half.
                 Baselines cluster all articles with the parameters tuned on ECB+.
"Oracle" rows pick the parameters on the scored data itself: an upper bound, not a
result.

    python bench/bench_baselines.py
    python bench/bench_baselines.py --datasets ecbplus multinews_dev
    python bench/bench_baselines.py --datasets googlenews_fr --no-plot
"""
from __future__ import annotations

import argparse
import itertools
import random
import shlex
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.cluster import HDBSCAN, AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_distances

from couverture.cluster import OnlineClusterer
from couverture.cluster.similarity import default_decision_model, default_merge_model
from couverture.eval.datasets import multinews_hard_negatives
from couverture.eval.metrics import bcubed, hard_negatives_merged, heldout_scores, pairwise
from couverture.eval.runner import DATE_MODES, analyze_labelled, load_dataset, with_dates
from couverture.learn import recipe
from couverture.learn.heldout import HELD_OUT_FOLDS, _recipe_for, crossfit_predictions
from couverture.pipeline import cluster_articles, stream_order

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PLOT = ROOT / "docs" / "bench" / "baselines_ecbplus.png"

LINKAGES = ("average", "complete", "single")
THRESHOLDS = tuple(round(float(t), 2) for t in np.arange(0.05, 1.201, 0.01))
HDBSCAN_GRID = tuple(
    itertools.product(
        (2, 3, 4, 6),  # min_cluster_size
        (1, 2, 3),  # min_samples
        tuple(round(float(e), 2) for e in np.arange(0.0, 0.601, 0.05)),  # cluster_selection_epsilon
        ("eom", "leaf"),  # cluster_selection_method
    )
)

Labels = list[str]


# ---- representations: a distance matrix for any subset of the documents ----------

def _identity(tokens):
    return tokens


def tfidf_lemma_distances(lemmas: Sequence[Sequence[str]]) -> np.ndarray:
    matrix = TfidfVectorizer(analyzer=_identity, sublinear_tf=True).fit_transform(list(lemmas))
    return cosine_distances(matrix)


def tfidf_word_distances(texts: Sequence[str]) -> np.ndarray:
    matrix = TfidfVectorizer(sublinear_tf=True, lowercase=True, strip_accents="unicode").fit_transform(list(texts))
    return cosine_distances(matrix)


def embedding_distances(vectors: np.ndarray) -> np.ndarray:
    distances = cosine_distances(vectors)
    np.fill_diagonal(distances, 0.0)
    return np.clip(distances, 0.0, None)


# ---- clusterers over a precomputed distance matrix ---------------------------------

def agglomerative(distances: np.ndarray, linkage: str, threshold: float) -> np.ndarray:
    if len(distances) < 2:
        return np.zeros(len(distances), dtype=int)
    model = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage=linkage, distance_threshold=threshold)
    return model.fit_predict(distances)


def hdbscan(distances: np.ndarray, min_cluster_size: int, min_samples: int, epsilon: float, method: str) -> np.ndarray | None:
    """Labels, or None where scikit-learn cannot run this setting.

    With NumPy 2.x, scikit-learn's HDBSCAN raises "only 0-dimensional arrays can be
    converted to Python scalars" whenever cluster_selection_epsilon has to merge a
    leaf cluster upwards (scikit-learn issue #33219, unfixed in 1.9); such settings
    are left out of the grid, and the count is printed.
    """
    if len(distances) < 2:
        return np.full(len(distances), -1)
    model = HDBSCAN(min_cluster_size=min_cluster_size, min_samples=min_samples, cluster_selection_epsilon=epsilon,
                    cluster_selection_method=method, metric="precomputed", copy=True)
    try:
        return model.fit_predict(distances)
    except TypeError as exc:
        if epsilon > 0 and "0-dimensional" in str(exc):
            return None
        raise


def agglomerative_grid() -> list[tuple]:
    return [(linkage, t) for linkage in LINKAGES for t in THRESHOLDS]


def describe_agglomerative(params: tuple) -> str:
    return f"{params[0]} t={params[1]:.2f}"


def describe_hdbscan(params: tuple) -> str:
    mcs, ms, eps, method = params
    return f"mcs={mcs} ms={ms} eps={eps:.2f} {method}"


@dataclass
class Baseline:
    name: str
    distances: Callable[[list[int]], np.ndarray]  # document indices -> distance matrix
    cluster: Callable[..., np.ndarray]  # (distances, *params) -> integer labels, -1 = noise
    grid: list[tuple]
    describe: Callable[[tuple], str]


# ---- tuning on folds ---------------------------------------------------------------

def deal_folds(keys: Sequence[str], folds: int = 2) -> list[int]:
    """Fold of each item: distinct keys sorted by (length, name), dealt alternately.

    The same deal as couverture's cross-fitting, so ECB+ topics land in the same folds.
    """
    names = sorted(set(keys), key=lambda k: (len(k), k))
    fold_of = {k: i % folds for i, k in enumerate(names)}
    return [fold_of[k] for k in keys]


def as_story_labels(raw: Sequence[int], prefix: str) -> Labels:
    """String labels; each noise point (-1) becomes its own singleton story."""
    return [f"{prefix}:{label}" if label >= 0 else f"{prefix}:noise{i}" for i, label in enumerate(raw)]


@dataclass
class Grid:
    """Labels of every parameter setting on every clustered part (fold or whole set)."""

    params: list[tuple]
    parts: list[list[int]]  # document indices of each part, each clustered on its own
    labels: dict[tuple, list[Labels]] = field(default_factory=dict)  # params -> labels per part
    seconds: float = 0.0
    failed: list[tuple] = field(default_factory=list)  # settings the clusterer could not run on some part


def run_grid(baseline: Baseline, parts: list[list[int]], params: list[tuple] | None = None) -> Grid:
    grid = Grid(list(params or baseline.grid), parts)
    started = time.perf_counter()
    matrices = [baseline.distances(part) for part in parts]
    for p in list(grid.params):
        raw = [baseline.cluster(m, *p) for m in matrices]
        if any(r is None for r in raw):
            # Whether a setting runs depends on the distances only, never on labels.
            grid.failed.append(p)
            grid.params.remove(p)
            continue
        grid.labels[p] = [as_story_labels(r, f"{k}") for k, r in enumerate(raw)]
    grid.seconds = time.perf_counter() - started
    return grid


def bcubed_f1(grid: Grid, p: tuple, part_ids: Sequence[int], gold: Sequence[str]) -> float:
    predicted = [label for k in part_ids for label in grid.labels[p][k]]
    truth = [gold[i] for k in part_ids for i in grid.parts[k]]
    return bcubed(predicted, truth).f1


def best_params(grid: Grid, part_ids: Sequence[int], gold: Sequence[str]) -> tuple:
    """The grid point with the best BCubed F1 over the given parts (first one on ties)."""
    best, best_f1 = grid.params[0], -1.0
    for p in grid.params:
        f1 = bcubed_f1(grid, p, part_ids, gold)
        if f1 > best_f1:
            best, best_f1 = p, f1
    return best


def crossfit(grid: Grid, gold: Sequence[str], n_documents: int) -> tuple[Labels, list[tuple]]:
    """Each part labelled with the parameters that scored best on the other parts only."""
    predicted = [""] * n_documents
    chosen = []
    for k, part in enumerate(grid.parts):
        others = [j for j in range(len(grid.parts)) if j != k]
        p = best_params(grid, others, gold)
        chosen.append(p)
        for i, label in zip(part, grid.labels[p][k]):
            predicted[i] = label
    return predicted, chosen


def oracle(grid: Grid, gold: Sequence[str], n_documents: int) -> tuple[Labels, tuple]:
    """One parameter setting for all parts, chosen on the scored data itself."""
    p = best_params(grid, range(len(grid.parts)), gold)
    predicted = [""] * n_documents
    for k, part in enumerate(grid.parts):
        for i, label in zip(part, grid.labels[p][k]):
            predicted[i] = label
    return predicted, p


# ---- reporting ---------------------------------------------------------------------

@dataclass
class Row:
    method: str
    params: str
    predicted: Labels
    seconds: float | None


def print_table(title: str, rows: list[Row], gold: Sequence[str], notes: Sequence[str] = (),
                scores_of: dict | None = None) -> None:
    """``scores_of``: (BCubed, pairwise) of a row (by ``id``) scored otherwise than by its
    labels alone (a whole-stream cross-fit, ``metrics.heldout_scores``)."""
    width = max(len(r.method) for r in rows)
    pwidth = max(max(len(r.params) for r in rows), 6)
    print(f"\n{title}")
    header = (f"  {'method':<{width}}  {'parameters':<{pwidth}}  {'BCubed P':>8} {'R':>6} {'F1':>6}"
              f"  {'pairwise P':>10} {'R':>6} {'F1':>6}  {'clusters':>8}  {'seconds':>7}")
    print(header)
    print("  " + "-" * (len(header) - 2))
    for r in rows:
        b, pw = (scores_of or {}).get(id(r)) or (bcubed(r.predicted, gold), pairwise(r.predicted, gold))
        seconds = f"{r.seconds:7.1f}" if r.seconds is not None else f"{'-':>7}"
        print(f"  {r.method:<{width}}  {r.params:<{pwidth}}  {b.precision:8.4f} {b.recall:6.4f} {b.f1:6.4f}"
              f"  {pw.precision:10.4f} {pw.recall:6.4f} {pw.f1:6.4f}  {len(set(r.predicted)):8d}  {seconds}")
    for note in notes:
        print(f"  note: {note}")


def failure_note(name: str, grid: Grid) -> list[str]:
    if not grid.failed:
        return []
    total = len(grid.failed) + len(grid.params)
    return [f"{name}: {len(grid.failed)} of {total} settings left out, scikit-learn raised on them "
            "(HDBSCAN cluster_selection_epsilon with NumPy 2.x, scikit-learn issue #33219)"]


def per_part(chosen: list[tuple], describe: Callable[[tuple], str]) -> str:
    return " | ".join(f"f{k}: {describe(p)}" for k, p in enumerate(chosen))


# ---- datasets ----------------------------------------------------------------------

@dataclass
class Prepared:
    name: str
    articles: list
    features: list
    gold: list[str]
    groups: list[str]
    unreadable: int
    seconds: float


def prepare(name: str) -> Prepared:
    """Extract and analyze once, as `couverture eval` does (ECB+ and multinews_dev as
    the training recipe holds them, so that fold indices agree)."""
    started = time.perf_counter()
    if name == "ecbplus":
        data = recipe.analyzed_ecbplus()
    elif name == "multinews_dev":
        data = recipe.analyzed_multinews()
    else:
        data = analyze_labelled(load_dataset(name))
    return Prepared(name, data.articles, data.features, data.gold, data.groups, len(data.errors),
                    time.perf_counter() - started)


def baselines_for(data: Prepared) -> list[Baseline]:
    lemmas = [f.lemmas for f in data.features]
    texts = [a.text if a.text == a.title else f"{a.title}\n{a.text}" for a in data.articles]
    vectors = np.vstack([f.embedding for f in data.features]).astype(np.float64)
    return [
        Baseline("TF-IDF lemmas + agglo", lambda idx: tfidf_lemma_distances([lemmas[i] for i in idx]),
                 agglomerative, agglomerative_grid(), describe_agglomerative),
        Baseline("TF-IDF words + agglo", lambda idx: tfidf_word_distances([texts[i] for i in idx]),
                 agglomerative, agglomerative_grid(), describe_agglomerative),
        Baseline("USE + agglo", lambda idx: embedding_distances(vectors[idx]),
                 agglomerative, agglomerative_grid(), describe_agglomerative),
        Baseline("USE + HDBSCAN", lambda idx: embedding_distances(vectors[idx]),
                 hdbscan, list(HDBSCAN_GRID), describe_hdbscan),
    ]


def seeded_sequence(n: int, seed: int = 0) -> list[int]:
    """The stream order `couverture eval` uses (order=shuffle, seed 0)."""
    sequence = list(range(n))
    random.Random(seed).shuffle(sequence)
    return sequence


def bench_ecbplus(data: Prepared) -> tuple[dict[str, tuple], dict]:
    n, gold = len(data.articles), data.gold
    fold_of = deal_folds(data.groups)
    parts = [[i for i in range(n) if fold_of[i] == k] for k in range(2)]
    print(f"\nECB+: {n} documents ({data.unreadable} unreadable), {len(set(gold))} gold stories, "
          f"{len(set(data.groups))} topics in 2 folds of {len(parts[0])} / {len(parts[1])} documents; "
          f"extract + analyze once: {data.seconds:.1f}s (not counted below)")

    started = time.perf_counter()
    predicted, _ = crossfit_predictions(data.articles, data.features, gold, data.groups, seeded_sequence(n), 2,
                                        _recipe_for("ecbplus"))
    rows = [Row("couverture", "decisions fitted without the scored fold (as `couverture eval`)", predicted,
                time.perf_counter() - started)]
    tuned_rows, oracle_rows, notes, tuned_grids = tune_baselines(baselines_for(data), parts, gold, n)
    rows += tuned_rows
    transfer, curves = {}, {}
    for baseline, grid, tuned, p in tuned_grids:
        transfer[baseline.name] = p
        if baseline.cluster is agglomerative:
            curves[baseline.name] = {
                "tuned_f1": bcubed(tuned, gold).f1,
                "lines": {linkage: [bcubed_f1(grid, (linkage, t), range(2), gold) for t in THRESHOLDS]
                          for linkage in LINKAGES},
            }
    print_table("ECB+, each fold clustered on its own, parameters chosen on the other fold "
                "(fk: parameters used on fold k); seconds = fitting/tuning + clustering", rows, gold, notes)
    print_table("ECB+ oracle: one parameter setting chosen on all scored documents (UPPER BOUND, not a result)",
                oracle_rows, gold)
    curves["couverture"] = bcubed(predicted, gold).f1
    return transfer, curves


def tune_baselines(baselines: list[Baseline], parts: list[list[int]], gold: Sequence[str], n: int):
    """Each baseline tuned on one fold and scored on the other, plus its oracle setting.

    Returns the result rows, the oracle rows, failure notes, and per baseline its grid,
    tuned labels and oracle parameters (for what a caller draws or transfers)."""
    rows, oracle_rows, notes, tuned_grids = [], [], [], []
    for baseline in baselines:
        grid = run_grid(baseline, parts)
        notes += failure_note(baseline.name, grid)
        tuned, chosen = crossfit(grid, gold, n)
        rows.append(Row(baseline.name, per_part(chosen, baseline.describe), tuned, grid.seconds))
        best, p = oracle(grid, gold, n)
        oracle_rows.append(Row(f"{baseline.name} (oracle)", baseline.describe(p), best, None))
        tuned_grids.append((baseline, grid, tuned, p))
    return rows, oracle_rows, notes, tuned_grids


def full_length_only() -> OnlineClusterer:
    """The clusterer with the shipped full-length decisions judging every article: the
    shipped short-text ones were fitted on these headlines, so they cannot be scored here."""
    return OnlineClusterer(decision=default_decision_model(), merge_decision=default_merge_model())


def bench_googlenews(data: Prepared, transfer: dict[str, tuple] | None) -> None:
    n, gold = len(data.articles), data.gold
    sequence = seeded_sequence(n)
    fold_of = deal_folds(gold)
    parts = [[i for i in range(n) if fold_of[i] == k] for k in range(2)]
    print(f"\ngooglenews_fr: {n} headlines ({data.unreadable} unreadable, dropped for every method), "
          f"{len(set(gold))} silver stories; extract + analyze once: {data.seconds:.1f}s (not counted below)")

    # (a) story folds: every method clusters each fold on its own.
    started = time.perf_counter()
    predicted = [""] * n
    for k, part in enumerate(parts):
        members = set(part)
        ids = cluster_articles(data.articles, data.features, full_length_only(), order=[i for i in sequence if i in members])
        for i in part:
            predicted[i] = f"{k}:{ids[i]}"
    rows = [Row("couverture", "shipped full-length decisions, each fold its own stream", predicted,
                time.perf_counter() - started)]
    # The same clusterer with its join and merge decisions (and thresholds) fitted on the
    # other fold's headlines, as the baselines are tuned: what in-domain training buys.
    # Story ids as groups: crossfit_predictions deals them to folds as deal_folds does.
    started = time.perf_counter()
    refitted, _ = crossfit_predictions(data.articles, data.features, gold, gold, sequence)
    rows.append(Row("couverture", "decisions fitted on the other fold", refitted, time.perf_counter() - started))
    baselines = baselines_for(data)
    tuned_rows, oracle_rows, notes, _ = tune_baselines(baselines, parts, gold, n)
    rows += tuned_rows
    print_table(f"googlenews_fr (a): story ids dealt to 2 folds of {len(parts[0])} / {len(parts[1])} headlines, "
                "each clustered on its own; baselines tuned on the other fold", rows, gold, notes)
    print_table("googlenews_fr (a) oracle: one setting chosen on all scored headlines (UPPER BOUND, not a result)",
                oracle_rows, gold)

    # (b) all headlines together; couverture with its full-length decisions, never fitted on them.
    whole = [list(range(n))]
    started = time.perf_counter()
    predicted = cluster_articles(data.articles, data.features, full_length_only(), order=sequence)
    rows = [Row("couverture", "shipped full-length decisions", predicted, time.perf_counter() - started)]
    oracle_rows, notes = whole_set_baselines(baselines, transfer, whole, gold, rows)
    note = "" if transfer is not None else " (baselines need ECB+ in the run for their transferred parameters)"
    print_table(f"googlenews_fr (b): all {n} headlines clustered together{note}", rows, gold)
    print_table("googlenews_fr (b) oracle: one setting chosen on all scored headlines (UPPER BOUND, not a result)",
                oracle_rows, gold, notes)


def whole_set_baselines(baselines, transfer: dict[str, tuple] | None, whole: list[list[int]], gold,
                        rows: list) -> tuple[list, list[str]]:
    """Each baseline on a whole set: with its ECB+ parameters (appended to ``rows``,
    when ECB+ is in the run) and at its best setting on the set itself. Returns the
    oracle rows and the notes."""
    n = sum(len(part) for part in whole)
    oracle_rows, notes = [], []
    for baseline in baselines:
        if transfer is not None:
            p = transfer[baseline.name]
            grid = run_grid(baseline, whole, [p])
            if grid.labels:
                rows.append(Row(baseline.name, f"tuned on ECB+: {baseline.describe(p)}", grid.labels[p][0], grid.seconds))
            else:
                notes.append(f"{baseline.name}: the ECB+ setting {baseline.describe(p)} could not run here")
        grid = run_grid(baseline, whole)
        notes += failure_note(baseline.name, grid)
        best, p = oracle(grid, gold, n)
        oracle_rows.append(Row(f"{baseline.name} (oracle)", baseline.describe(p), best, None))
    return oracle_rows, notes


def bench_multinews(data: Prepared, transfer: dict[str, tuple] | None) -> None:
    """multinews_dev: couverture with decisions fitted without the scored family of
    look-alike stories (as `couverture eval multinews_dev`), with its dates as given,
    removed, and removed from a seeded half; the baselines cluster all 155 articles at
    once with the parameters tuned on ECB+ (they use no dates), plus their oracles."""
    n, gold = len(data.articles), data.gold
    pairs = multinews_hard_negatives()
    families = len(set(data.groups))
    print(f"\nmultinews_dev: {n} articles ({data.unreadable} unreadable), {len(set(gold))} gold stories in {families} "
          f"families of look-alike stories, {len(pairs)} hard-negative pairs, "
          f"{sum(a.published is None for a in data.articles)} undated; "
          f"extract + analyze once: {data.seconds:.1f}s (not counted below)")
    rows, fitted, heldout = [], [], {}
    for mode in DATE_MODES:
        articles = with_dates(data.articles, mode)
        started = time.perf_counter()
        runs: list = []
        predicted, _ = crossfit_predictions(articles, data.features, gold, data.groups, stream_order(articles),
                                            HELD_OUT_FOLDS["multinews_dev"], _recipe_for("multinews_dev"), fitted=fitted,
                                            whole_stream=True, runs=runs)
        row = Row("couverture", f"dates {mode}, 3 family folds in the whole stream, decisions fitted without "
                  "the scored fold", predicted, time.perf_counter() - started)
        heldout[id(row)] = heldout_scores(runs, gold)
        rows.append(row)
    whole = [list(range(n))]
    oracle_rows, notes = whole_set_baselines(baselines_for(data), transfer, whole, gold, rows)
    merged = [f"{r.method} ({r.params.split(',')[0]}): {hard_negatives_merged(r.predicted, gold, pairs)} of {len(pairs)}"
              for r in rows]
    note = "" if transfer is not None else " (baselines need ECB+ in the run for their transferred parameters)"
    print_table(f"multinews_dev: all {n} articles{note}", rows, gold, ["hard-negative pairs merged: " + "; ".join(merged)],
                scores_of=heldout)
    print_table("multinews_dev oracle: one setting chosen on the scored articles (UPPER BOUND, not a result)",
                oracle_rows, gold, notes)


def plot_curves(curves: dict, path: Path) -> str:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "plot skipped: matplotlib is not installed"
    names = [k for k in curves if k != "couverture"]
    fig, axes = plt.subplots(1, len(names), figsize=(5 * len(names), 4), sharey=True)
    for ax, name in zip(np.atleast_1d(axes), names):
        for linkage, values in curves[name]["lines"].items():
            ax.plot(THRESHOLDS, values, label=f"{linkage} linkage")
        ax.axhline(curves["couverture"], color="black", linestyle="--", label="couverture (cross-fitted)")
        ax.axhline(curves[name]["tuned_f1"], color="grey", linestyle=":", label="this baseline, threshold tuned on the other fold")
        ax.set_title(name)
        ax.set_xlabel("cosine distance threshold")
        ax.grid(alpha=0.3)
    axes_list = list(np.atleast_1d(axes))
    axes_list[0].set_ylabel("BCubed F1 over both topic folds")
    axes_list[0].set_ylim(0.4, 1.0)  # below 0.4 the curves only show over- or under-merging
    handles, labels = axes_list[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=9)
    fig.suptitle("ECB+: BCubed F1 against the distance threshold (one threshold for both folds, each clustered on its own)")
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return f"plot saved: {path}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", choices=("ecbplus", "googlenews_fr", "multinews_dev"),
                        default=["ecbplus", "googlenews_fr", "multinews_dev"])
    parser.add_argument("--plot", type=Path, default=DEFAULT_PLOT, help="where to save the ECB+ threshold plot")
    parser.add_argument("--no-plot", action="store_true")
    args = parser.parse_args()
    print("$ python " + " ".join(shlex.quote(a) for a in sys.argv))
    warnings.filterwarnings("ignore", category=FutureWarning, module="sklearn")

    transfer = None
    if "ecbplus" in args.datasets:
        transfer, curves = bench_ecbplus(prepare("ecbplus"))
        if not args.no_plot:
            print(plot_curves(curves, args.plot))
    if "googlenews_fr" in args.datasets:
        bench_googlenews(prepare("googlenews_fr"), transfer)
    if "multinews_dev" in args.datasets:
        bench_multinews(prepare("multinews_dev"), transfer)


if __name__ == "__main__":
    main()
