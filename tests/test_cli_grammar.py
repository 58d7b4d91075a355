"""One grammar across the commands (issue #13): global options after the subcommand, one
``--format``, one ``--at`` type, one revocation timeout, one in-place rule, help everywhere,
``sign --help`` in sections."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from conftest import SAMPLE, SAMPLE_PDFS
from signkit.cli.common_options import IN_PLACE_RULE
from signkit.cli.main import cli
from signkit.cli.sign_cmd import COLUMNS as SIGN_COLUMNS

import signkit

P12_PASSWORD = "p12-secret"


def run(*args: str | Path) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args], env={"SIGNKIT_PIN": P12_PASSWORD})
    assert "Traceback" not in result.output, result.output
    assert P12_PASSWORD not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.fixture(scope="module")
def signed(pki, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("grammar") / "signed.pdf"
    with signkit.open_pkcs12(pki.p12("signer-rsa2048"), password=P12_PASSWORD) as key:
        signkit.sign_pdf(SAMPLE, out, key=key)
    return out


def trust(pki) -> list[str | Path]:
    return ["--trust", pki.pem("root"), "--other-certs", pki.pem("interm")]


# --- global options after the subcommand -------------------------------------------------------

def test_lang_after_the_subcommand_is_the_same_as_before_it(pki, signed):
    before = run("--lang", "vi", "verify", signed, *trust(pki), "--offline")
    after = run("verify", signed, *trust(pki), "--offline", "--lang", "vi")
    english = run("verify", signed, *trust(pki), "--offline")
    assert after.exit_code == before.exit_code
    assert after.output == before.output
    assert after.output != english.output  # it did change the language


def test_lang_after_a_nested_subcommand_translates_its_usage_errors(signed):
    result = run("ltv", "refresh", signed, "--dry-run", "--tsa", "notaurl", "--lang", "vi")
    assert result.exit_code == 2
    assert "không phải địa chỉ của dịch vụ cấp dấu thời gian" in result.output


def test_verbose_after_the_subcommand_shows_pyhankos_warnings(pki, pki_services, tmp_path):
    """As ``signkit -v timestamp ...`` does (tests/test_cli_errors.py): an untrusted TSA's
    warnings with their tracebacks, through the same log handler."""
    from test_cli_errors import signkit_cli

    tsa = pki_services[0] + "/testing-ca/tsa/tsa"
    result = signkit_cli("timestamp", SAMPLE, "-o", tmp_path / "out.pdf", "--tsa", tsa,
                         "--trust", pki.pem("foreign-root"), "-v")
    assert result.returncode == 1, result.stderr
    assert "WARNING pyhanko" in result.stderr


# --- one --at type ---------------------------------------------------------------------------

AT_COMMANDS = {
    "verify --at": lambda f, tmp: ["verify", f, "--at", "{bad}"],
    "audit run --at": lambda f, tmp: ["audit", "run", f, "--store", tmp / "s.db", "--at",
                                      "{bad}"],
    "audit run --since": lambda f, tmp: ["audit", "run", f, "--store", tmp / "s.db",
                                         "--since", "{bad}"],
    "audit report --since": lambda f, tmp: ["audit", "report", "--store", tmp / "s.db",
                                            "--since", "{bad}"],
    "ltv refresh --at": lambda f, tmp: ["ltv", "refresh", f, "--dry-run", "--at", "{bad}"],
}


@pytest.mark.parametrize("command", AT_COMMANDS)
def test_every_moment_option_refuses_a_non_iso_value_the_same_way(signed, tmp_path, command):
    args = [str(a).replace("{bad}", "yesterday") for a in AT_COMMANDS[command](signed, tmp_path)]
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "'yesterday' is not a moment: use ISO 8601" in result.output
    assert not (tmp_path / "s.db").exists()


def test_a_moment_without_a_zone_is_utc(signed):
    """ltv refresh --dry-run reports the moment it judged at: a date alone is midnight UTC."""
    result = run("ltv", "refresh", signed, "--dry-run", "--at", "2030-01-02", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["at"] == "2030-01-02T00:00:00Z"


# --- one revocation timeout ------------------------------------------------------------------

@pytest.mark.parametrize("command", [["verify"], ["audit", "run"], ["ltv", "add"], ["sign"]])
def test_every_command_that_fetches_revocation_data_spells_the_timeout_the_same(command):
    result = run(*command, "--help")
    assert "--revocation-timeout" in result.output
    refused = run(*command, str(SAMPLE), "--revocation-timeout", "0")
    assert refused.exit_code == 2
    assert "--revocation-timeout" in refused.output and "0.1" in refused.output


def test_verify_keeps_timeout_as_the_older_spelling(pki, signed):
    old = run("verify", signed, *trust(pki), "--offline", "--timeout", "3")
    new = run("verify", signed, *trust(pki), "--offline", "--revocation-timeout", "3")
    assert old.exit_code == new.exit_code
    assert old.output == new.output


# --- --format --------------------------------------------------------------------------------

def test_sign_format_csv_gives_one_row_per_file(pki, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for pdf in SAMPLE_PDFS[:2]:
        shutil.copy(pdf, folder)
    result = run("sign", folder, "--out-dir", tmp_path / "out", "--pkcs12",
                 pki.p12("signer-rsa2048"), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == SIGN_COLUMNS
    assert sorted(Path(r["input"]).name for r in rows) == sorted(p.name for p in SAMPLE_PDFS[:2])
    assert {r["status"] for r in rows} == {"signed"}
    assert all(Path(r["output"]).is_file() for r in rows)
    assert "2 signed, 0 failed, 0 skipped" in result.stderr


def test_sign_format_html_is_a_page_with_the_results(pki, tmp_path):
    result = run("sign", SAMPLE, "-o", tmp_path / "out.pdf", "--pkcs12",
                 pki.p12("signer-rsa2048"), "--format", "html")
    assert result.exit_code == 0, result.output
    page = result.stdout
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert f"<td>{SAMPLE}</td>" in page and "<td>signed</td>" in page
    assert "1 signed, 0 failed, 0 skipped" in page


def test_sign_json_is_an_alias_of_format_json(pki, tmp_path):
    alias = run("sign", SAMPLE, "-o", tmp_path / "a.pdf", "--pkcs12", pki.p12("signer-rsa2048"),
                "--json")
    spelled = run("sign", SAMPLE, "-o", tmp_path / "b.pdf", "--pkcs12",
                  pki.p12("signer-rsa2048"), "--format", "json")
    assert alias.exit_code == spelled.exit_code == 0
    a, b = ([json.loads(line) for line in r.stdout.splitlines()] for r in (alias, spelled))
    assert [r.get("status") for r in a] == [r.get("status") for r in b] == ["signed", None]
    clash = run("sign", SAMPLE, "-o", tmp_path / "c.pdf", "--json", "--format", "csv")
    assert clash.exit_code == 2 and "--json" in clash.output
    assert not (tmp_path / "c.pdf").exists()


def test_ltv_format_csv_lists_each_file(signed, tmp_path):
    unsigned = shutil.copy(SAMPLE, tmp_path / "unsigned.pdf")
    result = run("ltv", "refresh", signed, unsigned, "--dry-run", "--format", "csv")
    assert result.exit_code == 1, result.output  # the unsigned file fails
    rows = {Path(r["path"]).name: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert rows["signed.pdf"]["status"] == "DUE"
    assert rows["signed.pdf"]["reasons"] == "the document has no timestamp"
    assert rows["unsigned.pdf"]["status"] == "FAILED"
    assert rows["unsigned.pdf"]["error"].startswith("not signed")


@pytest.mark.parametrize("command", [["verify"], ["audit", "report"], ["timestamp"],
                                     ["ltv", "add"], ["ltv", "refresh"], ["sign"]])
def test_every_reporting_command_offers_the_four_formats(command):
    result = run(*command, "--help")
    assert "--format [text|json|csv|html]" in result.output, result.output


# --- where results go --------------------------------------------------------------------------

def test_ltv_add_without_an_output_option_updates_in_place_like_the_others(
        pki, pki_services, signed, tmp_path):
    target = Path(shutil.copy(signed, tmp_path / "archive.pdf"))
    original = target.read_bytes()
    result = run("ltv", "add", target, *trust(pki), "--format", "json",
                 "--tsa", pki_services[0] + "/testing-ca/tsa/tsa")
    assert result.exit_code == 0, result.output
    (record,) = json.loads(result.stdout)["files"]
    assert record["status"] == "ADDED" and record["output"] == str(target)
    grown = target.read_bytes()
    assert grown.startswith(original) and len(grown) > len(original)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive.pdf"]


@pytest.mark.parametrize("command", [["timestamp"], ["ltv", "add"], ["ltv", "refresh"]])
def test_two_output_choices_are_a_usage_error_and_the_help_states_the_rule(
        signed, tmp_path, command):
    result = run(*command, signed, "-o", tmp_path / "out.pdf", "--in-place")
    assert result.exit_code == 2
    assert "--in-place" in result.output
    assert not (tmp_path / "out.pdf").exists()
    help_text = " ".join(run(*command, "--help").output.split())
    assert "updated in place, atomically" in help_text


def test_docs_cli_md_writes_down_the_in_place_rule():
    text = (Path(__file__).parent.parent / "docs" / "cli.md").read_text(encoding="utf-8")
    assert IN_PLACE_RULE in " ".join(text.split())


# --- help ------------------------------------------------------------------------------------

def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


@pytest.mark.parametrize("path", [" ".join(p) for p, _ in _commands(cli)])
def test_every_command_and_option_has_help(path):
    result = run(*path.split(), "--help")
    assert result.exit_code == 0, result.output
    command = dict(_commands(cli))[tuple(path.split())]
    assert (command.help or "").strip(), f"{path} has no help text"
    undocumented = [p.opts[0] for p in command.params
                    if isinstance(p, click.Option) and not p.hidden and not p.help]
    assert undocumented == [], f"{path}: options without help: {undocumented}"


def test_sign_help_is_grouped_into_sections():
    text = run("sign", "--help").output
    titles = re.findall(r"^(\S[^\n]*):$", text, flags=re.MULTILINE)
    assert titles[:6] == ["Key and PIN", "Output", "Level, algorithms and time-stamping",
                          "Signature", "Appearance (visible signature)",
                          "Organisation's seal (--then-seal)"]
    sections = dict(zip(titles, re.split(r"^\S[^\n]*:$", text, flags=re.MULTILINE)[1:],
                        strict=True))
    assert "--key-label" in sections["Key and PIN"]
    assert "--out-dir" in sections["Output"] and "--format" in sections["Output"]
    assert "--tsa-timeout" in sections["Level, algorithms and time-stamping"]
    assert "--anchor" in sections["Appearance (visible signature)"]
    assert "--seal-pkcs12" in sections["Organisation's seal (--then-seal)"]
    assert "--lang" in sections["Global options"]
