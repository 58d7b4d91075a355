"""Layering: the key layer stays free of PDF and CLI code, the library free of the CLI and
of terminal I/O, and the public API is exactly what ``__all__`` says."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "signkit"


def packages_loaded_by(statement: str) -> set[str]:
    """Top-level packages in ``sys.modules`` after ``statement`` in a fresh interpreter."""
    probe = f"{statement}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=PACKAGE.parent, check=True)
    return {name.split(".")[0] for name in json.loads(run.stdout)}


def test_importing_signkit_tokens_loads_neither_pyhanko_nor_click():
    loaded = packages_loaded_by("import signkit.tokens")
    assert "PyKCS11" in loaded  # the probe really imported the token layer
    assert not loaded & {"pyhanko", "pyhanko_certvalidator", "click"}, (
        "import signkit.tokens loaded " + ", ".join(sorted(loaded & {"pyhanko", "click"}))
    )


def test_importing_signkit_loads_the_pdf_layer_lazily_and_never_click():
    # nothing heavy: the signkit command starts hashing a large input right after this
    assert not packages_loaded_by("import signkit") & {"pyhanko", "cryptography", "asn1crypto",
                                                       "PyKCS11", "click"}
    loaded = packages_loaded_by("import signkit\nsignkit.sign_pdf")
    assert "pyhanko" in loaded  # the probe really reached the signing layer
    assert "click" not in loaded and "signkit.cli" not in loaded


@pytest.mark.parametrize("name", ["signkit", "signkit.tokens", "signkit.signing"])
def test_public_names_are_exactly_those_in_all(name):
    module = importlib.import_module(name)
    exported = set(module.__all__)
    assert len(exported) == len(module.__all__), "duplicates in __all__"
    missing = {n for n in exported if not hasattr(module, n)}
    assert not missing, f"{name}.__all__ names undefined: {sorted(missing)}"
    public = {
        n for n, value in vars(module).items()
        if not n.startswith("_") and not isinstance(value, ModuleType)
    } | set(getattr(module, "_LAZY", ()))  # signkit loads these on first use
    assert public == exported - {"__version__"}, (
        f"public but not in __all__: {sorted(public - exported)}; "
        f"in __all__ but not public: {sorted(exported - public - {'__version__'})}"
    )


def _forbidden(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in {"print", "input"}:
                found.append((node.lineno, f"{func.id}("))
            if (isinstance(func, ast.Attribute) and func.attr == "exit"
                    and isinstance(func.value, ast.Name) and func.value.id == "sys"):
                found.append((node.lineno, "sys.exit("))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, f"import {a.name}") for a in node.names
                      if a.name.split(".")[0] == "click"]
        elif isinstance(node, ast.ImportFrom):
            if (node.module or "").split(".")[0] == "click":
                found.append((node.lineno, f"from {node.module} import"))
            if node.module == "sys" and any(a.name == "exit" for a in node.names):
                found.append((node.lineno, "from sys import exit"))
    return found


def test_library_has_no_terminal_io_exits_or_click():
    """print/input/sys.exit and click belong to the CLI; the library raises and returns.
    Parsed, not grepped, so that ``fingerprint(`` or ``_read_input(`` do not match."""
    sources = sorted(PACKAGE.rglob("*.py"))
    assert len(sources) > 10
    offences = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {what}"
        for path in sources
        for line, what in _forbidden(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not offences, "\n".join(offences)


def test_forbidden_call_detector_catches_each_pattern():
    sample = ("import sys\nimport click\nprint('x')\nname = input()\nsys.exit(2)\n"
              "from click import echo\nkey.fingerprint(h)\n_read_input(p)\n")
    assert sorted(_forbidden(ast.parse(sample))) == [
        (2, "import click"), (3, "print("), (4, "input("), (5, "sys.exit("),
        (6, "from click import"),
    ]


def test_lazily_loaded_names_are_exactly_the_signing_layers_public_names():
    import signkit
    import signkit.signing

    assert set(signkit.signing.__all__) == {n for n, m in signkit._LAZY.items() if m == "signing"}
