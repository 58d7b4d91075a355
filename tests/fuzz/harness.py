"""Verifying a fuzzed document under a time limit and judging the verdict.

The properties (issue #9, section 6), for every mutated document:

1. ``signkit.verify_pdf`` returns a verdict: no exception escapes, the worker does not die,
   and it answers within ``FUZZ_TIMEOUT`` seconds (default 5; a clean file takes ~10 ms).
2. The verdict's status is TOTAL_PASSED, TOTAL_FAILED or INDETERMINATE.
3. TOTAL_PASSED only when a viewer shows what was signed. Concretely, unless the file is the
   signed original, or the original plus whitespace/NUL at the end:
   - never when a byte covered by the last signature changed or moved (``signed-changed``),
   - never after a CMS edit that leaves no valid signature (``must_fail``),
   - otherwise only if poppler's ``pdftotext`` gives the signed original's text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import select
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .bases import Base, pdftotext
from .known import KNOWN, Finding
from .mutate import apply

TIMEOUT = float(os.environ.get("FUZZ_TIMEOUT", "5"))
COLLECT = os.environ.get("FUZZ_COLLECT", "") not in ("", "0")
INDICATIONS = ("TOTAL_PASSED", "TOTAL_FAILED", "INDETERMINATE")
_WHITESPACE = set(b" \t\r\n\x00\x0c")


class VerifyWorker:
    """``worker.py`` in a child process; restarted after a hang or a crash."""

    def __init__(self, folder: Path, *, trust: list[Path], other_certs: list[Path],
                 crls: list[Path], at: dt.datetime):
        self.config = folder / "worker-options.json"
        self.config.write_text(json.dumps({
            "trust": [str(p) for p in trust], "other_certs": [str(p) for p in other_certs],
            "crls": [str(p) for p in crls], "at": at.isoformat()}))
        self.proc: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen(
                [sys.executable, str(Path(__file__).with_name("worker.py")), str(self.config)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                text=True, bufsize=1)
        return self.proc

    def verify(self, path: Path, timeout: float = TIMEOUT) -> dict:
        proc = self._start()
        proc.stdin.write(f"{path}\n")
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        if not ready:
            self.stop()
            return {"hang": f"no verdict within {timeout:g} s"}
        line = proc.stdout.readline()
        if not line:
            code = proc.wait()
            self.proc = None
            return {"crash": f"the verifying process died (exit status {code})"}
        return json.loads(line)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def classify(original: bytes, mutated: bytes, base: Base) -> str:
    """How the mutated file relates to the signed original, seen from the last signature."""
    if mutated == original:
        return "identical"
    a, b, c, d = base.layout.byte_range
    end = c + d
    if len(mutated) < end or mutated[:b] != original[:b] or mutated[c:end] != original[c:end]:
        return "signed-changed"
    extra = mutated[len(original):] if mutated.startswith(original[end:], end) else None
    if mutated[b:c] != original[b:c]:
        return "cms-changed"
    if extra is None:
        return "tail-changed"
    return "whitespace-appended" if set(extra) <= _WHITESPACE else "appended"


@dataclass
class Stats:
    """Counts for the closing summary (printed by conftest's pytest_terminal_summary)."""

    documents: int = 0
    statuses: Counter = field(default_factory=Counter)
    families: Counter = field(default_factory=Counter)
    classes: Counter = field(default_factory=Counter)
    known: Counter = field(default_factory=Counter)
    problems: Counter = field(default_factory=Counter)
    seconds: Counter = field(default_factory=Counter)  # verification time per family
    recipes: Any = field(default_factory=hashlib.sha256)  # of every recipe, in order

    def summary_lines(self) -> list[str]:
        counts = ", ".join(f"{s} {self.statuses[s]}" for s in INDICATIONS)
        lines = [f"fuzz: {self.documents} documents, {counts}"]
        other = {k: v for k, v in self.statuses.items() if k not in INDICATIONS}
        if other:
            lines.append("fuzz: no verdict: " + ", ".join(f"{k} {v}" for k, v in other.items()))
        lines.append("fuzz: by family: " + ", ".join(
            f"{k} {v} ({self.seconds[k]:.1f} s verifying)"
            for k, v in sorted(self.families.items())))
        lines.append(f"fuzz: recipes digest {self.recipes.hexdigest()[:16]} (equal in two runs: "
                     "the same examples)")
        lines.append("fuzz: by change: " + ", ".join(f"{k} {v}" for k, v in
                                                      sorted(self.classes.items())))
        if self.known:
            lines.append("fuzz: known findings hit: " + ", ".join(
                f"{k} {v}" for k, v in sorted(self.known.items())))
        if self.problems:
            lines.append("fuzz: property violations: " + ", ".join(
                f"{k} {v}" for k, v in sorted(self.problems.items())))
        return lines


STATS = Stats()


@dataclass
class Judgement:
    outcome: dict
    kind: str  # classify()'s answer
    problem: str | None  # the property that does not hold, in words
    known: Finding | None = None


class Fuzzer:
    """Applies recipes, verifies, judges; one per test session."""

    def __init__(self, bases: dict[str, Base], worker: VerifyWorker, folder: Path):
        self.bases, self.worker, self.folder = bases, worker, folder
        self.path = folder / "fuzzed.pdf"
        self.violations: dict[str, tuple[str, dict]] = {}
        self.collected: Counter = Counter()

    def judge(self, recipe: dict, *, family: str, timeout: float = TIMEOUT) -> Judgement:
        base = self.bases[recipe["base"]]
        data, must_fail = apply(recipe, self.bases)
        self.path.write_bytes(data)
        outcome = self.worker.verify(self.path, timeout)
        kind = classify(base.data, data, base)
        status = outcome.get("status") or next(
            k for k in ("escaped", "hang", "crash") if k in outcome)
        STATS.documents += 1
        STATS.recipes.update(json.dumps(recipe, sort_keys=True).encode())
        STATS.statuses[status] += 1
        STATS.families[family] += 1
        STATS.classes[kind] += 1
        STATS.seconds[family] += outcome.get("seconds", 0)
        problem = self._problem(outcome, kind, must_fail, base)
        judgement = Judgement(outcome, kind, problem)
        if problem is not None:
            judgement.known = next((f for f in KNOWN if f.matches(recipe, outcome, kind)), None)
            key = judgement.known.id if judgement.known else problem.split(":")[0]
            (STATS.known if judgement.known else STATS.problems)[key] += 1
            if judgement.known is None:
                keep = self.folder / f"violation-{STATS.documents}.pdf"
                keep.write_bytes(data)
        return judgement

    def _problem(self, outcome: dict, kind: str, must_fail: bool, base: Base) -> str | None:
        if "escaped" in outcome:
            return (f"exception escaped verify_pdf: {outcome['escaped']} out of signkit's "
                    f"{outcome.get('signkit_where')}, raised at {outcome['where']}")
        if "hang" in outcome or "crash" in outcome:
            return f"no verdict: {outcome.get('hang') or outcome.get('crash')}"
        if outcome["status"] not in INDICATIONS:
            return f"status outside the three indications: {outcome['status']!r}"
        if outcome["status"] != "TOTAL_PASSED" or kind in ("identical", "whitespace-appended"):
            return None
        if kind == "signed-changed":
            return "TOTAL_PASSED although bytes covered by the signature changed"
        if must_fail:
            return "TOTAL_PASSED although the CMS edit leaves no valid signature"
        if pdftotext(self.path) != base.text:
            return "TOTAL_PASSED although a viewer shows different text (pdftotext)"
        return None

    def check(self, recipe: dict, *, family: str) -> Judgement:
        """Judge ``recipe``; a property violation that is not a known finding fails at once
        (AssertionError, so that hypothesis shrinks it), or with ``FUZZ_COLLECT=1`` is kept
        in ``violations`` (smallest recipe per distinct violation) for ``report()``."""
        judgement = self.judge(recipe, family=family)
        if judgement.problem is None or judgement.known is not None:
            return judgement
        text = (f"{judgement.problem}\n  class: {judgement.kind}\n  outcome: "
                f"{json.dumps({k: v for k, v in judgement.outcome.items() if k != 'traceback'})}"
                f"\n  recipe: {json.dumps(recipe)}")
        if not COLLECT:
            raise AssertionError(f"{text}\n{judgement.outcome.get('traceback', '')}")
        key = _signature(judgement)
        seen = self.violations.get(key)
        if seen is None or len(json.dumps(recipe)) < len(json.dumps(seen[1])):
            self.violations[key] = (text, recipe)
        self.collected[key] += 1
        with (self.folder / "violations.jsonl").open("a") as out:
            out.write(json.dumps({"violation": key, "recipe": recipe,
                                  "outcome": judgement.outcome}) + "\n")
        return judgement

    def report(self) -> str:
        return "\n\n".join(f"[{self.collected[k]}x] {text}"
                           for k, (text, _) in sorted(self.violations.items()))


def _signature(judgement: Judgement) -> str:
    """Violations with the same signature are one finding: an exception by its type and the
    innermost frame, a wrong verdict by the property and the kind of change."""
    outcome = judgement.outcome
    if "escaped" in outcome:
        return (f"escaped {outcome['escaped'].split(':')[0]} out of "
                f"{(outcome.get('signkit_where') or '?').split(' ')[-1]}, raised in "
                f"{outcome['where'][-1].split(' ')[-1]}")
    return f"{judgement.problem.split(':')[0]} [{judgement.kind}]"
