"""Remote signing throughput: signkit's batches (one approval per round of documents)
beside pyHanko's CSC signer used once per document, against loopback services with a
simulated network round trip.

The CSC API v2 service and the VNPT SmartCA gateway of tests/remote_servers.py run in a
thread of this process, signing with the test PKI's signer-rsa2048 key
(fixtures/pki/testing-ca.yml), and sleep ``--latency`` (150 ms) in every request: the
round trip to a signing service in another city, plus its HSM. Three ways sign the same
``--files`` copies of a two-page office PDF at PAdES-B-B:

1. signkit, CSC: ``open_remote("csc")`` + ``sign_many``: OAuth token, credentials/info,
   then one credentials/authorize (numSignatures = N) and one signatures/signHash per round
   of up to ``multisign`` (here 200) documents.
2. signkit, SmartCA: ``open_remote("smartca")`` + ``sign_many``: get_certificate, one
   v1/signatures/sign with N hashes, status polled (the simulated person approves at once).
3. pyHanko's ``CSCSigner`` (``pyhanko.sign.signers.csc_signer``), one document at a time in
   a loop, as its documentation shows: an authorisation for one hash (SCAL 2 binds the SAD
   to the hash) and one signHash per document; the token and credentials/info once.
   pyHanko speaks CSC v1 field names; the test service answers them under /csc/v1/.

Round trips are counted by the services. Targets (issue #12): signkit >= 50x fewer round
trips and >= 20x the documents per second of the per-document loop.

    .venv/bin/python bench/remote_bench.py [--files 200] [--latency 0.15] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from remote_servers import (  # noqa: E402 - tests/ is not a package
    CLIENT_ID,
    CLIENT_SECRET,
    CREDENTIAL_ID,
    SP_ID,
    SP_PASSWORD,
    USER_ID,
    SigningServices,
    material_from_fixtures,
)

SAMPLE = ROOT / "fixtures" / "pdf" / "qd-123-quyet-dinh.pdf"


def pairs_in(folder: Path, count: int, name: str) -> list[tuple[Path, Path]]:
    src = folder / "in"
    src.mkdir(parents=True, exist_ok=True)
    pairs = []
    for i in range(count):
        path = src / f"vb-{i:04d}.pdf"
        if not path.exists():
            shutil.copyfile(SAMPLE, path)
        pairs.append((path, folder / name / path.name))
    return pairs


def run_signkit(services: SigningServices, service: str, pairs) -> dict:
    import signkit
    from signkit.remote import ClientCredentials

    services.reset(latency=services.behaviour.latency, multisign=200)
    started = time.perf_counter()
    if service == "csc":
        opened = signkit.open_remote("csc", url=services.csc_url, credential_id=CREDENTIAL_ID,
                                     auth=ClientCredentials(CLIENT_ID, CLIENT_SECRET))
    else:
        opened = signkit.open_remote("smartca", url=services.smartca_url, user_id=USER_ID,
                                     sp_id=SP_ID, sp_password=SP_PASSWORD, poll_interval=0.2)
    with opened as key:
        outcome = signkit.sign_many(pairs, key=key)
        approvals = key.approvals
    elapsed = time.perf_counter() - started
    assert outcome.ok, [r.error for r in outcome.results if not r.ok][:3]
    return {"way": f"signkit {service} batch", "files": len(pairs), "seconds": elapsed,
            "round_trips": sum(services.counts.values()), "approvals": approvals,
            "requests": dict(services.counts)}


def run_pyhanko_loop(services: SigningServices, pairs) -> dict:
    services.reset(latency=services.behaviour.latency, multisign=200)
    started = time.perf_counter()
    asyncio.run(_pyhanko_loop(services, pairs))
    elapsed = time.perf_counter() - started
    return {"way": "pyHanko CSCSigner, one document at a time", "files": len(pairs),
            "seconds": elapsed, "round_trips": sum(services.counts.values()),
            "approvals": services.counts["credentials/authorize"],
            "requests": dict(services.counts)}


async def _pyhanko_loop(services: SigningServices, pairs) -> None:
    import aiohttp
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.signers import csc_signer

    class OneHashAuthorization(csc_signer.CSCAuthorizationManager):
        """credentials/authorize for the hashes about to be signed (SCAL 2)."""

        def __init__(self, session, *args):
            super().__init__(*args)
            self.session = session

        async def authorize_signature(self, hash_b64s):
            body = self.format_csc_auth_request(hash_b64s=hash_b64s)
            url = self.csc_session_info.endpoint_url("credentials/authorize")
            async with self.session.post(url, json=body, headers=self.auth_headers,
                                         raise_for_status=True) as response:
                return self.parse_csc_auth_response(await response.json())

    async with aiohttp.ClientSession() as session:
        async with session.post(f"{services.csc_url}/oauth2/token", data={
                "grant_type": "client_credentials", "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET}, raise_for_status=True) as response:
            token = (await response.json())["access_token"]
        info = csc_signer.CSCServiceSessionInfo(services.csc_url, CREDENTIAL_ID,
                                                oauth_token=token, api_ver="v1")
        credential = await csc_signer.fetch_certs_in_csc_credential(session, info)
        for src, dst in pairs:
            dst.parent.mkdir(parents=True, exist_ok=True)
            signer = csc_signer.CSCSigner(
                session, OneHashAuthorization(session, info, credential))
            meta = signers.PdfSignatureMetadata(
                field_name="Signature1", md_algorithm="sha256",
                subfilter=fields.SigSeedSubFilter.PADES)
            with src.open("rb") as inf, dst.open("wb") as out:
                writer = IncrementalPdfFileWriter(inf)
                await signers.PdfSigner(meta, signer=signer).async_sign_pdf(writer, output=out)


def check_sample(paths: list[Path], root) -> None:
    """pyHanko's validator on the first and last output: intact, valid, trusted."""
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.serialization import Encoding
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    anchor = asn1_x509.Certificate.load(root.public_bytes(Encoding.DER))
    context = ValidationContext(trust_roots=[anchor], allow_fetching=False,
                                revocation_mode="soft-fail")
    for path in (paths[0], paths[-1]):
        with path.open("rb") as f:
            status = validate_pdf_signature(PdfFileReader(f).embedded_signatures[0], context)
        assert status.intact and status.valid and status.trusted, path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.15)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="signkit-remote-bench-"))
    services = SigningServices(material_from_fixtures()).start()
    services.reset(latency=args.latency)
    try:
        rows = [run_signkit(services, "csc", pairs_in(folder, args.files, "csc")),
                run_signkit(services, "smartca", pairs_in(folder, args.files, "smartca")),
                run_pyhanko_loop(services, pairs_in(folder, args.files, "pyhanko"))]
        for name in ("csc", "smartca", "pyhanko"):
            check_sample(sorted((folder / name).glob("*.pdf")), services.material.chain[-1])
    finally:
        services.stop()
        shutil.rmtree(folder, ignore_errors=True)
    loop = rows[-1]
    print(f"{args.files} documents, {args.latency * 1000:.0f} ms per request (server side)")
    print(f"{'way':44} {'seconds':>8} {'docs/s':>8} {'round trips':>12} {'approvals':>10}")
    for row in rows:
        row["docs_per_second"] = row["files"] / row["seconds"]
        print(f"{row['way']:44} {row['seconds']:8.2f} {row['docs_per_second']:8.1f} "
              f"{row['round_trips']:12d} {row['approvals']:10d}")
    for row in rows[:2]:
        row["fewer_round_trips"] = loop["round_trips"] / row["round_trips"]
        row["speed_up"] = row["docs_per_second"] / loop["docs_per_second"]
        print(f"{row['way']}: {row['fewer_round_trips']:.0f}x fewer round trips, "
              f"{row['speed_up']:.1f}x the documents per second of the pyHanko loop "
              "(targets: 50x, 20x)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
