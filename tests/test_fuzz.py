"""Fuzzing the verifier (issue #9, section 6): real signed documents, mutated by recipes that
hypothesis draws over the PDF's structure (tests/fuzz), verified in a child process under a
time limit. The properties are in fuzz/harness.py; findings in fuzz/FINDINGS.md.

``make test`` runs the "ci" profile: 200 examples per family, derandomized (the same examples
every run), about 40 s. ``make fuzz`` runs the "fuzz" profile: FUZZ_EXAMPLES per family
(default 2000), fresh examples each run, FUZZ_COLLECT=1 (every distinct violation is kept and
listed by the last test instead of stopping at the first). FUZZ_TIMEOUT sets the seconds a
document may take (default 5). The closing summary ("fuzz: N documents, ...") counts the
documents and their verdicts.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from certomancer import registry
from fuzz import strategies as fs
from fuzz.bases import build_bases
from fuzz.harness import TIMEOUT, Fuzzer, VerifyWorker
from fuzz.known import KNOWN
from hypothesis import HealthCheck, example, given, settings

CORPUS = Path(__file__).parent / "fuzz" / "corpus"
PROFILE = os.environ.get("FUZZ_PROFILE", "ci")
_QUIET = dict(deadline=None, suppress_health_check=list(HealthCheck))
settings.register_profile("ci", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "200")),
                          derandomize=True, database=None, **_QUIET)
settings.register_profile("fuzz", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "2000")),
                          **_QUIET)
FUZZ = settings(settings.get_profile(PROFILE))


@pytest.fixture(scope="session")
def fuzzer(pki, kit, tmp_path_factory):
    """Every base document, and a verifying worker that trusts the test root and holds the
    issuing CA's current CRL (offline, so TOTAL_PASSED is reachable without the network)."""
    folder = tmp_path_factory.mktemp("fuzz")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    crl = folder / "interm.crl"
    crl.write_bytes(pki.arch.service_registry.get_crl(
        registry.ServiceLabel("root"), at_time=now).dump())  # "root": interm's CRL
    bases = build_bases(kit, folder / "bases")
    worker = VerifyWorker(folder, trust=[pki.pem("root")], other_certs=[pki.pem("interm")],
                          crls=[crl], at=now)
    for name, base in bases.items():
        path = folder / "bases" / f"{name}.pdf"
        outcome = worker.verify(path)
        assert outcome.get("status") == "TOTAL_PASSED", (name, outcome)  # else nothing to prove
        assert base.text.strip(), name
    yield Fuzzer(bases, worker, folder)
    worker.stop()


# --- (a) byte-level mutations inside and outside the signed /ByteRange ------------------------

@FUZZ
@given(recipe=fs.byte_recipes)
@example(recipe={"kind": "bytes", "base": "pades-rsa",
                 "ops": [{"op": "flip", "region": "head", "at": 1500, "mask": 1}]})
@example(recipe={"kind": "bytes", "base": "two-approvals",
                 "ops": [{"op": "append", "data": "\n\x00\x00  \r\n"}]})
@example(recipe={"kind": "bytes", "base": "cms-rsa",
                 "ops": [{"op": "insert", "region": "contents", "at": 7, "data": " "}]})
@example(recipe={"kind": "bytes", "base": "pdfsig",
                 "ops": [{"op": "duplicate", "region": "after", "at": 0, "length": 400,
                          "to_region": "tail", "to_at": 0}]})
def test_byte_mutations_get_a_verdict_and_never_pass_a_change(fuzzer, recipe):
    fuzzer.check(recipe, family="bytes")


# --- (b) appended incremental updates --------------------------------------------------------

@FUZZ
@given(recipe=fs.update_recipes)
@example(recipe={"kind": "update", "base": "pades-rsa", "trailing": "",
                 "updates": [{"objects": [], "xref": "table", "overlay": "Sua sau khi ky"}]})
@example(recipe={"kind": "update", "base": "form-field", "trailing": "",
                 "updates": [{"objects": [], "xref": "stream", "overlay": "Them sau khi ky",
                              "eof": ""}]})
@example(recipe={"kind": "update", "base": "certified", "trailing": "\x00" * 512,
                 "updates": [{"objects": [{"num": ["role", "contents0"], "obj": [
                     "stream", [], {"filter": "FlateDecode", "parms": None, "length": "right",
                                    "data": "BT /F1 24 Tf 72 400 Td (Gia mao) Tj ET",
                                    "encode": True}]}],
                              "xref": "table", "extra_startxref": "after"}]})
@example(recipe={"kind": "update", "base": "two-approvals", "trailing": "garbage",
                 "updates": [{"objects": [{"num": ["new", 0], "obj": ["dict", [
                     ["Type", ["name", "Catalog"]], ["Pages", ["ref", ["abs", 99999, 0]]]]]}],
                              "xref": "stream", "root": ["new", 0], "eof": "%%EFO\n"}]})
def test_appended_updates_get_a_verdict_and_never_pass_a_change(fuzzer, recipe):
    fuzzer.check(recipe, family="updates")


# --- (c) the signature's CMS -----------------------------------------------------------------

@FUZZ
@given(recipe=fs.cms_recipes)
@example(recipe={"kind": "cms", "base": "pades-rsa", "ops": [{"op": "drop_certs",
                                                             "keep": "none"}]})
@example(recipe={"kind": "cms", "base": "signkit-ecdsa", "ops": [
    {"op": "digest_oid", "oid": "1.2.3.4.5.6.7", "where": "both"}]})
@example(recipe={"kind": "cms", "base": "cms-rsa", "ops": [{"op": "truncate", "keep": 700}]})
@example(recipe={"kind": "cms", "base": "two-approvals", "ops": [
    {"op": "signed_attr", "action": "change", "index": 1, "at": 0, "mask": 1,
     "oid": "0.0", "value": ""}]})
def test_cms_edits_get_a_verdict_and_never_pass_a_broken_signature(fuzzer, recipe):
    fuzzer.check(recipe, family="cms")


# --- the committed corpus: seeds and the reproducers of FINDINGS.md ----------------------------

def _corpus_cases():
    known = {f.id: f for f in KNOWN}
    for path in sorted(CORPUS.glob("*.json")):
        entry = json.loads(path.read_text())
        expect = entry.get("expect", "holds")
        marks = []
        if expect != "holds":
            finding = known[expect]  # a reproducer names a finding of fuzz/known.py
            marks.append(pytest.mark.xfail(strict=True, reason=f"{finding.id}: {finding.summary}"))
        yield pytest.param(entry, id=path.stem, marks=marks)


@pytest.mark.parametrize("entry", list(_corpus_cases()))
def test_corpus_recipe_holds(fuzzer, entry):
    """Every recipe of fuzz/corpus: the properties hold (and, where the entry names one, the
    verdict has that status)."""
    recipe, verdict = entry["recipe"], entry.get("verdict")
    judgement = fuzzer.judge(recipe, family="corpus", timeout=entry.get("timeout", TIMEOUT))
    assert judgement.problem is None, (judgement.problem, judgement.outcome)
    if verdict is not None:
        assert judgement.outcome.get("status") == verdict, judgement.outcome


def test_fuzzing_found_no_new_violation(fuzzer):
    """With FUZZ_COLLECT=1 (``make fuzz``) the runs above keep going past a violation; this
    one, last in the file, lists what they found (each with its smallest recipe)."""
    assert not fuzzer.violations, "new findings:\n\n" + fuzzer.report()
