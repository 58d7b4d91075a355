"""The package as integrators meet it (issue #13): async entry points that work inside a running
event loop, results that carry a stable error code and the exception's class, library errors
that state facts (the CLI adds its options), the real signatures for type checkers, and the
package metadata (license, declared dependencies)."""

from __future__ import annotations

import asyncio
import importlib.metadata
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, SAMPLE
from signkit.cli.main import cli

import signkit
from signkit import Indication, SignStatus, VerifyOptions

P12_PASSWORD = "p12-secret"


@pytest.fixture
def p12_key(pki):
    with signkit.open_pkcs12(pki.p12("signer-rsa2048"), password=P12_PASSWORD) as key:
        yield key


# --- async entry points ------------------------------------------------------------------------

def test_async_sign_and_verify_run_inside_a_running_event_loop(pki, p12_key, tmp_path):
    """In a loop (as a web server runs them): the loop keeps serving while the document is
    signed and verified, and the signature verifies."""
    out = tmp_path / "signed.pdf"
    options = VerifyOptions(trust=(pki.pem("root"),), other_certs=(pki.pem("interm"),))

    async def server() -> tuple[signkit.SignResult, signkit.FileReport, int]:
        ticks = 0
        done = asyncio.Event()

        async def heartbeat() -> None:
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await asyncio.sleep(0)

        beat = asyncio.create_task(heartbeat())
        result = await signkit.async_sign_pdf(SAMPLE, out, key=p12_key)
        report = await signkit.async_verify_pdf(out, options=options)
        done.set()
        await beat
        return result, report, ticks

    result, report, ticks = asyncio.run(server())
    assert result.status is SignStatus.SIGNED and result.output == out
    assert report.status is Indication.TOTAL_PASSED, report
    assert ticks > 10  # the loop ran other work meanwhile: nothing blocked it


def test_async_sign_runs_several_documents_concurrently_in_one_loop(pki, tmp_path):
    """Two keys (one per request, as a server holds them), two documents at once."""
    keys = [pki.p12("signer-rsa2048"), pki.p12("signer-ec256")]

    async def both() -> list[signkit.SignResult]:
        with signkit.open_pkcs12(keys[0], password=P12_PASSWORD) as a, \
                signkit.open_pkcs12(keys[1], password=P12_PASSWORD) as b:
            return await asyncio.gather(
                signkit.async_sign_pdf(SAMPLE, tmp_path / "a.pdf", key=a),
                signkit.async_sign_pdf(SAMPLE, tmp_path / "b.pdf", key=b))

    results = asyncio.run(both())
    assert [r.status for r in results] == [SignStatus.SIGNED, SignStatus.SIGNED]
    assert [r.signer for r in results][0] != [r.signer for r in results][1]


def test_async_verify_runs_several_files_concurrently(pki, p12_key, tmp_path):
    outs = [tmp_path / f"{i}.pdf" for i in range(3)]
    for out in outs:
        signkit.sign_pdf(SAMPLE, out, key=p12_key)
    options = VerifyOptions(trust=(pki.pem("root"),), other_certs=(pki.pem("interm"),))

    async def all_of_them() -> list[signkit.FileReport]:
        return await asyncio.gather(*(signkit.async_verify_pdf(o, options=options)
                                      for o in outs))

    reports = asyncio.run(all_of_them())
    assert [Path(r.path).name for r in reports] == [o.name for o in outs]
    assert {r.status for r in reports} == {Indication.TOTAL_PASSED}


# --- results carry a stable code and the exception's class -----------------------------------

@pytest.mark.parametrize("workers", [0, 2])
def test_sign_results_keep_the_error_code_and_class(p12_key, tmp_path, workers):
    exists = tmp_path / "exists.pdf"
    exists.write_bytes(b"keep me")
    bad = tmp_path / "notes.pdf"
    bad.write_text("not a PDF at all")
    jobs = [(SAMPLE, exists), (bad, tmp_path / "bad-out.pdf"), (SAMPLE, tmp_path / "ok.pdf")]
    outcome = signkit.sign_many(jobs, key=p12_key, workers=workers)
    by_output = {job[1].name: r for job, r in zip(jobs, outcome.results, strict=True)}
    existing = by_output["exists.pdf"]
    assert existing.status is SignStatus.FAILED
    assert (existing.error_code, existing.error_type) == ("output_exists", "OutputExistsError")
    assert "--overwrite" not in existing.error  # a fact, not an option
    assert exists.read_bytes() == b"keep me"
    not_pdf = by_output["bad-out.pdf"]
    assert (not_pdf.error_code, not_pdf.error_type) == ("input", "InputError")
    assert by_output["ok.pdf"].ok and by_output["ok.pdf"].error_code is None


def test_a_stopped_batch_marks_the_rest_skipped_with_code_stopped(p12_key, tmp_path):
    bad = tmp_path / "notes.pdf"
    bad.write_text("not a PDF")
    outcome = signkit.sign_many([(bad, tmp_path / "a.pdf"), (SAMPLE, tmp_path / "b.pdf")],
                                key=p12_key, stop_on_error=True, workers=0)
    assert [r.error_code for r in outcome.results] == ["input", "stopped"]
    assert "--on-error" not in (outcome.stopped or "")


def test_ltv_results_keep_the_error_code_and_class(pki, tmp_path):
    from signkit.ltv import LtvOptions, LtvStatus, add_ltv_many

    unsigned = Path(shutil.copy(SAMPLE, tmp_path / "unsigned.pdf"))
    outcome = add_ltv_many([(unsigned, tmp_path / "out.pdf")],
                           options=LtvOptions(trust=(pki.pem("root"),)))
    (result,) = outcome.results
    assert result.status is LtvStatus.FAILED
    assert (result.error_code, result.error_type) == ("input", "InputError")


def test_every_error_class_has_a_distinct_stable_code():
    classes = [getattr(signkit, n) for n in signkit.__all__
               if isinstance(getattr(signkit, n), type)
               and issubclass(getattr(signkit, n), signkit.SignkitError)]
    codes = [c.code for c in classes]
    assert len(set(codes)) == len(codes), codes
    assert signkit.OutputExistsError.code == "output_exists"
    assert signkit.PinIncorrectError.code == "pin_incorrect"
    assert signkit.Pkcs11ModuleNotFoundError.code == "pkcs11_module_not_found"
    assert all(re.fullmatch(r"[a-z0-9_]+", c) for c in codes)


# --- library errors state facts; the CLI adds its options ----------------------------------------

def test_library_errors_name_no_command_line_option():
    errors = [
        signkit.Pkcs11ModuleNotFoundError(["/usr/lib/a.so", "/usr/lib/b.so"]),
        signkit.Pkcs11ModuleNotFoundError(["/x.so"], explicit="/x.so"),
        signkit.TokenAmbiguousError(["a", "b"]),
        signkit.KeyAmbiguousError(["key 'an'", "key 'dung'"]),
    ]
    for error in errors:
        assert "--" not in str(error), str(error)


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "output {out} already exists (use --overwrite to replace it)"),
    ("vi", "tệp kết quả {out} đã tồn tại (dùng --overwrite để ghi đè)")])
def test_the_cli_adds_the_option_that_fixes_a_per_file_error(pki, tmp_path, lang, said):
    out = tmp_path / "exists.pdf"
    out.write_bytes(b"keep me")
    result = CliRunner().invoke(cli, ["--lang", lang, "sign", str(SAMPLE), "-o", str(out),
                                      "--pkcs12", str(pki.p12("signer-rsa2048"))],
                                env={"SIGNKIT_PIN": P12_PASSWORD})
    assert result.exit_code == 1, result.output
    assert said.format(out=out) in result.stdout
    as_json = CliRunner().invoke(cli, ["sign", str(SAMPLE), "-o", str(out), "--pkcs12",
                                       str(pki.p12("signer-rsa2048")), "--json"],
                                 env={"SIGNKIT_PIN": P12_PASSWORD})
    record = __import__("json").loads(as_json.stdout.splitlines()[0])
    assert (record["error_code"], record["error_type"]) == ("output_exists",
                                                            "OutputExistsError")


# --- type checkers see the real signatures ----------------------------------------------------

@pytest.mark.slow
def test_type_checkers_see_the_real_signatures(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import signkit\n"
                     "reveal_type(signkit.sign_pdf)\n"
                     "reveal_type(signkit.verify_pdf)\n"
                     "reveal_type(signkit.async_sign_pdf)\n"
                     "signkit.sign_pdf('in.pdf', 'out.pdf', key=None)\n")
    run = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir",
                          str(ROOT / ".mypy_cache"), str(probe)], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    notes = run.stdout
    assert "-> signkit.signing.document.SignResult" in notes, notes
    assert "-> signkit.report.model.FileReport" in notes, notes
    assert "Coroutine[Any, Any, signkit.signing.document.SignResult]" in notes, notes
    # a wrong argument is caught: the signature is not Any
    assert re.search(r'probe.py:5: error: Argument "key" to "sign_pdf" has incompatible type',
                     notes), notes


# --- package metadata ----------------------------------------------------------------------------

def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_license_file_is_mit_as_pyproject_says():
    project = _pyproject()["project"]
    assert project["license"] == "MIT" and "LICENSE" in project["license-files"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in text
    assert "Typing :: Typed" in project["classifiers"]
    assert not [c for c in project["classifiers"] if c.startswith("License ::")]  # PEP 639


def test_every_third_party_package_signkit_imports_is_declared():
    """Core modules import only core dependencies; the demo and the Dask runner may import
    their extras' packages (``signkit[demo]``, ``signkit[dask]``)."""
    project = _pyproject()["project"]

    def names(requirements: list[str]) -> set[str]:
        return {re.split(r"[<>=~!\[ ;]", d)[0].lower().replace("_", "-") for d in requirements}

    core = names(project["dependencies"])
    extras = {"demo.py": names(project["optional-dependencies"]["demo"]),
              "_dask.py": names(project["optional-dependencies"]["dask"])}
    distributions = importlib.metadata.packages_distributions()
    missing = []
    for path in sorted((ROOT / "signkit").rglob("*.py")):
        declared = core | extras.get(path.name, set())
        text = path.read_text(encoding="utf-8")
        for name in set(re.findall(r"^\s*(?:from|import) ([A-Za-z_][A-Za-z0-9_]*)", text,
                                   flags=re.MULTILINE)):
            if name in sys.stdlib_module_names or name in ("signkit", "__future__"):
                continue
            dists = {d.lower().replace("_", "-") for d in distributions.get(name, [])}
            # werkzeug comes with certomancer[web-api]
            if dists and not dists & declared and not (name == "werkzeug" and
                                                       "certomancer" in declared):
                missing.append((path.relative_to(ROOT).as_posix(), name))
    assert missing == [], f"imported but not declared in pyproject.toml: {missing}"
    assert "aiohttp" in core


def test_make_test_runs_mypy_on_the_library():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    target = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "mypy signkit" in target
    assert any(d.startswith("mypy") for d in
               _pyproject()["project"]["optional-dependencies"]["test"])



def test_a_final_try_token_is_refused_with_facts_and_the_cli_names_yes(softhsm, monkeypatch,
                                                                       tmp_path):
    from conftest import CKF_USER_PIN_FINAL_TRY, USER_PIN

    label = softhsm.make_token("api-final-try", {"an": "signer-rsa2048"},
                               add_flags=CKF_USER_PIN_FINAL_TRY)
    with pytest.raises(signkit.PinFinalTryError) as caught, \
            signkit.open_token(module=softhsm.module, token=label, pin=USER_PIN):
        pass
    assert "--" not in str(caught.value) and caught.value.token_label == label
    monkeypatch.setenv("SIGNKIT_PKCS11_MODULE", softhsm.module)
    result = CliRunner().invoke(cli, ["sign", str(SAMPLE), "-o", str(tmp_path / "o.pdf"),
                                      "--token", label, "--lang", "vi"],
                                env={"SIGNKIT_PIN": USER_PIN})
    assert result.exit_code == 4, result.output
    assert "(dùng --yes để đồng ý)" in result.output
    assert not (tmp_path / "o.pdf").exists()


def test_an_untrusted_tsa_is_its_own_error_code_and_the_message_names_no_option(
        pki, pki_services, p12_key, tmp_path):
    tsa = pki_services[0] + "/testing-ca/tsa/tsa"
    options = signkit.SignOptions(level=signkit.PadesLevel.B_T, tsa_url=tsa,
                                  trust=(pki.pem("foreign-root"),))
    outcome = signkit.sign_many([(SAMPLE, tmp_path / "o.pdf")], key=p12_key, options=options,
                                workers=0)
    (result,) = outcome.results
    assert (result.error_code, result.error_type) == ("timestamp_untrusted",
                                                      "TimestampUntrustedError")
    assert "TSA certificate is not trusted" in result.error and "--" not in result.error
    assert not (tmp_path / "o.pdf").exists()


def test_an_archive_timestamp_without_a_tsa_is_no_tsa_and_the_cli_says_how(pki, p12_key,
                                                                           tmp_path):
    from signkit.ltv import LtvOptions, add_ltv_many

    signed = tmp_path / "signed.pdf"
    signkit.sign_pdf(SAMPLE, signed, key=p12_key)
    outcome = add_ltv_many([(signed, tmp_path / "out.pdf")], level=signkit.PadesLevel.B_LTA,
                           options=LtvOptions(trust=(pki.pem("root"),),
                                              other_certs=(pki.pem("interm"),)))
    (result,) = outcome.results
    assert (result.error_code, result.error_type) == ("no_tsa", "NoTsaError")
    assert "--" not in (result.error or "")
    shown = CliRunner().invoke(cli, ["ltv", "add", str(signed), "-o", str(tmp_path / "o.pdf"),
                                     "--trust", str(pki.pem("root")), "--other-certs",
                                     str(pki.pem("interm"))])
    assert shown.exit_code == 1, shown.output
    assert "(give --tsa URL or set signing.tsa in the profile)" in shown.output


def test_an_encrypted_input_without_its_password_is_encrypted_input(p12_key, tmp_path):
    encrypted = tmp_path / "encrypted.pdf"
    subprocess.run(["qpdf", "--encrypt", "user", "owner", "256", "--", str(SAMPLE),
                    str(encrypted)], check=True)
    outcome = signkit.sign_many([(encrypted, tmp_path / "o.pdf")], key=p12_key, workers=0)
    (result,) = outcome.results
    assert (result.error_code, result.error_type) == ("encrypted_input", "EncryptedInputError")
    assert "encrypted" in result.error and "--pdf-password-file" not in result.error
