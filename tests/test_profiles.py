"""Profiles: built-in TOML shipped as package data, validation errors naming file and key,
and the Vietnamese trust pins matching the real national anchors."""

from __future__ import annotations

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
