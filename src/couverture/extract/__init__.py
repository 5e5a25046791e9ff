"""Extract: clean scraped text and pull out title, byline, agencies, date, language.

The names are imported on first use: the analysis and the coverage read a word list or
a fold from one module here (``dates.MONTHS``, ``boilerplate.strip_accents``), and a
story's first ``show`` should not pay for importing the whole extractor with them.
"""
from .._lazy import lazy_exports

_EXPORTS = {
    "content_hash": ".article", "extract_article": ".article", "outlet_from_url": ".article",
    "CleanResult": ".boilerplate", "clean_text": ".boilerplate",
    "find_agencies": ".credits", "parse_byline": ".credits",
    "find_date": ".dates", "parse_date": ".dates",
    "detect_language": ".language",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
__all__ = sorted(_EXPORTS)
