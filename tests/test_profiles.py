"""Profiles: built-in TOML shipped as package data, validation errors naming file and key,
and the Vietnamese trust pins matching the real national anchors."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from signkit import ProfileError, RsaPadding, available_profiles, load_profile

SHARED_VN = Path(__file__).resolve().parents[2] / "shared" / "ca" / "vn"


def test_builtin_profiles_load_with_their_policy():
    assert {"default", "demo", "vn"} <= set(available_profiles())
    vn = load_profile("vn")
    assert vn.policy.min_rsa_bits == 2048
    assert vn.policy.revocation == "require"
    assert vn.rsa_padding is RsaPadding.PKCS1V15
    assert "sha1" not in vn.policy.digests
    assert "Việt Nam" in vn.description("vi")


@pytest.mark.skipif(not SHARED_VN.is_dir(), reason="shared/ca/vn is laid beside the repo")
def test_vn_pins_match_the_national_root_certificates():
    pins = {p.sha256 for p in load_profile("vn").pins}
    for name in ("rootcag2.pem", "vnrca256.pem"):
        cert = x509.load_pem_x509_certificate((SHARED_VN / name).read_bytes())
        assert hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest().upper() in pins


def _profile_file(tmp_path: Path, body: str) -> str:
    path = tmp_path / "office.toml"
    path.write_text(body, encoding="utf-8")
    return str(path)


def test_profile_file_by_path_is_loaded(tmp_path):
    body = 'name = "office"\n[signing]\ndigest = "sha384"\n'
    profile = load_profile(_profile_file(tmp_path, body))
    assert profile.name == "office" and profile.digest == "sha384"


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('name = "x"\n[signing]\ndigest = "md5"\n', "signing.digest"),
        ('name = "x"\n[policy]\nmin_rsa_bits = "big"\n', "policy.min_rsa_bits"),
        ('name = "x"\n[[trust.pins]]\nname = "r"\nsha256 = "zz"\n', "trust.pins[0].sha256"),
        ("[signing]\n", "name"),
    ],
)
def test_invalid_profile_error_names_file_and_key(tmp_path, body, key):
    path = _profile_file(tmp_path, body)
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert path in str(info.value) and key in str(info.value)


def test_broken_toml_is_a_profile_error(tmp_path):
    with pytest.raises(ProfileError, match="not valid TOML"):
        load_profile(_profile_file(tmp_path, "name = \n"))


def test_unknown_profile_lists_the_available_ones():
    with pytest.raises(ProfileError, match="available: .*vn"):
        load_profile("no-such-profile")


def test_user_profile_folder_is_searched(tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNKIT_PROFILE_DIR", str(tmp_path))
    (tmp_path / "so-tttt.toml").write_text('name = "so-tttt"\n', encoding="utf-8")
    load_profile.cache_clear()
    assert load_profile("so-tttt").name == "so-tttt"
    assert "so-tttt" in available_profiles()


@pytest.mark.skipif(not SHARED_VN.is_dir(), reason="shared/ca/vn is laid beside the repo")
def test_installing_vn_anchors_keeps_only_pinned_certificates(tmp_path, monkeypatch):
    from signkit.profiles import install_anchors

    monkeypatch.setenv("SIGNKIT_ANCHOR_DIR", str(tmp_path / "anchors"))
    impostor = tmp_path / "impostor.pem"
    impostor.write_bytes((SHARED_VN / "vnrca256.pem").read_bytes().replace(b"MII", b"MIJ", 1))
    sources = sorted(SHARED_VN.glob("*.pem")) + [SHARED_VN / "README.md", impostor]
    result = install_anchors(load_profile("vn"), sources)
    assert {pin.name for pin, _ in result.installed} == {
        "RootCA chuyên dùng Chính phủ G2", "Vietnam National Root CA",
        "CA phục vụ các cơ quan Nhà nước G2", "VNPT-CA SHA2"}
    assert not result.missing
    refused = dict(result.refused)
    assert refused[SHARED_VN / "README.md"] == "not a certificate"
    assert impostor in refused
    roots = sorted(p.name for p in (tmp_path / "anchors" / "vn").glob("*.pem"))
    assert len(roots) == 2 and len(list((tmp_path / "anchors" / "vn" / "intermediates")
                                       .glob("*.pem"))) == 2


@pytest.mark.skipif(not SHARED_VN.is_dir(), reason="shared/ca/vn is laid beside the repo")
def test_chain_of_a_vietnamese_public_ca_ends_at_the_installed_national_root(
    tmp_path, monkeypatch
):
    import asyncio

    from pyhanko_certvalidator import CertificateValidator, ValidationContext

    from signkit.certs import load_certificates
    from signkit.profiles import install_anchors
    from signkit.verification import VerifyOptions
    from signkit.verification.trust import TrustSetup

    monkeypatch.setenv("SIGNKIT_ANCHOR_DIR", str(tmp_path / "anchors"))
    install_anchors(load_profile("vn"), sorted(SHARED_VN.glob("*.pem")))
    setup = TrustSetup.build(load_profile("vn"), VerifyOptions(offline=True))
    assert len(setup.anchors) == 2 and len(setup.intermediates) == 2
    vnpt = load_certificates(SHARED_VN / "vnpt-ca-sha2.pem")[0]
    # path building only: revocation of a real CA cannot be fetched from a test
    context = ValidationContext(trust_roots=setup.anchors, other_certs=setup.intermediates,
                                moment=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    validator = CertificateValidator(vnpt, validation_context=context)
    path = asyncio.run(validator.async_validate_path())
    assert path.trust_anchor.authority.name.native["common_name"] == "Vietnam National Root CA"


def test_a_planted_anchor_that_matches_no_pin_is_refused(tmp_path, monkeypatch):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from signkit.verification import VerifyOptions
    from signkit.verification.trust import TrustSetup

    monkeypatch.setenv("SIGNKIT_ANCHOR_DIR", str(tmp_path))
    (tmp_path / "vn").mkdir()
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Vietnam National Root CA")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    (tmp_path / "vn" / "fake-root.pem").write_bytes(cert.public_bytes(Encoding.PEM))
    with pytest.raises(ProfileError, match="matches no pin"):
        TrustSetup.build(load_profile("vn"), VerifyOptions(offline=True))
