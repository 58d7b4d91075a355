"""signkit's one exception hierarchy.

Every class carries a message a clerk can act on (``str(error)``) and the facts as
attributes, so integrators never parse strings::

    SignkitError
    ├── ProfileError                  a trust/policy profile is missing or invalid
    ├── TokenError                    key access (PKCS#11 or PKCS#12); .rv = PKCS#11 code
    │   ├── Pkcs11ModuleNotFoundError no PKCS#11 module at any path tried; .paths_tried
    │   ├── Pkcs11ModuleLoadError     the file is there but is no loadable PKCS#11 library
    │   ├── TokenNotFoundError        no token / no token with that label
    │   ├── TokenAmbiguousError       several tokens and none chosen
    │   ├── TokenRemovedError         the token went away during the run
    │   ├── PinError
    │   │   ├── PinIncorrectError     never retried automatically
    │   │   ├── PinLockedError        refused before any login attempt
    │   │   ├── PinFinalTryError      needs explicit confirmation
    │   │   └── PinRequiredError      token needs a PIN and none was given
    │   ├── KeyNotFoundError
    │   ├── KeyAmbiguousError
    │   ├── MechanismUnsupportedError
    │   ├── CertificateUnusableError  expired, not yet valid, no signing key usage
    │   ├── Pkcs12Error               unreadable file or wrong password
    │   └── RemoteSigningError        a remote signing service (CSC, SmartCA); .service
    │       ├── RemoteAuthError       client credentials, OAuth or service password refused
    │       ├── RemoteCredentialError no such credential, certificate revoked/expired, PIN/OTP
    │       ├── ApprovalRejectedError the signer refused on the phone
    │       ├── ApprovalTimeoutError  no approval in time, or the transaction expired
    │       └── RemoteServiceError    HTTP errors, garbage, a service clearly misbehaving
    └── SigningError                  one document could not be signed; .path
        ├── InputError                not a PDF, damaged, encrypted
        │   ├── EncryptedInputError   encrypted, and no password given
        │   ├── PlacementError        a visible signature cannot go where asked; .page
        │   └── AppearanceError       a visible signature cannot be drawn: unusable image or
        │                             font, text that does not fit its box; .file
        ├── OutputExistsError
        ├── RemoteSignatureError      a remote service's signature for this document was
        │                             missing, or not made with the credential's key
        ├── TimestampError            the TSA failed: unreachable, slow, HTTP error, garbage,
        │   │                         refused, wrong nonce/imprint; .url
        │   └── TimestampUntrustedError  its certificate chains to no trust anchor
        ├── NoTsaError                a timestamp is needed and no TSA was given
        ├── ChainUntrustedError       a signer's certificate chains to no trust anchor
        └── RevocationFetchError      OCSP/CRL data for B-LT could not be had; .urls

An invalid signature found while verifying is a result in a report, never an exception.
Messages state facts, never command-line options: the ``signkit`` command adds its own hints
(``--overwrite``, ``--pin-file``, ...) when it shows them. Every class has a stable
``code`` (``OutputExistsError.code == "output_exists"``), kept in per-file results
(``SignResult.error_code``) so that programs never compare messages.

Messages come from codes with parameters (``signkit.error_messages``): ``error.params`` are
the facts the message names, ``error.text("vi")`` the same message in Vietnamese, and
``str(error)`` its English text (a ``Message``, so ``SignResult.error`` keeps both).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from .error_messages import kind_of, said
from .report.messages import Message


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name.removesuffix("Error")).lower()


class SignkitError(Exception):
    """Base class: ``str(error)`` is a complete, user-facing sentence; ``code`` a stable
    identifier of the kind of error (the class name in snake case, without "Error")."""

    code: ClassVar[str] = "signkit"

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            cls.code = _snake(cls.__name__)

    _where: str = ""  # what the message is about (a file, a profile key), before it

    def __init__(self, message: str) -> None:
        self.reason = message
        self.message: str = _framed(self._where, message)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    @property
    def params(self) -> Mapping[str, Any]:
        """The facts the message names, by the names its templates give them."""
        return self.reason.params if isinstance(self.reason, Message) else {}

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` ("en" or "vi"). One that came as plain English (no code)
        is told by its kind in Vietnamese, the English kept as technical detail."""
        if isinstance(self.reason, Message):
            reason = self.reason.text(lang)
        elif lang == "en":
            return self.message
        else:
            reason = said("kind_with_detail", kind=kind_of(self.code),
                          detail=self.reason).text(lang)
        return f"{self._where}: {reason}" if self._where else reason


def _framed(where: str, reason: str) -> str:
    if not where:
        return reason
    if isinstance(reason, Message):
        return said("at_path", path=where, reason=reason)
    return f"{where}: {reason}"


class ProfileError(SignkitError):
    def __init__(self, message: str, *, file: str | None = None, key: str | None = None):
        self._where = ": ".join(p for p in (file, key) if p)
        super().__init__(message)
        self.file = file
        self.key = key


class TokenError(SignkitError):
    """A problem reaching or using a signing key. ``rv`` is the PKCS#11 return code."""

    def __init__(self, message: str, *, rv: int | None = None, token_label: str | None = None):
        super().__init__(message)
        self.rv = rv
        self.token_label = token_label


class Pkcs11ModuleNotFoundError(TokenError):
    """No module file at any path tried. ``explicit``: the one path the caller named (then
    the only one tried), else None (the well-known paths were searched)."""

    def __init__(self, paths_tried: Sequence[str], *, explicit: str | None = None):
        if explicit is not None:
            message = said("pkcs11_module_not_found.named", path=explicit)
        else:
            tried = ", ".join(paths_tried) if paths_tried else "(no candidate paths)"
            message = said("pkcs11_module_not_found.searched", tried=tried)
        super().__init__(message)
        self.paths_tried = tuple(paths_tried)
        self.explicit = explicit


class Pkcs11ModuleLoadError(TokenError):
    """``path`` exists but cannot be loaded as a PKCS#11 library (not a shared library, the
    wrong architecture, a missing dependency); ``detail`` is the loader's reason."""

    def __init__(self, path: str, detail: str):
        super().__init__(said("pkcs11_module_load.path", path=path, detail=detail))
        self.path = path
        self.detail = detail


class TokenNotFoundError(TokenError):
    pass


class TokenAmbiguousError(TokenError):
    def __init__(self, candidates: Sequence[str]):
        super().__init__(said("token_ambiguous.labels",
                              candidates=", ".join(repr(c) for c in candidates)))
        self.candidates = tuple(candidates)


class TokenRemovedError(TokenError):
    pass


class PinError(TokenError):
    def __init__(
        self,
        message: str,
        *,
        rv: int | None = None,
        token_label: str | None = None,
        flags: Sequence[str] = (),
    ):
        super().__init__(message, rv=rv, token_label=token_label)
        self.flags = tuple(flags)


class PinIncorrectError(PinError):
    pass


class PinLockedError(PinError):
    pass


class PinFinalTryError(PinError):
    pass


class PinRequiredError(PinError):
    pass


class KeyNotFoundError(TokenError):
    """No key matched. ``key_label``/``key_id``: what was asked for (None: any signing key);
    ``labels``: the labels of the private keys the token has; ``candidates``: those keys
    described."""

    def __init__(self, message: str, *, candidates: Sequence[str] = (),
                 key_label: str | None = None, key_id: str | None = None,
                 labels: Sequence[str] = (), **kw):
        super().__init__(message, **kw)
        self.candidates = tuple(candidates)
        self.key_label = key_label
        self.key_id = key_id
        self.labels = tuple(labels)


class KeyAmbiguousError(TokenError):
    def __init__(self, candidates: Sequence[str], **kw):
        super().__init__(said("key_ambiguous.keys", candidates="\n  ".join(candidates)), **kw)
        self.candidates = tuple(candidates)


class MechanismUnsupportedError(TokenError):
    pass


class CertificateUnusableError(TokenError):
    pass


class Pkcs12Error(TokenError):
    """The PKCS#12 ``file`` cannot be opened or used."""

    def __init__(self, message: str, *, file: str | Path | None = None, **kw: Any):
        super().__init__(message, **kw)
        self.file = str(file) if file is not None else None


class RemoteSigningError(TokenError):
    """A remote signing service failed; ``service`` names it (its base URL). The message
    never holds a secret (client secret, service password, OAuth token, PIN, OTP)."""

    def __init__(self, message: str, *, service: str | None = None):
        super().__init__(message)
        self.service = service


class RemoteAuthError(RemoteSigningError):
    pass


class RemoteCredentialError(RemoteSigningError):
    pass


class ApprovalRejectedError(RemoteSigningError):
    pass


class ApprovalTimeoutError(RemoteSigningError):
    pass


class RemoteServiceError(RemoteSigningError):
    pass


class SigningError(SignkitError):
    """One document could not be signed. ``path`` names the input."""

    def __init__(self, message: str, *, path: str | Path | None = None):
        self._where = str(path) if path else ""
        super().__init__(message)
        self.path = str(path) if path is not None else None


class InputError(SigningError):
    pass


class EncryptedInputError(InputError):
    """The input PDF is encrypted and no password was given for it."""


class OutputExistsError(SigningError):
    """``output`` exists already (and is kept); ``path`` names the input."""

    def __init__(self, message: str, *, path: str | Path | None = None,
                 output: str | Path | None = None):
        super().__init__(message, path=path)
        self.output = str(output) if output is not None else None


class TimestampError(SigningError):
    """The time-stamping service failed; ``url`` names it, the message says why."""

    def __init__(self, message: str, *, url: str, path: str | Path | None = None):
        super().__init__(message, path=path)
        self.url = url


class TimestampUntrustedError(TimestampError):
    """The TSA answered, but its certificate does not chain to any trust anchor given."""


class NoTsaError(SigningError):
    """A timestamp is needed (B-T and above, an archive timestamp) and no time-stamping
    service was given."""


class ChainUntrustedError(SigningError):
    """A signer's (or TSA's) certificate does not chain to any trust anchor given, so the
    validation data of B-LT cannot be built."""


class RevocationFetchError(SigningError):
    """Revocation data (OCSP, CRL) or a chain for B-LT could not be obtained or did not
    validate; ``urls`` names the services involved, where the certificates name any."""

    def __init__(self, message: str, *, urls: Sequence[str] = (),
                 path: str | Path | None = None):
        super().__init__(message, path=path)
        self.urls = tuple(urls)


class PlacementError(InputError):
    """A visible signature cannot be placed where asked: no such page or field, a rectangle
    outside the page, an anchor text not found. ``page`` is the 1-based page concerned."""

    def __init__(self, message: str, *, page: int | None = None,
                 path: str | Path | None = None):
        super().__init__(message, path=path)
        self.page = page


class AppearanceError(InputError):
    """A visible signature cannot be drawn: its image or font file is missing or unusable,
    or its text does not fit the box even at the smallest size. ``file`` names the file."""

    def __init__(self, message: str, *, file: str | Path | None = None,
                 path: str | Path | None = None):
        super().__init__(message, path=path)
        self.file = str(file) if file is not None else None


class RemoteSignatureError(SigningError):
    """The remote service gave no signature for this document, or one that the
    credential's certificate does not verify: nothing is written for it."""
