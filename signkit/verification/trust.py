"""What a verification run trusts and may fetch: anchors, intermediates, CRLs, fetchers.

Built once per run (per worker process): the fetchers are shared by every document, so a CRL
is downloaded once per URL and an OCSP answer once per certificate for the whole batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY
from pyhanko.sign.validation.policy_decl import (
    CertificateFetchingRule,
    LocalKnowledge,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.fetchers.api import FetcherBackend, Fetchers
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager
from pyhanko_certvalidator.revinfo.archival import CRLContainer

from ..certs import installed_certificates, load_certificates, load_crl
from ..profiles import Profile
from .http_fetchers import StdlibFetcherBackend
from .options import VerifyOptions


def _installed(profile: Profile, role: str) -> list[asn1_x509.Certificate]:
    return [c for _, certs in installed_certificates(profile, role) for c in certs]


@dataclass
class TrustSetup:
    profile: Profile
    options: VerifyOptions
    anchors: list[asn1_x509.Certificate]
    intermediates: list[asn1_x509.Certificate]
    crls: list[asn1_crl.CertificateList]
    fetchers: Fetchers | None
    fetcher_backend: FetcherBackend | None = None  # owns the HTTP session; closed by aclose
    _ades_spec: PdfSignatureValidationSpec | None = field(default=None, repr=False)
    _trust_manager: SimpleTrustManager | None = field(default=None, repr=False)

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
            backend = StdlibFetcherBackend(per_request_timeout=options.revocation_timeout)
            fetchers = backend.get_fetchers()
        return cls(profile, options, anchors, intermediates, crls, fetchers, backend)

    async def aclose(self) -> None:
        if self.fetcher_backend is not None:
            await self.fetcher_backend.close()

    @property
    def revocation_mode(self) -> str:
        """pyHanko's revocation mode. "soft-fail" forgives an unreachable server; offline
        there is no server, so a certificate that names an OCSP responder or CRL must have
        revocation data in the document or a --crl file ("hard-fail")."""
        if self.profile.policy.revocation == "require":
            return "require"
        return "hard-fail" if self.options.offline else "soft-fail"

    def context(
        self,
        at: dt.datetime,
        *,
        fetch: bool = True,
        revocation_mode: str | None = None,
        embedded_certs: Iterable[asn1_x509.Certificate] = (),
        embedded_crls: Iterable = (),
        embedded_ocsps: Iterable = (),
    ) -> ValidationContext:
        """A fresh validation context per document (pyHanko's contexts keep per-document
        state); the fetchers, and so their caches, are shared."""
        mode = revocation_mode or self.revocation_mode
        return ValidationContext(
            trust_manager=self.trust_manager,
            other_certs=[*self.intermediates, *embedded_certs],
            crls=[*self.crls, *embedded_crls],
            ocsps=list(embedded_ocsps),
            moment=at,
            allow_fetching=fetch and self.fetchers is not None,
            fetchers=self.fetchers if fetch else None,
            revocation_mode=mode,
        )

    @property
    def trust_manager(self) -> SimpleTrustManager:
        """The anchors as pyHanko holds them, built once per run (it keeps no state of a
        document's; building it for every document cost about 5% of verifying one)."""
        if self._trust_manager is None:
            self._trust_manager = SimpleTrustManager.build(trust_roots=list(self.anchors))
        return self._trust_manager

    def ades_spec(self, key_usage: KeyUsageConstraints) -> PdfSignatureValidationSpec:
        """pyHanko's ETSI EN 319 102-1 settings with the same anchors, intermediates, local CRLs,
        revocation mode and (shared, cached) fetchers; built once per run."""
        if self._ades_spec is None:
            policy = CertValidationPolicySpec(
                trust_manager=self.trust_manager,
                revinfo_policy=CertRevTrustPolicy(
                    RevocationCheckingPolicy.from_legacy(self.revocation_mode)),
            )
            if self.fetchers is None:
                gathering = RevocationInfoGatheringSpec(
                    RevinfoOnlineFetchingRule.LOCAL_ONLY, fetcher_backend=_NoFetchers(),
                    certificate_fetching_rule=CertificateFetchingRule.NEVER_FETCH)
            else:
                gathering = RevocationInfoGatheringSpec(
                    RevinfoOnlineFetchingRule.ALWAYS_FETCH,
                    fetcher_backend=_SharedFetchers(self.fetchers))
            self._ades_spec = PdfSignatureValidationSpec(
                SignatureValidationSpec(
                    cert_validation_policy=policy,
                    revinfo_gathering_policy=gathering,
                    local_knowledge=LocalKnowledge(
                        known_crls=[CRLContainer(c) for c in self.crls],
                        known_certs=list(self.intermediates)),
                    key_usage_settings=key_usage,
                ),
                diff_policy=DEFAULT_DIFF_POLICY,
            )
        return self._ades_spec


class _SharedFetchers(FetcherBackend):
    """The run's fetchers for pyHanko's AdES machinery: one cache per batch, closed by the
    run (``TrustSetup.aclose``), never by a single validation."""

    def __init__(self, fetchers: Fetchers):
        self._fetchers = fetchers

    def get_fetchers(self) -> Fetchers:
        return self._fetchers

    async def close(self) -> None:
        pass


class _NoFetchers(FetcherBackend):
    """Offline: stops pyHanko from provisioning an HTTP backend of its own."""

    def get_fetchers(self) -> Fetchers:
        raise RuntimeError("offline validation must not fetch")

    async def close(self) -> None:
        pass
