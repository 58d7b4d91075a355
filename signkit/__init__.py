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

Remote keys (CSC API v2, VNPT SmartCA; one approval per batch): ``signkit.open_remote``.
"""

import importlib as _importlib
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

if _TYPE_CHECKING:
    from pathlib import Path as _Path

    from .batch import iter_verify, verify_many
    from .errors import (
        AppearanceError,
        CertificateUnusableError,
        ChainUntrustedError,
        EncryptedInputError,
        InputError,
        KeyAmbiguousError,
        KeyNotFoundError,
        MechanismUnsupportedError,
        NoTsaError,
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
        RemoteSignatureError,
        RemoteSigningError,
        RevocationFetchError,
        SigningError,
        SignkitError,
        TimestampError,
        TimestampUntrustedError,
        TokenAmbiguousError,
        TokenError,
        TokenNotFoundError,
        TokenRemovedError,
    )
    from .profiles import Profile, available_profiles, load_profile
    from .remote import open_remote
    from .report import (
        BatchReport,
        Coverage,
        FileReport,
        Indication,
        Modifications,
        SignatureReport,
        SubIndication,
    )
    from .signing import (
        BatchOutcome,
        DocumentSigner,
        PadesLevel,
        SignOptions,
        SignResult,
        SignStatus,
        TsaAuth,
        collect_pdfs,
        plan_outputs,
        sign_many,
        sign_pdf,
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
    from .verification import Verifier, VerifyOptions, verify_pdf

__version__ = "0.1.0"

# Every public name loads its module on first use (PEP 562). `import signkit` costs next
# to nothing, so the `signkit` command can start hashing a large input before the heavy
# imports (cryptography, pyHanko) run, and `import signkit.tokens` stays free of pyHanko.
_PUBLIC_NAMES_BY_MODULE = {
    "errors": (
        "AppearanceError", "CertificateUnusableError", "ChainUntrustedError",
        "EncryptedInputError", "InputError", "KeyAmbiguousError", "KeyNotFoundError",
        "MechanismUnsupportedError", "NoTsaError", "OutputExistsError", "PinError",
        "PinFinalTryError", "PinIncorrectError", "PinLockedError", "PinRequiredError",
        "Pkcs11ModuleLoadError", "Pkcs11ModuleNotFoundError", "Pkcs12Error", "PlacementError",
        "ProfileError", "RemoteSignatureError", "RemoteSigningError", "RevocationFetchError",
        "SigningError", "SignkitError", "TimestampError", "TimestampUntrustedError",
        "TokenAmbiguousError", "TokenError", "TokenNotFoundError", "TokenRemovedError",
    ),
    "profiles": ("Profile", "available_profiles", "load_profile"),
    "remote": ("open_remote",),
    "report": (
        "BatchReport", "Coverage", "FileReport", "Indication", "Modifications",
        "SignatureReport", "SubIndication",
    ),
    "tokens": (
        "CertificateFacts", "KeyInfo", "KeyType", "PinState", "Pkcs11Module", "RsaPadding",
        "SigningKey", "TokenInfo", "list_tokens", "open_pkcs12", "open_token",
    ),
    "signing": (
        "BatchOutcome", "DocumentSigner", "PadesLevel", "SignOptions", "SignResult",
        "SignStatus", "TsaAuth", "collect_pdfs", "plan_outputs", "sign_many", "sign_pdf",
    ),
    "verification": ("Verifier", "VerifyOptions", "verify_pdf"),
    "batch": ("iter_verify", "verify_many"),
}
_LAZY = {name: module for module, names in _PUBLIC_NAMES_BY_MODULE.items()
         for name in names}

def __getattr__(name: str) -> _Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'signkit' has no attribute {name!r}")
    value = getattr(_importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


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


async def async_sign_pdf(
    input: "str | _Path",
    output: "str | _Path",
    *,
    key: "SigningKey",
    options: "SignOptions | None" = None,
    overwrite: bool = False,
    seal_key: "SigningKey | None" = None,
    seal_options: "SignOptions | None" = None,
) -> "SignResult":
    """``sign_pdf`` for code that runs in an event loop (a web server): awaitable, and the
    loop goes on serving while the document is signed (in a worker thread, with signkit's
    own event loop for the TSA and OCSP requests). One call at a time per key::

        async def handler(request):
            result = await signkit.async_sign_pdf("in.pdf", "out.pdf", key=key)
    """
    import asyncio

    from .signing import sign_pdf

    return await asyncio.to_thread(
        sign_pdf, input, output, key=key, options=options, overwrite=overwrite,
        seal_key=seal_key, seal_options=seal_options)


async def async_verify_pdf(path: "str | _Path", *, options: "VerifyOptions | None" = None
                           ) -> "FileReport":
    """``verify_pdf`` for code that runs in an event loop: awaitable, the loop goes on
    while the file is verified (in a worker thread)::

        report = await signkit.async_verify_pdf("in.pdf", options=VerifyOptions(profile="vn"))
    """
    import asyncio

    from .verification import verify_pdf

    return await asyncio.to_thread(verify_pdf, path, options=options)


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
    "ChainUntrustedError",
    "DocumentSigner",
    "EncryptedInputError",
    "InputError",
    "KeyAmbiguousError",
    "KeyInfo",
    "KeyNotFoundError",
    "KeyType",
    "MechanismUnsupportedError",
    "NoTsaError",
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
    "RemoteSignatureError",
    "RemoteSigningError",
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
    "TimestampUntrustedError",
    "TokenAmbiguousError",
    "TokenError",
    "TokenInfo",
    "TokenNotFoundError",
    "TokenRemovedError",
    "TsaAuth",
    "Verifier",
    "VerifyOptions",
    "__version__",
    "async_sign_pdf",
    "async_verify_pdf",
    "available_profiles",
    "collect_pdfs",
    "enable_fast_pdf_parsing",
    "iter_verify",
    "list_tokens",
    "load_profile",
    "open_pkcs12",
    "open_remote",
    "open_token",
    "plan_outputs",
    "sign_many",
    "sign_pdf",
    "verify_many",
    "verify_pdf",
]
