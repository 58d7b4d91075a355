"""A batch's shared state (one Verifier per worker: trust setup, revocation cache, validated
chains) must never change a verdict: files judged together get exactly the verdicts they get
one at a time. The mix puts a revoked signer, a good one, an expired one, one whose chain goes
through another intermediate, and an untrusted one next to each other, in both orders, and
each of them more than once, so that the batch's remembered chains are asked again."""

from __future__ import annotations

import datetime as dt

import pytest

import signkit
from signkit import VerifyOptions
from signkit.verification import Verifier

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
