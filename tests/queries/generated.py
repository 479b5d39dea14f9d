"""What the seeded fuzz tests of the query recognizers share: choices tame or wild, and small mutations."""

from __future__ import annotations

import random


class QueryGenerator:
    """Each choice is tame (what a recognizer is meant to take) or wild (around it): wild with `wildness`."""

    # Characters a mutation inserts: the language's punctuation, a quote, a variable's dollar, a letter, a digit.
    inserted = '(){}[],"=~!$ _0a'

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.wildness = 0.0

    def pick(self, choices: tuple[list[str], list[str]]) -> str:
        return self.rng.choice(choices[1] if self.rng.random() < self.wildness else choices[0])

    def mutate(self, text: str) -> str:
        """`text` with one character dropped, doubled, swapped with the next, or inserted."""
        if not text:
            return text
        index = self.rng.randrange(len(text))
        kind = self.rng.randrange(4)
        if kind == 0:
            return text[:index] + text[index + 1:]
        if kind == 1:
            return text[:index] + text[index] + text[index:]
        if kind == 2 and index + 1 < len(text):
            return text[:index] + text[index + 1] + text[index] + text[index + 2:]
        return text[:index] + self.rng.choice(self.inserted) + text[index:]
