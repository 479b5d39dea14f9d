""""Did you mean ...?": the known name closest to a misspelt one (a value key, a datasource, a rule id, a function).

Uses difflib's ratio, as Python's own "Did you mean" for names does in spirit: a suggestion only when it is close
enough that a typo is the likely story (`increse` → `increase`, `buidl` → `build`), never a random neighbour.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["closest", "did_you_mean"]

_CUTOFF = 0.6


def closest(word: str, candidates: Iterable[str], *, cutoff: float = _CUTOFF) -> str | None:
    """The candidate `word` is most likely a misspelling of, or None when none is close."""
    known = sorted({candidate for candidate in candidates if isinstance(candidate, str)})
    if not isinstance(word, str) or not known or word in known:
        return None
    folded = {candidate.lower(): candidate for candidate in known}
    if word.lower() in folded:
        return folded[word.lower()]
    matches = difflib.get_close_matches(word, known, n=1, cutoff=cutoff)
    return matches[0] if matches else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """`did you mean 'x'?` for the closest candidate, or None."""
    match = closest(word, candidates)
    return f"did you mean {match!r}?" if match else None
