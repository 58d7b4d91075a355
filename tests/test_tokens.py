"""The token layer against a real SoftHSM2 through PyKCS11, and PKCS#12 files: listing,
key selection, module discovery, PIN states, signing mechanisms (each signature checked
with ``cryptography`` against the certificate), certificate checks, token removal."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import PyKCS11
import pytest
from conftest import (
    CKF_USER_PIN_FINAL_TRY,
    CKF_USER_PIN_LOCKED,
    SAMPLE_PDFS,
    USER_PIN,
)
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.x509.oid import NameOID

import signkit
from signkit.errors import (
    CertificateUnusableError,
    KeyAmbiguousError,
    KeyNotFoundError,
    MechanismUnsupportedError,
    PinFinalTryError,
    PinIncorrectError,
    PinLockedError,
    PinRequiredError,
    Pkcs11ModuleNotFoundError,
    Pkcs12Error,
    TokenAmbiguousError,
    TokenError,
    TokenNotFoundError,
)
from signkit.tokens import (
    WELL_KNOWN_MODULES,
    KeyType,
    Pkcs11Module,
    RsaPadding,
    list_tokens,
    module_candidates,
    open_pkcs12,
    open_token,
)
from signkit.tokens.mechanisms import plan_signature

SESSION_TOKENS = ("rsa2048", "rsa3072", "ec256", "two-keys")
HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}
DATA = "Quyết định số 123/QĐ-UBND — nội dung cần ký".encode()
MISSING_MODULE = "/nonexistent/signkit-test/libnotoken.so"


def verify(cert: x509.Certificate, signature: bytes, data: bytes, digest: str,
           padding: RsaPadding = RsaPadding.PKCS1V15) -> None:
    """Raise InvalidSignature unless ``signature`` over ``data`` verifies with the cert's key."""
    algorithm = HASHES[digest]()
    public = cert.public_key()
    if isinstance(public, ec.EllipticCurvePublicKey):
        public.verify(signature, data, ec.ECDSA(algorithm))
    elif padding is RsaPadding.PSS:
        pss = asym_padding.PSS(asym_padding.MGF1(algorithm), algorithm.digest_size)
        public.verify(signature, data, pss, algorithm)
    else:
        public.verify(signature, data, asym_padding.PKCS1v15(), algorithm)


def common_name(cert: x509.Certificate) -> str:
    return cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value


def opened(softhsm, token: str, **kw):
    kw.setdefault("pin", USER_PIN)
    return open_token(module=softhsm.module, token=token, **kw)


def mechanism_id(plan) -> int:
    return plan.mechanism.to_native().mechanism


class PinRecorder:
    """A PIN callable that records that it was asked."""

    def __init__(self, pin: str = USER_PIN):
        self.pin, self.calls = pin, 0

    def __call__(self) -> str:
        self.calls += 1
        return self.pin


# --- listing and selection ------------------------------------------------------------------

def test_list_tokens_reports_each_token_with_identity_and_pin_flags(softhsm):
    listed = list_tokens(softhsm.module)
    assert [t.label for t in listed if not t.initialized] == [""]  # SoftHSM2's blank slot
    tokens = {t.label: t for t in listed if t.initialized}
    assert set(SESSION_TOKENS) <= set(tokens)
    # serials cross-checked against softhsm2-util, which reads the same token store
    shown = subprocess.run(["softhsm2-util", "--show-slots"], capture_output=True, text=True,
                           check=True).stdout
    serial_of = dict(zip(re.findall(r"Label:[ \t]*(\S*)", shown),
                         re.findall(r"Serial number:[ \t]*(\S*)", shown), strict=True))
    for label in SESSION_TOKENS:
        info = tokens[label]
        assert info.manufacturer == "SoftHSM project" and info.model == "SoftHSM v2"
        assert info.serial == serial_of[label]
        assert info.module == softhsm.module
        assert info.pin.login_required and not info.pin.pin_locked
        assert not info.pin.pin_final_try


def test_only_key_is_chosen_when_no_key_label_is_given(softhsm, pki):
    with opened(softhsm, "rsa2048") as key:
        assert key.label == "an"
        assert key.certificate == pki.cert("signer-rsa2048")
        assert key.token.label == "rsa2048"


def test_two_keys_without_a_choice_raise_key_ambiguous_listing_both(softhsm):
    with pytest.raises(KeyAmbiguousError) as info, opened(softhsm, "two-keys"):
        pass
    candidates = info.value.candidates
    assert len(candidates) == 2
    assert any("'an'" in c and "Nguyễn Văn An" in c for c in candidates)
    assert any("'dung'" in c and "Phạm Thị Dung" in c for c in candidates)


@pytest.mark.parametrize("choice", [{"key_label": "dung"}, {"key_id": "02"}])
def test_key_label_or_id_selects_that_key(softhsm, choice):
    with opened(softhsm, "two-keys", **choice) as key:
        assert common_name(key.certificate) == "Phạm Thị Dung"
        verify(key.certificate, key.sign(DATA, digest="sha256"), DATA, "sha256")


def test_unknown_key_label_raises_key_not_found_listing_candidates(softhsm):
    with pytest.raises(KeyNotFoundError) as info, opened(softhsm, "two-keys", key_label="nobody"):
        pass
    assert "nobody" in str(info.value)
    assert len(info.value.candidates) == 2
    assert any("'dung'" in c for c in info.value.candidates)


def test_unknown_token_label_raises_token_not_found(softhsm):
    with pytest.raises(TokenNotFoundError) as info, opened(softhsm, "no-such-token"):
        pass
    assert "no-such-token" in str(info.value) and "rsa2048" in str(info.value)


def test_no_token_label_with_several_tokens_raises_token_ambiguous(softhsm):
    with pytest.raises(TokenAmbiguousError) as info, open_token(module=softhsm.module,
                                                                 pin=USER_PIN):
        pass
    named = {c.strip("'") for c in info.value.candidates}
    assert set(SESSION_TOKENS) <= named
    assert "" not in named  # SoftHSM2's blank slot is not offered


# --- module discovery -----------------------------------------------------------------------

def test_missing_explicit_module_is_named_in_the_error(softhsm):
    with pytest.raises(Pkcs11ModuleNotFoundError) as info, open_token(
        module=MISSING_MODULE, token="rsa2048", pin=USER_PIN
    ):
        pass
    assert info.value.paths_tried == (MISSING_MODULE,)
    assert MISSING_MODULE in str(info.value)


def test_missing_module_from_environment_is_named_in_the_error(softhsm, monkeypatch):
    monkeypatch.setenv("SIGNKIT_PKCS11_MODULE", MISSING_MODULE)
    with pytest.raises(Pkcs11ModuleNotFoundError) as info:
        list_tokens()
    assert info.value.paths_tried == (MISSING_MODULE,)
    assert MISSING_MODULE in str(info.value)


def test_module_from_environment_is_used_when_none_is_given(module_env):
    with open_token(token="rsa2048", pin=USER_PIN) as key:
        assert key.token.module == module_env
        verify(key.certificate, key.sign(DATA, digest="sha256"), DATA, "sha256")


def test_module_candidates_order_explicit_then_env_then_hint_then_well_known(monkeypatch):
    monkeypatch.delenv("SIGNKIT_PKCS11_MODULE", raising=False)
    hint = "/opt/vendor/libhint.so"
    assert module_candidates(None, hint) == [hint, *WELL_KNOWN_MODULES]
    assert module_candidates(None, WELL_KNOWN_MODULES[3])[0] == WELL_KNOWN_MODULES[3]
    assert len(module_candidates(None, WELL_KNOWN_MODULES[3])) == len(WELL_KNOWN_MODULES)
    monkeypatch.setenv("SIGNKIT_PKCS11_MODULE", "/env/libenv.so")
    assert module_candidates(None, hint) == ["/env/libenv.so"]
    assert module_candidates("/cli/libexplicit.so", hint) == ["/cli/libexplicit.so"]


def test_discovery_skips_a_missing_profile_hint_for_an_installed_module(softhsm, monkeypatch):
    monkeypatch.delenv("SIGNKIT_PKCS11_MODULE", raising=False)
    with Pkcs11Module.discover(profile_hint=MISSING_MODULE) as module:
        assert module.path == softhsm.module
        assert "rsa2048" in {t.label for t in module.tokens()}


# --- PIN states -----------------------------------------------------------------------------

def test_wrong_pin_raises_without_leaking_it_and_right_pin_still_works(softhsm, pki):
    label = softhsm.make_token("wrong-pin", {"an": "signer-rsa2048"})
    wrong = "97531864"
    with pytest.raises(PinIncorrectError) as info, opened(softhsm, label, pin=wrong):
        pass
    error = info.value
    assert "pin_count_low" in error.flags
    assert error.rv == PyKCS11.CKR_PIN_INCORRECT
    assert wrong not in str(error) and wrong not in repr(error.args)
    with Pkcs11Module(softhsm.module) as module:
        token = module.find_token(label)
        assert token.pin.pin_count_low  # SoftHSM2 remembers the failed attempt
        with module.login(token, pin=USER_PIN) as session:
            key = session.signing_key()
            verify(key.certificate, key.sign(DATA, digest="sha256"), DATA, "sha256")
        assert not module.find_token(label).pin.pin_count_low


def test_locked_pin_is_refused_before_any_login_attempt(softhsm):
    label = softhsm.make_token("pin-locked", {"an": "signer-rsa2048"},
                               add_flags=CKF_USER_PIN_LOCKED)
    pin = PinRecorder()
    with pytest.raises(PinLockedError) as info, opened(softhsm, label, pin=pin):
        pass
    assert pin.calls == 0
    assert "pin_locked" in info.value.flags and info.value.token_label == label


def test_final_try_needs_confirmation_then_the_right_pin_signs(softhsm):
    label = softhsm.make_token("pin-final-try", {"an": "signer-rsa2048"},
                               add_flags=CKF_USER_PIN_FINAL_TRY)
    pin = PinRecorder()
    with pytest.raises(PinFinalTryError) as info, opened(softhsm, label, pin=pin):
        pass
    assert pin.calls == 0 and "pin_final_try" in info.value.flags
    with opened(softhsm, label, pin=pin, confirm_final_try=True) as key:
        verify(key.certificate, key.sign(DATA, digest="sha256"), DATA, "sha256")
    assert pin.calls == 1


def test_missing_pin_on_a_login_token_raises_pin_required(softhsm):
    with pytest.raises(PinRequiredError) as info, opened(softhsm, "rsa2048", pin=None):
        pass
    assert info.value.token_label == "rsa2048" and "login_required" in info.value.flags


# --- signing mechanisms ---------------------------------------------------------------------

@pytest.mark.parametrize(
    ("token", "digest", "padding"),
    [(t, d, RsaPadding.PKCS1V15) for t in ("rsa2048", "rsa3072")
     for d in ("sha256", "sha384", "sha512")]
    + [(t, d, RsaPadding.PSS) for t in ("rsa2048", "rsa3072") for d in ("sha256", "sha512")]
    + [("ec256", "sha256", RsaPadding.PKCS1V15), ("ec256", "sha384", RsaPadding.PKCS1V15)],
)
def test_token_signature_verifies_with_the_certificate(softhsm, token, digest, padding):
    with opened(softhsm, token) as key:
        signature = key.sign(DATA, digest=digest, padding=padding)
        verify(key.certificate, signature, DATA, digest, padding)
        if key.key_type is KeyType.RSA:
            assert len(signature) * 8 == key.key_size



@pytest.mark.parametrize("size", [0, 1, 64, 256, 4096])
def test_token_results_become_the_same_bytes_as_pykcs11_gives(size):
    """signkit reads a result's bytes from the C++ vector instead of PyKCS11's per-byte
    iterator: the same bytes for every length, the empty one included."""
    from signkit.tokens.pkcs11_key import _as_bytes

    data = bytes((i * 7 + 3) % 256 for i in range(size))
    values = PyKCS11.ckbytelist(data)
    assert _as_bytes(values) == bytes(values) == data

@pytest.mark.parametrize(
    ("token", "offered", "digest", "padding"),
    [
        ("rsa2048", "CKM_RSA_PKCS", "sha256", RsaPadding.PKCS1V15),
        ("rsa3072", "CKM_RSA_PKCS", "sha512", RsaPadding.PKCS1V15),
        ("rsa2048", "CKM_RSA_PKCS_PSS", "sha384", RsaPadding.PSS),
        ("ec256", "CKM_ECDSA", "sha256", RsaPadding.PKCS1V15),
    ],
)
def test_raw_mechanism_fallback_signs_on_the_token_and_verifies(
    softhsm, token, offered, digest, padding
):
    """A token offering only the raw mechanism: signkit hashes (and wraps a DigestInfo for
    PKCS#1 v1.5, converts r||s to DER for ECDSA) around the real token operation."""
    with opened(softhsm, token) as key:
        key.session.mechanisms = frozenset({offered})
        signature = key.sign(DATA, digest=digest, padding=padding)
        plan = key._plans[(digest, padding)]
        assert plan.prehash and mechanism_id(plan) == getattr(PyKCS11, offered)
        verify(key.certificate, signature, DATA, digest, padding)
        if offered == "CKM_ECDSA":
            assert plan.raw_ecdsa and signature[0] == 0x30  # DER SEQUENCE, not raw r||s


@pytest.mark.parametrize(
    ("offered", "key_type", "digest", "padding"),
    [
        (frozenset(), KeyType.RSA, "sha256", RsaPadding.PKCS1V15),
        (frozenset(), KeyType.EC, "sha256", RsaPadding.PKCS1V15),
        (frozenset({"CKM_RSA_PKCS", "CKM_SHA256_RSA_PKCS"}), KeyType.RSA, "sha256",
         RsaPadding.PSS),
        (frozenset({"CKM_RSA_PKCS"}), KeyType.EC, "sha256", RsaPadding.PKCS1V15),
        (frozenset({"CKM_SHA1_RSA_PKCS", "CKM_RSA_PKCS"}), KeyType.RSA, "sha1",
         RsaPadding.PKCS1V15),
    ],
)
def test_unsupported_mechanism_combinations_are_refused(offered, key_type, digest, padding):
    with pytest.raises(MechanismUnsupportedError):
        plan_signature(offered, key_type, digest, padding)


def test_token_without_a_suitable_mechanism_refuses_to_sign(softhsm):
    with opened(softhsm, "rsa2048") as key:
        key.session.mechanisms = frozenset({"CKM_SHA256_RSA_PKCS"})  # no PSS at all
        with pytest.raises(MechanismUnsupportedError):
            key.sign(DATA, digest="sha256", padding=RsaPadding.PSS)


def test_always_authenticate_key_signs_with_a_context_login(softhsm):
    label = softhsm.make_token("always-auth", {"an": "signer-rsa2048"}, always_authenticate=True)
    with opened(softhsm, label) as key:
        infos = key.session.keys()
        assert [k.always_authenticate for k in infos] == [True]
        # SoftHSM2 enforces the attribute: a plain C_SignInit/C_Sign is refused ...
        plan = plan_signature(key.session.mechanisms, KeyType.RSA, "sha256",
                              RsaPadding.PKCS1V15)
        with pytest.raises(PyKCS11.PyKCS11Error) as refused:
            key.session._session.sign(key._handle, DATA, plan.mechanism)
        assert refused.value.value == PyKCS11.CKR_USER_NOT_LOGGED_IN
        # ... while signkit's context-specific login path signs, twice in a row
        for digest in ("sha256", "sha384"):
            verify(key.certificate, key.sign(DATA, digest=digest), DATA, digest)


# --- certificates ---------------------------------------------------------------------------

def test_expired_certificate_is_refused_when_opening(softhsm):
    label = softhsm.make_token("cert-expired", {"em": "signer-expired"})
    with pytest.raises(CertificateUnusableError) as info, opened(softhsm, label):
        pass
    assert "expired" in str(info.value)


def test_certificate_without_signing_key_usage_is_refused_when_opening(softhsm):
    label = softhsm.make_token("cert-nousage", {"giang": "signer-nousage"})
    with pytest.raises(CertificateUnusableError) as info, opened(softhsm, label):
        pass
    assert "key usage" in str(info.value)


def test_session_keys_mark_which_keys_can_sign_and_why_not(softhsm, pki):
    label = softhsm.make_token(
        "cert-mixed", {"an": "signer-rsa2048", "em": "signer-expired", "giang": "signer-nousage"}
    )
    with Pkcs11Module(softhsm.module) as module, module.login(
        module.find_token(label), pin=USER_PIN
    ) as session:
        infos = session.keys()
        keys = {k.label: k for k in infos}
        assert set(keys) == {"an", "em", "giang"}
        assert keys["an"].can_sign and keys["an"].problem is None
        assert keys["an"].certificate.sha256 == pki.cert("signer-rsa2048").fingerprint(
            hashes.SHA256()).hex()
        assert not keys["em"].can_sign and "expired" in keys["em"].problem
        assert not keys["giang"].can_sign and "key usage" in keys["giang"].problem
        # without a choice, the one usable key is taken
        assert common_name(session.signing_key().certificate) == "Nguyễn Văn An"


# --- PKCS#12 --------------------------------------------------------------------------------

def test_pkcs12_opens_signs_and_carries_the_intermediate(pki):
    with open_pkcs12(pki.p12("signer-rsa2048"), password=b"p12-secret") as key:
        assert key.certificate == pki.cert("signer-rsa2048")
        assert pki.cert("interm") in key.chain
        for padding in RsaPadding:
            signature = key.sign(DATA, digest="sha384", padding=padding)
            verify(key.certificate, signature, DATA, "sha384", padding)


def test_pkcs12_with_wrong_password_raises_pkcs12_error(pki):
    with pytest.raises(Pkcs12Error), open_pkcs12(pki.p12("signer-rsa2048"), password=b"wrong"):
        pass


def test_file_that_is_not_pkcs12_raises_pkcs12_error(tmp_path):
    bogus = tmp_path / "not-a.p12"
    bogus.write_bytes(SAMPLE_PDFS[0].read_bytes()[:4096])
    with pytest.raises(Pkcs12Error) as info, open_pkcs12(bogus, password=b"p12-secret"):
        pass
    assert str(bogus) in str(info.value)


def test_pkcs12_with_expired_certificate_is_refused(pki):
    with pytest.raises(CertificateUnusableError) as info, open_pkcs12(
        pki.p12("signer-expired"), password=b"p12-secret"
    ):
        pass
    assert "expired" in str(info.value)


# --- token removed during a batch -----------------------------------------------------------

def test_token_removed_mid_batch_stops_it_and_skips_the_rest(softhsm, tmp_path: Path):
    """SoftHSM2 notices its token folder vanishing: the next C_Sign fails
    (CKR_OBJECT_HANDLE_INVALID), which reaches the batch as a TokenError."""
    label = softhsm.make_token("removed-mid-batch", {"an": "signer-rsa2048"})
    assert len(SAMPLE_PDFS) >= 3
    jobs = [(src, tmp_path / f"signed-{src.name}") for src in SAMPLE_PDFS]

    def pull_token_after_first(result, done, total):
        if done == 1:
            softhsm.remove_token(label)

    with opened(softhsm, label) as key:
        outcome = signkit.sign_many(jobs, key=key, on_progress=pull_token_after_first)
    statuses = [r.status for r in outcome.results]
    assert statuses == [signkit.SignStatus.SIGNED, signkit.SignStatus.FAILED,
                        *[signkit.SignStatus.SKIPPED] * (len(jobs) - 2)]
    assert outcome.token_failed and outcome.stopped
    assert label in outcome.results[1].error
    assert jobs[0][1].exists() and not any(dst.exists() for _, dst in jobs[1:])
    with pytest.raises(TokenError), opened(softhsm, label):
        pass
