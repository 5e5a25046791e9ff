"""Coverage: one story's full coverage, everything the outlets say side by side.

``build_story_view(store, story_id)`` returns a ``StoryView`` with the story's
sources, timeline, summary, quotes with their speakers, shared and unique facts,
divergences, and copies/translations. One module per part: ``sources``,
``timeline``, ``summary``, ``quotes``, ``align`` (cross-lingual sentence alignment),
``facts``, ``divergence``, ``copies``; ``cache`` keeps sentence vectors in the database.
"""
from .._lazy import lazy_exports
from .view import StoryView, build_story_view, format_story_view

# The computation (encoder, alignment, quotes) loads only when a view is computed:
# showing a story whose view is stored needs none of it.
__getattr__, __dir__ = lazy_exports(__name__, {"compute_story_view": ".compute"}, globals())
__all__ = ["StoryView", "build_story_view", "compute_story_view", "format_story_view"]
