"""The library states facts; the ``signkit`` command adds its own options to them (issue #13).

A string literal of ``signkit/`` that names a command-line option (``--rect``, ``--crl``) is
a message that speaks for one front end: a program calling the library has no such option.
Docstrings and comments may name options (they document what the CLI maps to); argv built
for a subprocess is not a message and is allowed below, each with its reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import FIELD_SAMPLE, SAMPLE, USER_PIN
from signkit.cli.main import cli

import signkit

LIBRARY = Path(signkit.__file__).parent
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")

# (module, option): why that literal is not a message (none today: the worker processes are
# started with `python -c`, not with options)
ALLOWED: dict[tuple[str, str], str] = {}


def _docstrings(tree: ast.Module) -> set[int]:
    """ids of the string constants that are docstrings (module, class, function)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                found.add(id(body[0].value))
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            found.add(id(node.value))  # a bare string statement (an attribute's docstring)
    return found


def options_named(source: str) -> list[tuple[int, str]]:
    """(line, option) for each option named by a string literal that is not a docstring."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    return [(node.lineno, option)
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in skip
            for option in OPTION.findall(node.value)]


def test_no_library_message_names_a_command_line_option():
    offenders, allowed_seen = [], set()
    for path in sorted(LIBRARY.rglob("*.py")):
        module = path.relative_to(LIBRARY.parent).as_posix()
        for line, option in options_named(path.read_text(encoding="utf-8")):
            if (module, option) in ALLOWED:
                allowed_seen.add((module, option))
            else:
                offenders.append(f"{module}:{line}: {option}")
    assert offenders == [], "library messages must state facts; the CLI adds its options"
    assert set(ALLOWED) == allowed_seen, "an allowance whose literal is gone: delete it"


@pytest.mark.parametrize("source, expected", [
    ('raise ValueError("give --pin-file FILE")', [(1, "--pin-file")]),
    ('raise ValueError(f"--rect {x} is outside")', [(1, "--rect")]),
    ('def f():\n    """Maps ``--rect``."""\n    # --anchor\n    return "x"', []),
    ('A = 1\n"""The ``--crl`` files."""', []),
    ('NOTE = "a range a--b, a negative -1 and an em dash -- here"', []),
])
def test_the_check_sees_literals_and_ignores_docstrings_and_comments(source, expected):
    assert options_named(source) == expected


# --- the command adds the options --------------------------------------------------------------

def signkit_cli(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), env={"SIGNKIT_PIN": USER_PIN})
    assert "Traceback" not in result.output, result.output
    return result


def test_sign_names_the_option_that_gives_a_presets_missing_image(module_env, tmp_path):
    out = tmp_path / "out.pdf"
    result = signkit_cli("sign", "--token", "rsa2048", str(SAMPLE), "-o", str(out),
                         "--appearance", "vn-personal", "--rect", "50,50,250,150")
    assert result.exit_code == 2, result.output
    assert "vn-personal needs the signature image (a transparent PNG) " \
           "(--signature-image FILE)" in result.output
    assert not out.exists()


def test_sign_names_the_placement_options_when_a_file_cannot_be_placed(module_env, tmp_path):
    out = tmp_path / "out.pdf"
    result = signkit_cli("sign", "--token", "rsa2048", str(SAMPLE), "-o", str(out),
                         "--appearance", "plain", "--rect", "500,700,900,900")
    assert result.exit_code == 1, result.output
    assert "the box 500,700,900,900 is outside page 2" in result.output  # the last page
    assert result.output.rstrip().splitlines()[0].endswith(
        "(--rect X1,Y1,X2,Y2 [--page N], --anchor TEXT or --field NAME)"), result.output
    assert not out.exists()


def test_sign_and_ltv_add_name_the_output_options_for_several_inputs(module_env, tmp_path):
    out = tmp_path / "out.pdf"
    signing = signkit_cli("sign", "--token", "rsa2048", str(SAMPLE), str(FIELD_SAMPLE),
                          "-o", str(out))
    assert signing.exit_code == 2, signing.output
    assert "one output file was named for 2 inputs; several files need an output folder " \
           "(-o OUTPUT for one file, --out-dir DIR for several)" in signing.output
    adding = signkit_cli("ltv", "add", str(SAMPLE), str(FIELD_SAMPLE), "-o", str(out))
    assert adding.exit_code == 2, adding.output
    assert "(--out-dir DIR or --in-place for several files)" in adding.output
    assert not out.exists()


@pytest.mark.parametrize("scheduler, fact", [
    ("local:zero", "'local:zero' is not a scheduler address: write local:N"),
    ("127.0.0.1:9", "'127.0.0.1:9' is not a scheduler address: write tcp://HOST:PORT"),
])
def test_audit_run_names_the_scheduler_option_of_a_bad_address(tmp_path, scheduler, fact):
    store = tmp_path / "audit.db"
    result = signkit_cli("audit", "run", str(SAMPLE), "--store", str(store), "--offline",
                         "--scheduler", scheduler)
    assert result.exit_code == 2, result.output
    assert f"--scheduler: {fact}" in result.output
    assert not store.exists()


def test_verify_offline_names_the_option_that_supplies_the_missing_data(pki, tmp_path):
    signed = tmp_path / "signed.pdf"
    with signkit.open_pkcs12(pki.p12("signer-rsa2048"), password="p12-secret") as key:
        signkit.sign_pdf(SAMPLE, signed, key=key)
    args = ["verify", str(signed), "--trust", str(pki.pem("root")), "--other-certs",
            str(pki.pem("interm")), "--profile", "vn", "--offline"]
    english = CliRunner().invoke(cli, args)
    assert english.exit_code == 3, english.output
    assert "no revocation data (OCSP response or CRL)" in english.stdout
    assert "--crl" not in english.stdout  # the report states facts
    assert english.stderr.splitlines() == ["hint: give revocation lists (CRL) with --crl FILE"]
    vietnamese = CliRunner().invoke(cli, ["--lang", "vi", *args])
    assert vietnamese.stderr.splitlines() == [
        "gợi ý: cung cấp danh sách thu hồi (CRL) bằng --crl TỆP"]
    as_json = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert as_json.exit_code == 3 and as_json.stderr == ""  # data, read by programs
