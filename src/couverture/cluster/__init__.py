"""Cluster: online assignment of articles to stories."""
from .online import Assignment, OnlineClusterer, story_id_for
from .profile import ArticleProfile, StoryProfile
from .similarity import DecisionModel, default_decision_model, pair_features

__all__ = [
    "ArticleProfile", "Assignment", "DecisionModel", "OnlineClusterer", "StoryProfile",
    "default_decision_model", "pair_features", "story_id_for",
]
