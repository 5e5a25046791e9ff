"""Extract: clean scraped text and pull out title, byline, agencies, date, language."""
from .article import content_hash, extract_article, outlet_from_url
from .boilerplate import CleanResult, clean_text
from .credits import find_agencies, parse_byline
from .dates import find_date, parse_date
from .language import detect_language

__all__ = [
    "CleanResult", "clean_text", "content_hash", "detect_language", "extract_article",
    "find_agencies", "find_date", "outlet_from_url", "parse_byline", "parse_date",
]
