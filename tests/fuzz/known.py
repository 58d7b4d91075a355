"""Findings already recorded in FINDINGS.md.

A random run that hits one of these counts it ("known findings hit" in the summary) instead of
failing, so that the suite stays green; each finding's committed reproducer in ``corpus/``
runs as a strict xfail and fails the suite once the verifier is fixed (then delete the entry
here and move the reproducer's expectation to "holds").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    id: str  # as in FINDINGS.md and the corpus file names
    summary: str
    predicate: Callable[[dict, dict, str], bool]  # (recipe, outcome, class) -> is this one

    def matches(self, recipe: dict, outcome: dict, kind: str) -> bool:
        return self.predicate(recipe, outcome, kind)


KNOWN: list[Finding] = []  # every finding so far is fixed (FINDINGS.md)
