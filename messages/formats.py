"""Numbers, amounts, percentages, dates and times the way each language writes them.

French typography puts a no-break space between a figure and its unit ("5 000 €", "80 %",
"19 h"), so an amount never breaks across two lines on a narrow phone screen; English writes
"€5,000", "80%", "7 pm" and "2 December 2026". Templates reach these through Jinja filters of
the same names (see `messages.render`).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

# U+202F NARROW NO-BREAK SPACE groups thousands and precedes "%"; U+00A0 NO-BREAK SPACE
# precedes "€" and surrounds "h". Both keep the parts of an amount on one line.
THIN_NBSP = "\u202f"
NBSP = "\u00a0"

_MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def number(value: float | int, lang: str = "fr") -> str:
    """Group thousands the way each language does ("1 240" in French, "1,240" in English)."""
    text = f"{value:,.0f}"
    return text if lang == "en" else text.replace(",", THIN_NBSP)


def euros(value: float | int, lang: str = "fr") -> str:
    """An amount in euros that never breaks across lines: "5 000 €" / "€5,000"."""
    if lang == "en":
        return f"€{number(value, lang)}"
    return f"{number(value, lang)}{NBSP}€"


def percent(value: float | int, lang: str = "fr") -> str:
    """A percentage: "80 %" with a no-break space in French, "80%" in English."""
    shown = f"{value:.0f}"
    return f"{shown}%" if lang == "en" else f"{shown}{THIN_NBSP}%"


def long_date(value: date | datetime, lang: str = "fr") -> str:
    """A date in words: "2 décembre 2026" (and "1er décembre") / "2 December 2026"."""
    if lang == "en":
        return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day}{NBSP}{_MONTHS_FR[value.month - 1]} {value.year}"


def clock(value: time | datetime, lang: str = "fr") -> str:
    """A time of day: "19 h", "19 h 30" in French; "7 pm", "7:30 pm" in English."""
    hour, minute = value.hour, value.minute
    if lang == "en":
        suffix = "am" if hour < 12 else "pm"
        twelve = hour % 12 or 12
        shown = f"{twelve}:{minute:02d}" if minute else str(twelve)
        return f"{shown}{NBSP}{suffix}"
    if minute:
        return f"{hour}{NBSP}h{NBSP}{minute:02d}"
    return f"{hour}{NBSP}h"


# Words starting with an "h aspiré" take "de", not "d'" ("de « Hall… »"); other h words elide.
_ASPIRATED_H = (
    "hach", "haie", "hall", "hamac", "hameau", "hand", "hangar", "harc", "hard", "hareng",
    "haric", "harp", "hasard", "hât", "haut", "hauss", "havre", "héros", "hibou", "hiérarch",
    "hock", "hold", "homard", "honte", "hors", "hotte", "houblon", "houle", "housse", "hublot",
    "hurl", "hutte",
)  # fmt: skip
_VOWELS = "aeiouyàâäéèêëîïôöùûüœæ"


def elides(word: str) -> bool:
    """Whether "de"/"le" elide before this word in French: "d'Expertise", "de Soudage"."""
    lowered = word.lstrip("«\u00a0\u202f \"'").lower()
    if not lowered:
        return False
    if lowered[0] == "h":
        return not lowered.startswith(_ASPIRATED_H)
    return lowered[0] in _VOWELS


def of_quoted(title: str) -> str:
    """ "de « Soudage »" or, elided, "d'« Expertise… »", with no-break spaces inside the marks."""
    quoted = f"«{NBSP}{title}{NBSP}»"
    return f"d'{quoted}" if elides(title) else f"de {quoted}"


# French words written with the "œ" ligature, which official data often spells "oe"
# ("Manoeuvre bâtiment", "gros oeuvre"): matched as whole words or word starts.
_OE_WORDS = re.compile(
    r"\b(man|c|s|ch|n|b|v|m|)(oe)(uvre|ur|il|uf|ud|u\b|ux\b|urs\b|sophag|dème|nolog|cuméni|strog)",
    re.IGNORECASE,
)


def ligatures(text: str) -> str:
    """French text with "œ" where the word takes it: "Manoeuvre" → "Manœuvre"."""

    def fix(match: re.Match[str]) -> str:
        oe = match.group(2)
        ligature = "Œ" if oe[0].isupper() else "œ"
        return match.group(1) + ligature + match.group(3)

    return _OE_WORDS.sub(fix, text)
