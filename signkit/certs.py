"""Certificate and CRL files: reading them, and the anchors an administrator installed for a
profile (each checked against the profile's pins: a swapped file is refused, never trusted).

Shared by signing (chains for B-LT/B-LTA, the TSA check), verification and the archive
commands; needs asn1crypto only.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509

from .error_messages import said
from .errors import ProfileError
from .profiles import Profile, anchor_dir


def load_certificates(path: Path) -> list[asn1_x509.Certificate]:
    """Every certificate in a PEM or DER file."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ProfileError(said("profile.certificate_unreadable", path=str(path),
                                detail=e.strerror)) from None
    try:
        if pem.detect(data):
            return [asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(data, True)]
        return [asn1_x509.Certificate.load(data)]
    except ValueError as e:
        raise ProfileError(said("profile.not_certificate", path=str(path), detail=str(e))) from None


def load_crl(path: Path) -> asn1_crl.CertificateList:
    try:
        data = path.read_bytes()
        if pem.detect(data):
            _, _, data = pem.unarmor(data)
        return asn1_crl.CertificateList.load(data)
    except (OSError, ValueError) as e:
        raise ProfileError(said("profile.not_crl", path=str(path), detail=str(e))) from None


def installed_certificates(profile: Profile, role: str = "root"
                           ) -> list[tuple[Path, list[asn1_x509.Certificate]]]:
    """Files an administrator installed for ``profile`` (anchors in its folder,
    intermediates in ``intermediates/``) with their certificates; every certificate must
    match a pin of that role, else ``ProfileError``."""
    folder = anchor_dir(profile)
    if role == "intermediate":
        folder = folder / "intermediates"
    if not folder.is_dir():
        return []
    pins = {p.sha256 for p in profile.pins if p.role == role}
    found = []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        certs = load_certificates(path)
        for cert in certs:
            fingerprint = hashlib.sha256(cert.dump()).hexdigest().upper()
            if pins and fingerprint not in pins:
                raise ProfileError(said("profile.unpinned", role=role, path=str(path),
                                        fingerprint=fingerprint, profile=profile.name))
        found.append((path, certs))
    return found


def profile_anchor_files(profile: Profile) -> tuple[Path, ...]:
    """The profile's own anchor files and the pinned ones installed for it."""
    installed = [path for path, _ in installed_certificates(profile)]
    return tuple(dict.fromkeys([*profile.anchors, *installed]))
