"""A batch's shared state (one Verifier per worker: trust setup, revocation cache, validated
chains) must never change a verdict: files judged together get exactly the verdicts they get
one at a time. The mix puts a revoked signer, a good one, an expired one, one whose chain goes
through another intermediate, and an untrusted one next to each other, in both orders."""

from __future__ import annotations

import pytest

import signkit
from signkit import VerifyOptions

MIX = ["good-signkit", "revoked-signer", "expired-signer", "good-g2", "foreign-signer",
       "revoked-signer-backdated", "good-pyhanko"]


@pytest.fixture(scope="module")
def trusted(pki) -> VerifyOptions:
    return VerifyOptions(trust=(pki.pem("root"),), other_certs=(pki.pem("interm"),))


def verdicts(reports) -> list[tuple]:
    return [(r.status, r.subindication, tuple(s.revocation for s in r.signatures))
            for r in reports]


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("order", ["forward", "backward"])
def test_a_batch_gives_the_verdicts_of_single_file_runs(docs, trusted, jobs, order):
    names = MIX if order == "forward" else MIX[::-1]
    paths = [docs[name] for name in names]
    alone = [signkit.verify_pdf(path, options=trusted) for path in paths]
    together = signkit.verify_many(paths, options=trusted, jobs=jobs).files
    assert [r.path for r in together] == [str(p) for p in paths]
    assert verdicts(together) == verdicts(alone)
    assert len({v[:2] for v in verdicts(alone)}) >= 4  # the mix really is mixed
