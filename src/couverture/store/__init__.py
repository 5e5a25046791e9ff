"""Store: SQLite by default, PostgreSQL when given a URL (SQLAlchemy Core).

The names are imported on first use: the command line builds its options from
``DEFAULT_DB`` at start, before any database is opened or SQLAlchemy loaded.
"""
from .._lazy import lazy_exports

DEFAULT_DB = "couverture.db"

_EXPORTS = {
    "Store": ".database", "database_url": ".database",
    **{name: ".rows" for name in ("StoredArticle", "StorySummary", "features_from_json")},
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
__all__ = ["DEFAULT_DB", *_EXPORTS]
