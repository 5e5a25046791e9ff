"""Store: SQLite by default, PostgreSQL when given a URL (SQLAlchemy Core)."""
from .database import DEFAULT_DB, Store, StoredArticle, StorySummary, database_url, features_from_json

__all__ = ["DEFAULT_DB", "Store", "StoredArticle", "StorySummary", "database_url", "features_from_json"]
