"""Learn: the decisions fitted on labelled streams, their settings searched, and the
evaluation that refits them without the part it scores.

``training`` turns labelled streams into feature rows (article-vs-story for the join,
story-vs-story for the merge, article-vs-article for the regroup's pair model) and fits
logistic decisions on them; ``search`` picks each decision's threshold and the
regroup's settings by clustering the streams; ``recipe`` says what the shipped
decisions learn from; ``heldout`` scores a labelled set with decisions refitted on
folds that leave its scored part out (``couverture eval``).

This package sits above ``cluster``, ``pipeline`` and ``eval``: it drives the clusterer
through its public methods only, and nothing below imports it.
"""
from .heldout import crossfit_predictions, evaluate
from .search import LabelledStream, never_merge, plateau_middle
from .training import fit_decision, train_on_stream, train_on_streams

__all__ = [
    "LabelledStream", "crossfit_predictions", "evaluate", "fit_decision", "never_merge", "plateau_middle",
    "train_on_stream", "train_on_streams",
]
