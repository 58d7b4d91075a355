"""A batch's shared state (one Verifier per worker: trust setup, revocation cache, validated
chains) must never change a verdict: files judged together get exactly the verdicts they get
one at a time. The mix puts a revoked signer, a good one, an expired one, one whose chain goes
through another intermediate, and an untrusted one next to each other, in both orders, and
each of them more than once, so that the batch's remembered chains are asked again."""

from __future__ import annotations

import datetime as dt

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.sign.general import (
    as_signing_certificate,
    as_signing_certificate_v2,
    check_ess_certid,
)
from pyhanko.sign.validation import generic_cms

import signkit
from signkit import VerifyOptions
from signkit.verification import Verifier
from signkit.verification.cert_memo import CertificateMemo

MIX = ["good-signkit", "revoked-signer", "expired-signer", "good-g2", "foreign-signer",
       "revoked-signer-backdated", "good-pyhanko"]


@pytest.fixture(scope="module")
def trusted(pki) -> VerifyOptions:
    return VerifyOptions(trust=(pki.pem("root"),), other_certs=(pki.pem("interm"),))


def verdicts(reports) -> list[tuple]:
    return [(r.status, r.subindication,
             tuple((s.status, s.subindication, s.revocation, s.chain,
                    tuple((m.code, sorted(m.params.items())) for m in s.messages))
                   for s in r.signatures))
            for r in reports]


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("order", ["forward", "backward"])
def test_a_batch_gives_the_verdicts_of_single_file_runs(docs, trusted, jobs, order):
    names = [*MIX, *MIX[::2], *MIX[1::2]]
    names = names if order == "forward" else names[::-1]
    paths = [docs[name] for name in names]
    alone = [signkit.verify_pdf(path, options=trusted) for path in paths]
    together = signkit.verify_many(paths, options=trusted, jobs=jobs).files
    assert [r.path for r in together] == [str(p) for p in paths]
    assert verdicts(together) == verdicts(alone)
    assert len({v[:2] for v in verdicts(alone)}) >= 4  # the mix really is mixed


def test_a_chain_validated_cleanly_is_validated_once_and_the_answer_stays_the_same(docs, pki):
    options = VerifyOptions(trust=(pki.pem("root"),), other_certs=(pki.pem("interm"),),
                            at=dt.datetime.now(dt.UTC))
    with Verifier(options) as verifier:
        good = [verifier.verify(docs["good-signkit"]) for _ in range(4)]
        answered = verifier._paths.hits
        revoked = [verifier.verify(docs["revoked-signer"]) for _ in range(2)]
        assert verifier._paths.hits == answered  # a failed validation is never remembered
    # the first document's question differs (the OCSP answer it fetched is at hand for the
    # next ones); from then on the same question is answered from memory
    assert answered >= 2
    assert verdicts(good) == verdicts(good[:1]) * 4
    assert good[0].status is signkit.Indication.TOTAL_PASSED
    assert verdicts(revoked) == verdicts(revoked[:1]) * 2
    assert revoked[0].status is not signkit.Indication.TOTAL_PASSED


def test_without_a_fixed_validation_time_nothing_is_answered_from_memory(docs, trusted):
    # a verifier kept for hours judges each document at its own moment
    with Verifier(trusted) as verifier:
        for _ in range(2):
            verifier.verify(docs["good-signkit"])
        assert verifier._paths.hits == 0


def test_parsed_certificates_are_shared_and_the_answer_stays_the_same(docs, pki):
    with Verifier(VerifyOptions(trust=(pki.pem("root"),), other_certs=(pki.pem("interm"),),
                                at=dt.datetime.now(dt.UTC))) as verifier:
        reports = [verifier.verify(docs[name])
                   for name in ["good-signkit", "revoked-signer", "good-signkit", "good-g2"]]
        assert verifier._certificates.hits >= 2  # the second good-signkit, at least
    again = [signkit.verify_pdf(docs[name], options=VerifyOptions(
        trust=(pki.pem("root"),), other_certs=(pki.pem("interm"),)))
        for name in ["good-signkit", "revoked-signer", "good-signkit", "good-g2"]]
    assert verdicts(reports) == verdicts(again)


@pytest.mark.parametrize("v2", [True, False])
def test_the_signing_certificate_check_is_pyhankos_for_every_pair(pki, v2):
    """The memo answers per (certificate, ESSCertID) pair: a pair that does not match stays
    a mismatch after the matching pair with the same certificate was remembered."""
    signer, other = (asn1_x509.Certificate.load(pki.cert(label).public_bytes(Encoding.DER))
                     for label in ("signer-rsa2048", "interm"))
    make = as_signing_certificate_v2 if v2 else as_signing_certificate
    names_signer, names_other = make(signer)["certs"][0], make(other)["certs"][0]
    memo = CertificateMemo()
    with memo.active():
        answers = [generic_cms.check_ess_certid(cert, certid)
                   for cert, certid in [(signer, names_signer), (signer, names_other),
                                        (other, names_signer), (signer, names_signer),
                                        (other, names_other)]]
    assert answers == [True, False, False, True, True]
    assert answers == [check_ess_certid(c, i) for c, i in [
        (signer, names_signer), (signer, names_other), (other, names_signer),
        (signer, names_signer), (other, names_other)]]
    assert len(memo._names) == 4  # the repeated pair was answered from memory


def test_the_batch_memory_keeps_the_most_recent_answers_within_its_bound():
    from signkit.verification.memo import Lru

    memo: Lru[str, int] = Lru(3)
    for i, key in enumerate("abc"):
        memo.put(key, i)
    assert memo.get("a") == 0  # a is now the most recent
    memo.put("d", 3)  # drops b, the stalest
    assert (memo.get("b"), memo.get("a"), memo.get("c"), memo.get("d")) == (None, 0, 2, 3)
    assert len(memo) == 3


def test_a_signing_certificate_attribute_that_does_not_match_fails_every_time(pki):
    """Only the second check of the very pair that just passed is skipped."""
    from asn1crypto import cms
    from pyhanko.sign.general import simple_cms_attribute
    from pyhanko.sign.validation.errors import SignatureValidationError

    signer, other = (asn1_x509.Certificate.load(pki.cert(label).public_bytes(Encoding.DER))
                     for label in ("signer-rsa2048", "interm"))

    def attrs(cert):
        return cms.CMSAttributes([simple_cms_attribute(
            "signing_certificate_v2", as_signing_certificate_v2(cert))])

    naming_signer, naming_other = attrs(signer), attrs(other)
    memo = CertificateMemo()

    def passes(cert, signed_attrs) -> bool:
        try:
            generic_cms._check_signing_certificate(cert, signed_attrs)
        except SignatureValidationError:
            return False
        return True

    with memo.active():
        answers = [passes(signer, naming_other), passes(signer, naming_other),
                   passes(signer, naming_signer), passes(signer, naming_signer),
                   passes(other, naming_signer), passes(signer, naming_other)]
    assert answers == [False, False, True, True, False, False]
