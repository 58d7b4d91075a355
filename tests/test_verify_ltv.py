"""Long-term verification (issue #4): validation at the proofs of existence timestamps give,
document timestamps, offline B-LT/B-LTA, and the level and timestamp time the document really has.

Documents are signed now against certomancer's animator on loopback (OCSP, CRLs, TSA), then
verified at other times: ``VerifyOptions.at`` and the animator's clock (its OCSP and CRLs then
answer as at that time) or CRLs certomancer issues for that time. Every verdict is set against
pyHanko's own validator, called directly."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from ltv_verify_support import (
    ClockedPki,
    add_partial_dss,
    flip_token_signature,
    pyhanko_long_term,
    pyhanko_plain,
    pyhanko_with_time,
    reader_of,
)
from pyhanko.sign.ades.report import AdESIndeterminate, AdESPassed
from pyhanko.sign.validation import validate_pdf_timestamp
from pyhanko_certvalidator import ValidationContext
from signkit.cli.main import cli

import signkit
from signkit import Indication, SubIndication
from signkit.report import BatchReport, render_json
from signkit.verification import VerifyOptions

PASSED, FAILED = Indication.TOTAL_PASSED, Indication.TOTAL_FAILED
INDETERMINATE = Indication.INDETERMINATE
UTC = dt.UTC
AFTER_EXPIRY = dt.datetime(2037, 1, 1, tzinfo=UTC)  # signer-g2 expires 2036-01-01
AFTER_REVOCATION = dt.datetime(2031, 1, 1, tzinfo=UTC)  # signer-g2-revoked-later: 2030-01-01


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    pki = ClockedPki(tmp_path_factory.mktemp("ltv-pki"))
    yield pki
    pki.close()


@pytest.fixture(scope="module")
def docs(live, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("ltv-docs")
    made = {f"g2-{level}": live.sign("signer-g2", level, folder / f"g2-{level}.pdf")
            for level in ("B-B", "B-T", "B-LT", "B-LTA")}
    made["later-B-T"] = live.sign("signer-g2-revoked-later", "B-T", folder / "later-bt.pdf")
    made["later-B-LTA"] = live.sign("signer-g2-revoked-later", "B-LTA", folder / "later.pdf")
    made["revoked-now-B-T"] = live.sign("signer-revoked", "B-T", folder / "revoked-now.pdf")
    made["no-issuer-B-T"] = live.sign("signer-g2", "B-T", folder / "alone.pdf",
                                      with_chain=False)
    live.clock = AFTER_REVOCATION  # the TSA stamps 2031, after the revocation
    try:
        made["revoked-before-B-T"] = live.sign("signer-g2-revoked-later", "B-T",
                                               folder / "revoked-before.pdf")
    finally:
        live.clock = None
    made["bad-sig-ts"] = flip_token_signature(made["g2-B-T"], folder / "bad-sig-ts.pdf",
                                              document_timestamp=False)
    made["bad-later-ts"] = flip_token_signature(made["later-B-T"], folder / "bad-later.pdf",
                                                document_timestamp=False)
    made["bad-doc-ts"] = flip_token_signature(made["g2-B-LTA"], folder / "bad-doc-ts.pdf",
                                              document_timestamp=True)
    made["partial-dss"] = add_partial_dss(made["g2-B-T"], folder / "partial-dss.pdf",
                                          donor=made["g2-B-LT"])
    return made


@pytest.fixture
def clock(live):
    """Move the animator's clock for one test (its OCSP answers and CRLs follow)."""
    def move(moment: dt.datetime | None) -> None:
        live.clock = moment

    yield move
    live.clock = None


def options(live, **kw) -> VerifyOptions:
    return VerifyOptions(trust=(live.pem("root"),), **kw)


def verify(path: Path, opts: VerifyOptions):
    return signkit.verify_pdf(path, options=opts)


def only(report):
    (signature,) = report.signatures
    return signature


def text_of(report) -> str:
    return "\n".join([*report.messages, *(m for s in report.signatures for m in s.messages)])


# --- document timestamps are evidence, not signatures ------------------------------------------

def test_b_lta_passes_with_its_document_timestamp_judged_apart(live, docs):
    path = docs["g2-B-LTA"]
    for opts in (options(live), options(live, offline=True)):
        report = verify(path, opts)
        assert (report.status, report.subindication, report.messages) == (PASSED, None, ()), \
            text_of(report)
        assert [s.field for s in report.signatures] == ["Signature1"]
        assert only(report).level == "PAdES-B-LTA"
    (doc_ts,) = reader_of(path).embedded_timestamp_signatures
    independent = validate_pdf_timestamp(doc_ts, ValidationContext(
        trust_roots=[live.asn1("root")], allow_fetching=False))
    assert independent.intact and independent.valid and independent.trusted


def test_a_document_timestamp_that_does_not_verify_fails_the_file(live, docs):
    report = verify(docs["bad-doc-ts"], options(live))
    assert (report.status, report.subindication) == (FAILED, SubIndication.SIG_CRYPTO_FAILURE)
    assert any("document timestamp" in m and "does not verify" in m for m in report.messages)
    assert only(report).status is PASSED  # the signature itself is untouched
    (doc_ts,) = reader_of(docs["bad-doc-ts"]).embedded_timestamp_signatures
    independent = validate_pdf_timestamp(doc_ts, ValidationContext(
        trust_roots=[live.asn1("root")], allow_fetching=False))
    assert independent.intact and not independent.valid


# --- proofs of existence: expiry --------------------------------------------------------------

@pytest.mark.parametrize("offline", [False, True])
def test_expired_after_timestamping_passes_at_the_timestamps_time(live, docs, offline):
    path = docs["g2-B-LTA"]
    sig = only(verify(path, options(live, at=AFTER_EXPIRY, offline=offline)))
    assert (sig.status, sig.subindication) == (PASSED, None), sig.messages
    assert "valid at" in sig.messages[0] and sig.timestamp_time.strftime("%Y-%m-%d") \
        in sig.messages[0]
    # pyHanko alone: expired for a plain validation in 2037, valid through its POE machinery
    plain = pyhanko_plain(live, path, AFTER_EXPIRY)
    assert not plain.bottom_line and plain.trust_problem_indic is \
        AdESIndeterminate.OUT_OF_BOUNDS_NO_POE
    assert pyhanko_long_term(live, path, AFTER_EXPIRY).ades_subindic is AdESPassed.OK


def test_expired_without_proven_revocation_data_is_not_passed(live, docs):
    """B-LT: its DSS has no document timestamp, so nothing proves the revocation data existed
    before the certificate expired."""
    path = docs["g2-B-LT"]
    sig = only(verify(path, options(live, at=AFTER_EXPIRY, offline=True)))
    assert sig.status is INDETERMINATE, sig.messages
    assert any("no timestamp proves" in m for m in sig.messages)
    assert pyhanko_long_term(live, path, AFTER_EXPIRY).ades_subindic is not AdESPassed.OK


# --- proofs of existence: revocation -----------------------------------------------------------

@pytest.mark.parametrize("doc", ["later-B-T", "later-B-LTA"])
def test_revoked_after_the_timestamp_passes_with_live_revocation(live, docs, clock, doc):
    clock(AFTER_REVOCATION)  # the OCSP responder now says: revoked since 2030-01-01
    sig = only(verify(docs[doc], options(live, at=AFTER_REVOCATION)))
    assert (sig.status, sig.subindication) == (PASSED, None), sig.messages
    assert sig.revocation.status.value == "REVOKED" and "2030-01-01" in sig.messages[0]


def test_revoked_after_the_timestamp_passes_offline_with_a_crl_of_that_time(live, docs):
    crls = live.crl_files(AFTER_REVOCATION)
    path = docs["later-B-T"]
    sig = only(verify(path, options(live, at=AFTER_REVOCATION, offline=True, crls=crls)))
    assert (sig.status, sig.subindication) == (PASSED, None), sig.messages
    plain = pyhanko_plain(live, path, AFTER_REVOCATION, crls)
    assert not plain.bottom_line and plain.revocation_details is not None
    assert pyhanko_with_time(live, path, AFTER_REVOCATION, crls).ades_subindic is AdESPassed.OK


def test_revoked_before_the_timestamp_fails(live, docs, clock):
    crls = live.crl_files(AFTER_REVOCATION)
    path = docs["revoked-before-B-T"]
    sig = only(verify(path, options(live, at=AFTER_REVOCATION, offline=True, crls=crls)))
    assert (sig.status, sig.subindication) == (FAILED, SubIndication.REVOKED), sig.messages
    assert sig.timestamp_time.year == 2031 and "2030-01-01" in " ".join(sig.messages)
    clock(AFTER_REVOCATION)
    online = only(verify(path, options(live, at=AFTER_REVOCATION)))
    assert (online.status, online.subindication) == (FAILED, SubIndication.REVOKED)
    # (pyHanko is not asked here: the file really exists now, years before the 2030
    # revocation, a proof of existence no 2031 timestamp can beat; see the next test)


def test_signed_after_a_past_revocation_fails_now(live, docs):
    """signer-revoked was revoked on 2025-06-01; the signature timestamp is of today."""
    path = docs["revoked-now-B-T"]
    sig = only(verify(path, options(live)))
    assert (sig.status, sig.subindication) == (FAILED, SubIndication.REVOKED), sig.messages
    now = dt.datetime.now(UTC)
    assert pyhanko_with_time(live, path, now, live.crl_files(now, repos=("root",))) \
        .ades_subindic is AdESIndeterminate.REVOKED_NO_POE


# --- a timestamp that does not verify -----------------------------------------------------------

def test_an_altered_signature_timestamp_is_never_passed(live, docs):
    path = docs["bad-sig-ts"]
    report = verify(path, options(live))
    assert (report.status, report.subindication) == (FAILED, SubIndication.SIG_CRYPTO_FAILURE)
    assert "signature timestamp does not verify" in text_of(report)
    (status,) = [pyhanko_plain(live, path)]
    assert status.intact and status.valid and not status.timestamp_validity.valid


def test_an_altered_timestamp_gives_no_proof_of_existence(live, docs):
    crls = live.crl_files(AFTER_REVOCATION)
    report = verify(docs["bad-later-ts"],
                    options(live, at=AFTER_REVOCATION, offline=True, crls=crls))
    assert report.status is not PASSED and "timestamp" in text_of(report)


# --- offline: complete and incomplete validation data ------------------------------------------

def test_offline_complete_b_lt_passes_on_embedded_data(live, docs):
    sig = only(verify(docs["g2-B-LT"], options(live, offline=True)))
    assert (sig.status, sig.level) == (PASSED, "PAdES-B-LT"), sig.messages
    assert sig.revocation.checked and sig.revocation.source.value == "EMBEDDED"


def test_offline_b_t_names_every_certificate_without_revocation_data(live, docs):
    report = verify(docs["g2-B-T"], options(live, offline=True))
    assert (report.status, report.subindication) == (INDETERMINATE, SubIndication.TRY_LATER)
    text = text_of(report)
    assert "no revocation data" in text
    assert "Trịnh Văn Quang" in text and "signkit Test Issuing CA G2" in text


def test_offline_dss_without_the_ca_crl_names_only_the_ca(live, docs):
    report = verify(docs["partial-dss"], options(live, offline=True))
    sig = only(report)
    assert (sig.status, sig.subindication) == (INDETERMINATE, SubIndication.TRY_LATER)
    gaps = [m for m in sig.messages if m.startswith("offline:")]
    assert len(gaps) == 1 and "signkit Test Issuing CA G2" in gaps[0], sig.messages
    assert sig.level == "PAdES-B-T"  # a DSS, but not the chain's revocation data


def test_offline_names_the_missing_issuer_certificate(live, docs):
    sig = only(verify(docs["no-issuer-B-T"], options(live, offline=True)))
    assert sig.status is INDETERMINATE
    gaps = [m for m in sig.messages if m.startswith("offline:")]
    assert any("issuer certificate" in m and "signkit Test Issuing CA G2" in m for m in gaps), \
        sig.messages


# --- level and timestamp time come from the document ------------------------------------------

def test_level_and_timestamp_time_are_what_the_document_holds(live, docs):
    expected = {"g2-B-B": "PAdES-B-B", "g2-B-T": "PAdES-B-T", "g2-B-LT": "PAdES-B-LT",
                "g2-B-LTA": "PAdES-B-LTA"}
    reports = []
    for name, level in expected.items():
        report = verify(docs[name], options(live))
        reports.append(report)
        sig = only(report)
        assert sig.level == level, name
        ts = pyhanko_plain(live, docs[name]).timestamp_validity
        assert sig.timestamp_time == (ts.timestamp if ts is not None else None), name
    batch = BatchReport("test", dt.datetime.now(UTC), "default", tuple(reports))
    files = json.loads(render_json(batch))["files"]
    assert [f["signatures"][0]["level"] for f in files] == list(expected.values())
    assert files[0]["signatures"][0]["timestamp_time"] is None
    assert files[3]["signatures"][0]["timestamp_time"].startswith(
        f"{dt.datetime.now(UTC):%Y-%m-%d}")


# --- the command line ---------------------------------------------------------------------------

def run_cli(*args: str):
    result = CliRunner().invoke(cli, ["verify", *args, "--format", "json", "--jobs", "1"])
    assert "Traceback" not in result.output
    return result


def test_cli_at_and_offline_exit_codes(live, docs):
    trust = ["--trust", str(live.pem("root"))]
    crls = [a for c in live.crl_files(AFTER_REVOCATION) for a in ("--crl", str(c))]
    passed = run_cli(str(docs["g2-B-LTA"]), *trust, "--offline", "--at", "2037-01-01T00:00:00Z")
    assert passed.exit_code == 0, passed.output
    assert json.loads(passed.output)["files"][0]["status"] == "TOTAL_PASSED"
    incomplete = run_cli(str(docs["g2-B-T"]), *trust, "--offline")
    assert incomplete.exit_code == 3, incomplete.output
    revoked = run_cli(str(docs["revoked-before-B-T"]), *trust, *crls, "--offline",
                      "--at", "2031-01-01T00:00:00+07:00")
    assert revoked.exit_code == 1, revoked.output
    assert json.loads(revoked.output)["files"][0]["subindication"] == "REVOKED"
