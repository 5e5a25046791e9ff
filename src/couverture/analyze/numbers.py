"""Numbers and dates mentioned in a text: what separates two similar events."""
from __future__ import annotations

import re

from ..extract.dates import MONTHS, _MONTH_NAMES

# 1 000 / 1,000 / 1.000 / 7.5 / 7,5 / 2024 / 23
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:(?:[  .,’'])\d{3})+|\d+)(?:([.,])(\d+))?(?![\w])")
_DATE = re.compile(
    rf"\b(?:(?P<d>\d{{1,2}})(?:er|st|nd|rd|th|º)?\.?\s+(?:de\s+)?)?(?P<month>{_MONTH_NAMES})\.?\s+(?:de\s+)?(?P<y>(?:19|20)\d{{2}})\b"
    rf"|\b(?P<d2>\d{{1,2}})(?:er|st|nd|rd|th|º)?\.?\s+(?:de\s+)?(?P<month2>{_MONTH_NAMES})\b",
    re.I,
)


def extract_numbers(text: str) -> list[str]:
    """Normalised values: thousands separators removed, decimal comma as a point."""
    values = []
    for match in _NUMBER.finditer(text):
        whole, sep, frac = match.group(1), match.group(2), match.group(3)
        digits = re.sub(r"\D", "", whole)
        if frac is not None and len(frac) == 3 and whole.isdigit() and len(whole) <= 3 and sep in ".,":
            # "2,500" / "2.500": a thousands group, not a decimal.
            values.append(str(int(digits + frac)))
        elif frac is not None:
            values.append(f"{int(digits)}.{frac}")
        else:
            values.append(str(int(digits)))
    return values


def extract_dates(text: str) -> list[str]:
    """Dates written with a month name: "2024-06" or "2024-06-20"; "--06-20" without a year."""
    out = []
    for match in _DATE.finditer(text):
        if match.group("month"):
            month = MONTHS.get(match.group("month").lower())
            day = match.group("d")
            out.append(f"{match.group('y')}-{month:02d}" + (f"-{int(day):02d}" if day else ""))
        else:
            month = MONTHS.get(match.group("month2").lower())
            out.append(f"--{month:02d}-{int(match.group('d2')):02d}")
    return out
