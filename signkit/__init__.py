"""signkit: digital signatures on PDF office documents.

The public API::

    import signkit

    with signkit.open_token(pin="1234") as key:            # a PKCS#11 token (USB)
        result = signkit.sign_pdf("in.pdf", "in-signed.pdf", key=key)

Visible signatures (Decree 30/2020 presets, placement by anchor text, the seal workflow):
``signkit.appearance`` (``Appearance``, ``Placement``) in ``SignOptions(appearance=...,
placement=...)``, and ``sign_pdf(..., seal_key=..., seal_options=...)``.

    with signkit.open_pkcs12("signer.p12", password="secret") as key:
        outcome = signkit.sign_many([(Path("a.pdf"), Path("out/a.pdf"))], key=key)
"""

from .errors import (
    AppearanceError,
    CertificateUnusableError,
    InputError,
    KeyAmbiguousError,
    KeyNotFoundError,
    MechanismUnsupportedError,
    OutputExistsError,
    PinError,
    PinFinalTryError,
    PinIncorrectError,
    PinLockedError,
    PinRequiredError,
    Pkcs11ModuleLoadError,
    Pkcs11ModuleNotFoundError,
    Pkcs12Error,
    PlacementError,
    ProfileError,
    RevocationFetchError,
    SigningError,
    SignkitError,
    TimestampError,
    TokenAmbiguousError,
    TokenError,
    TokenNotFoundError,
    TokenRemovedError,
)
from .profiles import Profile, available_profiles, load_profile
from .report import (
    BatchReport,
    Coverage,
    FileReport,
    Indication,
    Modifications,
    SignatureReport,
    SubIndication,
)
from .tokens import (
    CertificateFacts,
    KeyInfo,
    KeyType,
    PinState,
    Pkcs11Module,
    RsaPadding,
    SigningKey,
    TokenInfo,
    list_tokens,
    open_pkcs12,
    open_token,
)

__version__ = "0.1.0"

# The PDF layers (pyHanko) load on first use, so that `import signkit.tokens` and the CLI's
# quick commands stay light (PEP 562).
_SIGNING_NAMES = frozenset({
    "BatchOutcome",
    "DocumentSigner",
    "PadesLevel",
    "SignOptions",
    "SignResult",
    "SignStatus",
    "TsaAuth",
    "collect_pdfs",
    "plan_outputs",
    "sign_many",
    "sign_pdf",
})
_VERIFICATION_NAMES = frozenset({"Verifier", "VerifyOptions", "verify_pdf"})


def __getattr__(name: str):
    if name in _SIGNING_NAMES:
        from . import signing

        return getattr(signing, name)
    if name in _VERIFICATION_NAMES:
        from . import verification

        return getattr(verification, name)
    if name in ("verify_many", "iter_verify"):
        from . import batch

        return getattr(batch, name)
    raise AttributeError(f"module 'signkit' has no attribute {name!r}")


def enable_fast_pdf_parsing() -> None:
    """Speed up verifying batches: make pyHanko read hex strings (a signature's /Contents:
    tens of thousands of digits) in one pass instead of one byte at a time, and make
    asn1crypto remember its comparisons of distinguished names (RFC 5280 string
    preparation, repeated dozens of times per signature). Together they were about two
    thirds of the time of verifying a batch of signed files. Call it once, at start-up;
    the ``signkit`` command does.

    It replaces ``pyhanko.pdf_utils.generic.read_hex_string_from_stream`` and
    ``asn1crypto.x509.Name.__eq__``/``hashable`` for the whole process (pyHanko looks its hex
    reader up as a module global, and names are asn1crypto's class, so neither can be given
    to signkit alone), which is why signkit never calls it by itself. It is safe for every
    other user of pyHanko and asn1crypto in the process: for the same input the new reader
    gives the same object and stream position, or raises the same error, and hands anything
    unusual (a comment inside a string) to pyHanko's own reader; a name comparison gives
    asn1crypto's own answer, computed once per pair of encodings. ``verify_many``'s worker
    processes inherit it. Idempotent.

    >>> import signkit
    >>> signkit.enable_fast_pdf_parsing()
    """
    from ._pdf_speedups import install

    install()


def __dir__() -> list[str]:
    return sorted(__all__)

__all__ = [
    "AppearanceError",
    "BatchOutcome",
    "BatchReport",
    "Coverage",
    "FileReport",
    "Indication",
    "Modifications",
    "SignatureReport",
    "SubIndication",
    "CertificateFacts",
    "CertificateUnusableError",
    "DocumentSigner",
    "InputError",
    "KeyAmbiguousError",
    "KeyInfo",
    "KeyNotFoundError",
    "KeyType",
    "MechanismUnsupportedError",
    "OutputExistsError",
    "PadesLevel",
    "PinError",
    "PinFinalTryError",
    "PinIncorrectError",
    "PinLockedError",
    "PinRequiredError",
    "PinState",
    "Pkcs11Module",
    "Pkcs11ModuleLoadError",
    "Pkcs11ModuleNotFoundError",
    "Pkcs12Error",
    "PlacementError",
    "Profile",
    "ProfileError",
    "RevocationFetchError",
    "RsaPadding",
    "SignOptions",
    "SignResult",
    "SignStatus",
    "SigningError",
    "SigningKey",
    "SignkitError",
    "TimestampError",
    "TokenAmbiguousError",
    "TokenError",
    "TokenInfo",
    "TokenNotFoundError",
    "TokenRemovedError",
    "TsaAuth",
    "Verifier",
    "VerifyOptions",
    "__version__",
    "available_profiles",
    "collect_pdfs",
    "enable_fast_pdf_parsing",
    "iter_verify",
    "list_tokens",
    "load_profile",
    "open_pkcs12",
    "open_token",
    "plan_outputs",
    "sign_many",
    "sign_pdf",
    "verify_many",
    "verify_pdf",
]
