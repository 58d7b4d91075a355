"""What a verification run trusts and may fetch: anchors, intermediates, CRLs, fetchers.

Built once per run (per worker process): the fetchers are shared by every document, so a CRL
is downloaded once per URL and an OCSP answer once per certificate for the whole batch.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.api import Fetchers

from ..errors import ProfileError
from ..profiles import Profile, anchor_dir
from .options import VerifyOptions


def load_certificates(path: Path) -> list[asn1_x509.Certificate]:
    """Every certificate in a PEM or DER file."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ProfileError(f"cannot read certificate file {path}: {e.strerror}") from None
    try:
        if pem.detect(data):
            return [asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(data, True)]
        return [asn1_x509.Certificate.load(data)]
    except ValueError as e:
        raise ProfileError(f"{path} is not a certificate file ({e})") from None


def load_crl(path: Path) -> asn1_crl.CertificateList:
    try:
        data = path.read_bytes()
        if pem.detect(data):
            _, _, data = pem.unarmor(data)
        return asn1_crl.CertificateList.load(data)
    except (OSError, ValueError) as e:
        raise ProfileError(f"{path} is not a readable CRL ({e})") from None


def _installed(profile: Profile, role: str) -> list[asn1_x509.Certificate]:
    """Certificates an administrator installed for the profile; each must match a pin of
    its role (anchors in the folder, intermediates in its ``intermediates/``)."""
    folder = anchor_dir(profile)
    if role == "intermediate":
        folder = folder / "intermediates"
    if not folder.is_dir():
        return []
    pins = {p.sha256 for p in profile.pins if p.role == role}
    found = []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        for cert in load_certificates(path):
            fingerprint = hashlib.sha256(cert.dump()).hexdigest().upper()
            if pins and fingerprint not in pins:
                raise ProfileError(
                    f"{role} {path} (SHA-256 {fingerprint}) matches no pin of profile "
                    f"{profile.name!r}; refusing to trust it"
                )
            found.append(cert)
    return found


@dataclass
class TrustSetup:
    profile: Profile
    options: VerifyOptions
    anchors: list[asn1_x509.Certificate]
    intermediates: list[asn1_x509.Certificate]
    crls: list[asn1_crl.CertificateList]
    fetchers: Fetchers | None
    fetcher_backend: object | None = None  # owns the HTTP session; closed by ``aclose``

    @classmethod
    def build(cls, profile: Profile, options: VerifyOptions) -> TrustSetup:
        anchors = [c for p in profile.anchors for c in load_certificates(p)]
        anchors += _installed(profile, "root")
        anchors += [c for p in options.trust for c in load_certificates(p)]
        intermediates = [c for p in (*profile.intermediates, *options.other_certs)
                         for c in load_certificates(p)]
        intermediates += _installed(profile, "intermediate")
        crls = [load_crl(p) for p in options.crls]
        fetchers = backend = None
        if not options.offline:
            from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

            backend = AIOHttpFetcherBackend(per_request_timeout=options.revocation_timeout)
            fetchers = backend.get_fetchers()
        return cls(profile, options, anchors, intermediates, crls, fetchers, backend)

    async def aclose(self) -> None:
        if self.fetcher_backend is not None:
            await self.fetcher_backend.close()

    def context(
        self,
        at: dt.datetime,
        *,
        fetch: bool = True,
        embedded_certs: Iterable[asn1_x509.Certificate] = (),
        embedded_crls: Iterable = (),
        embedded_ocsps: Iterable = (),
    ) -> ValidationContext:
        """A fresh validation context per document (pyHanko's contexts keep per-document
        state); the fetchers, and so their caches, are shared."""
        mode = "require" if self.profile.policy.revocation == "require" else "soft-fail"
        return ValidationContext(
            trust_roots=list(self.anchors),
            other_certs=[*self.intermediates, *embedded_certs],
            crls=[*self.crls, *embedded_crls],
            ocsps=list(embedded_ocsps),
            moment=at,
            allow_fetching=fetch and self.fetchers is not None,
            fetchers=self.fetchers if fetch else None,
            revocation_mode=mode,
        )
