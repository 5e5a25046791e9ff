"""Where the clusterer looks candidate stories up: their centroids and their entities.

:class:`StoryIndex` holds one matrix row per indexed story (its centroid, so one matrix
product scores an article against every active story) and an inverted index from
entity atoms to the stories that name them. The clusterer decides which stories are
indexed (the active ones) and which entities count as rare; the index only keeps the
rows and postings in step with what it is told.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np

from .profile import StoryProfile


class StoryIndex:
    """Centroid rows and entity postings of the indexed stories.

    Rows freed by :meth:`remove` are zeroed and reused only after a compaction, which
    runs once there are more than twice as many rows as live stories (and over 64).
    """

    def __init__(self) -> None:
        self._rows: dict[str, int] = {}  # story id -> its row in the matrix
        self._row_ids: list[str | None] = []  # row -> story id, None for a freed row
        self._matrix = np.zeros((0, 0), dtype=np.float32)
        self._entity_index: dict[str, set[str]] = defaultdict(set)

    def __len__(self) -> int:
        """How many stories have a row."""
        return len(self._rows)

    def set_row(self, story: StoryProfile) -> None:
        """Write the story's centroid to its row (a new row for a story not yet indexed)."""
        centroid = story.centroid
        if self._matrix.shape[1] == 0:
            self._matrix = np.zeros((64, centroid.shape[0]), dtype=np.float32)
        row = self._rows.get(story.id)
        if row is None:
            row = len(self._row_ids)
            if row >= self._matrix.shape[0]:
                grown = np.zeros((self._matrix.shape[0] * 2, self._matrix.shape[1]), dtype=np.float32)
                grown[: self._matrix.shape[0]] = self._matrix
                self._matrix = grown
            self._rows[story.id] = row
            self._row_ids.append(story.id)
        self._matrix[row] = centroid

    def add_entities(self, story_id: str, atoms: Iterable[str]) -> None:
        """Post the story under each of these entity atoms."""
        for atom in atoms:
            self._entity_index[atom].add(story_id)

    def remove(self, story_id: str, atoms: Iterable[str]) -> None:
        """Free the story's row and take it off the postings of ``atoms`` (its entities)."""
        row = self._rows.pop(story_id, None)
        if row is not None:
            self._matrix[row] = 0.0
            self._row_ids[row] = None
        for atom in atoms:
            holders = self._entity_index.get(atom)
            if holders is not None:
                holders.discard(story_id)
                if not holders:
                    del self._entity_index[atom]
        if len(self._row_ids) > 2 * max(len(self._rows), 32):
            self._compact()

    def _compact(self) -> None:
        live = [sid for sid in self._row_ids if sid is not None]
        matrix = np.zeros((max(64, 2 * len(live)), self._matrix.shape[1]), dtype=np.float32)
        for row, sid in enumerate(live):
            matrix[row] = self._matrix[self._rows[sid]]
        self._matrix = matrix
        self._row_ids = list(live)
        self._rows = {sid: row for row, sid in enumerate(live)}

    def nearest(self, embedding: np.ndarray, k: int) -> dict[str, float]:
        """The ``k`` stories whose centroids are nearest the embedding, with their dense
        similarity (in no particular order); empty when no story is indexed."""
        if not self._rows:
            return {}
        used = len(self._row_ids)
        scores = self._matrix[:used] @ embedding
        k = min(k, used)
        top = np.argpartition(-scores, k - 1)[:k] if k < used else np.arange(used)
        found: dict[str, float] = {}
        for row in top:
            sid = self._row_ids[row]
            if sid is not None:
                found[sid] = float(scores[row])
        return found

    def holders(self, atom: str) -> Iterable[str]:
        """The stories posted under an entity atom."""
        return self._entity_index.get(atom, ())

    def similarity(self, story_id: str, embedding: np.ndarray) -> float:
        """Dense similarity of an indexed story's centroid to the embedding."""
        return float(self._matrix[self._rows[story_id]] @ embedding)
