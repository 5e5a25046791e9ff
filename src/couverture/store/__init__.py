"""Store: SQLite by default, PostgreSQL when given a URL (SQLAlchemy Core).

The names are imported on first use: the command line builds its options from
``DEFAULT_DB`` at start, before any database is opened or SQLAlchemy loaded.
"""
DEFAULT_DB = "couverture.db"

_EXPORTS = {name: ".database" for name in ("Store", "StoredArticle", "StorySummary", "database_url", "features_from_json")}


def __getattr__(name: str):
    from .._lazy import load_export

    return load_export(__name__, _EXPORTS, name, globals())


__all__ = ["DEFAULT_DB", *_EXPORTS]
