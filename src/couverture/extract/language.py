"""Language identification with py3langid, restricted to a sample of the text."""
from __future__ import annotations

import py3langid

_SAMPLE = 1200  # characters: plenty for a confident guess, cheap on long articles


def detect_language(text: str) -> str:
    """ISO 639-1 code of ``text`` (``"und"`` when there is nothing to judge)."""
    sample = text[:_SAMPLE].strip()
    if len(sample) < 3:
        return "und"
    lang, _ = py3langid.classify(sample)
    return lang
