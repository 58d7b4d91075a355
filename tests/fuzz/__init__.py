"""Structure-aware fuzzing of signkit's verifier (issue #9, section 6).

Every generated input is a *recipe*: a JSON-able description of a mutation applied to one of a
handful of real signed documents built at session start (``bases``). Recipes, not PDF bytes,
are what hypothesis draws, shrinks and prints, and what ``corpus/`` keeps: the signatures in
a committed PDF would expire, a recipe re-applied to a freshly signed document does not.

- ``bases``: the signed documents and the facts the mutators need (layout, objects, text).
- ``pdfobjects``: PDF objects as JSON (``["dict", ...]``, ``["stream", ...]``) and their bytes.
- ``mutate``: applies a recipe (byte edits, appended updates, CMS edits) to a base.
- ``strategies``: hypothesis strategies that draw recipes.
- ``worker`` / ``harness``: verify in a child process under a time limit, judge the verdict
  against the properties, count verdicts for the closing summary.
- ``known``: findings already recorded in FINDINGS.md, so that the random runs stay green
  while the committed reproducers (``corpus/``, strict xfail) flag when they get fixed.
"""
