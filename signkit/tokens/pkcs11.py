"""PKCS#11 tokens through PyKCS11: listing, one login per run, keys, signing.

The PIN is held only as long as needed (for keys that demand a login per signature) and never
appears in messages. Token facts live in ``pkcs11_info``, the key in ``pkcs11_key``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import PyKCS11
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from ..error_messages import said
from ..errors import (
    CertificateUnusableError,
    KeyAmbiguousError,
    KeyNotFoundError,
    PinFinalTryError,
    PinIncorrectError,
    PinLockedError,
    PinRequiredError,
    Pkcs11ModuleLoadError,
    TokenAmbiguousError,
    TokenError,
    TokenNotFoundError,
)
from .base import (
    CertificateFacts,
    KeyType,
    can_sign_documents,
    check_certificate_usable,
    issuer_chain,
)
from .modules import require_modules
from .pkcs11_errors import translate_error
from .pkcs11_info import KeyInfo, PinState, TokenInfo
from .pkcs11_key import Pkcs11SigningKey, TokenObject

PinSource = str | Callable[[], str] | None


class Pkcs11Module:
    """A loaded PKCS#11 module. Cheap to keep open for a whole run."""

    def __init__(self, path: str):
        self.path = path
        problem = _not_a_library(Path(path))
        if problem is not None:
            raise Pkcs11ModuleLoadError(path, problem)
        self._lib = PyKCS11.PyKCS11Lib()
        try:
            self._lib.load(path)
        except PyKCS11.PyKCS11Error as e:
            raise Pkcs11ModuleLoadError(path, _load_detail(e)) from None

    @classmethod
    def discover(cls, explicit: str | None = None, profile_hint: str | None = None) -> Pkcs11Module:
        """Load the module to use: the first candidate that has a token, else the first found."""
        found = require_modules(explicit, profile_hint)
        first: Pkcs11Module | None = None
        for path in found:
            try:
                module = cls(path)
            except TokenError:
                if len(found) == 1:
                    raise  # the one module named or found: say why it cannot be used
                continue
            if len(found) == 1 or any(t.initialized for t in module.tokens()):
                if first is not None:
                    first.close()
                return module
            if first is None:
                first = module
            else:
                module.close()
        if first is None:
            raise TokenError(said("token.no_module_loaded", paths=", ".join(found)))
        return first

    def close(self) -> None:
        with contextlib.suppress(PyKCS11.PyKCS11Error):
            self._lib.unload()

    def __enter__(self) -> Pkcs11Module:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def tokens(self) -> list[TokenInfo]:
        try:
            slots = self._lib.getSlotList(tokenPresent=True)
            return [self._token_info(slot) for slot in slots]
        except PyKCS11.PyKCS11Error as e:
            raise translate_error(e, action="listing tokens", token_label=None) from None

    def _token_info(self, slot: int) -> TokenInfo:
        info = self._lib.getTokenInfo(slot)
        return TokenInfo(
            slot=slot,
            label=info.label.rstrip(" \x00"),
            manufacturer=info.manufacturerID.rstrip(" \x00"),
            model=info.model.rstrip(" \x00"),
            serial=info.serialNumber.rstrip(" \x00"),
            pin=PinState.from_flags(info.flags),
            module=self.path,
            initialized=bool(info.flags & PyKCS11.CKF_TOKEN_INITIALIZED),
        )

    def find_token(self, label: str | None = None) -> TokenInfo:
        tokens = [t for t in self.tokens() if t.initialized]
        if label is not None:
            matching = [t for t in tokens if t.label == label]
            if not matching:
                present = ", ".join(repr(t.label) for t in tokens) or "none"
                raise TokenNotFoundError(
                    said("token_not_found.label", label=label, module=self.path,
                         present=present),
                    token_label=label,
                )
            return matching[0]
        if not tokens:
            raise TokenNotFoundError(said("token_not_found.none", module=self.path))
        if len(tokens) > 1:
            raise TokenAmbiguousError([t.label for t in tokens])
        return tokens[0]

    def login(
        self, token: TokenInfo, *, pin: PinSource, confirm_final_try: bool = False
    ) -> Pkcs11Session:
        """Open a session and log in once. Never retries: a wrong PIN raises at once."""
        state = token.pin
        if state.pin_locked:
            raise PinLockedError(
                said("pin_locked.token", token=token.label),
                token_label=token.label,
                flags=state.names(),
            )
        if state.pin_final_try and not confirm_final_try:
            raise PinFinalTryError(
                said("pin_final_try.token", token=token.label),
                token_label=token.label,
                flags=state.names(),
            )
        if not state.login_required or (state.protected_authentication_path and callable(pin)):
            pin_value: str | None = None  # no login, or the reader's PIN pad asks for it
        else:
            pin_value = pin() if callable(pin) else pin
            if pin_value == "":
                raise PinRequiredError(
                    said("pin_required.empty", token=token.label),
                    token_label=token.label,
                    flags=state.names(),
                )
        if pin_value is None and state.login_required and not state.protected_authentication_path:
            raise PinRequiredError(
                said("pin_required.none", token=token.label),
                token_label=token.label,
                flags=state.names(),
            )
        try:
            session = self._lib.openSession(
                token.slot, PyKCS11.CKF_SERIAL_SESSION | PyKCS11.CKF_RW_SESSION
            )
        except PyKCS11.PyKCS11Error as e:
            raise translate_error(e, action="opening a session", token_label=token.label) from None
        if state.login_required:
            try:
                # None: the reader's PIN pad collects it (protected authentication path).
                session.login(pin_value)
            except PyKCS11.PyKCS11Error as e:
                with contextlib.suppress(PyKCS11.PyKCS11Error):
                    session.closeSession()
                if e.value == PyKCS11.CKR_PIN_INCORRECT:
                    after = self._token_info(token.slot).pin
                    raise PinIncorrectError(
                        said("pin_incorrect.token", token=token.label,
                             state=", ".join(after.names()) or "no warnings"),
                        rv=e.value,
                        token_label=token.label,
                        flags=after.names(),
                    ) from None
                if e.value == PyKCS11.CKR_USER_ALREADY_LOGGED_IN:
                    pass
                else:
                    raise translate_error(e, action="logging in", token_label=token.label) from None
        try:
            mechanisms = frozenset(str(m) for m in self._lib.getMechanismList(token.slot))
        except PyKCS11.PyKCS11Error as e:
            with contextlib.suppress(PyKCS11.PyKCS11Error):
                session.logout()
                session.closeSession()
            raise translate_error(e, action="reading mechanisms", token_label=token.label) \
                from None
        return Pkcs11Session(self, token, session, mechanisms, pin_value)


@dataclass
class Pkcs11Session:
    """A logged-in session. Close it (or use ``with``) to log out."""

    module: Pkcs11Module
    token: TokenInfo
    _session: PyKCS11.Session
    mechanisms: frozenset[str]
    _pin: str | None = field(repr=False)
    _closed: bool = False

    def __enter__(self) -> Pkcs11Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._pin = None
        with contextlib.suppress(PyKCS11.PyKCS11Error):
            self._session.logout()
        with contextlib.suppress(PyKCS11.PyKCS11Error):
            self._session.closeSession()

    def _find(self, cls: int) -> list[TokenObject]:
        try:
            handles = self._session.findObjects([(PyKCS11.CKA_CLASS, cls)])
            found = []
            for h in handles:
                label, key_id = self._session.getAttributeValue(
                    h, [PyKCS11.CKA_LABEL, PyKCS11.CKA_ID], allAsBinary=True
                )
                found.append(TokenObject(h, bytes(label or b"").decode("utf-8", "replace"),
                                     bytes(key_id or b"")))
            return found
        except PyKCS11.PyKCS11Error as e:
            label = self.token.label
            raise translate_error(e, action="reading objects", token_label=label) from None

    def _certificates(self) -> list[tuple[TokenObject, x509.Certificate]]:
        out = []
        for obj in self._find(PyKCS11.CKO_CERTIFICATE):
            (value,) = self._session.getAttributeValue(
                obj.handle, [PyKCS11.CKA_VALUE], allAsBinary=True
            )
            try:
                out.append((obj, x509.load_der_x509_certificate(bytes(value))))
            except ValueError:
                continue  # an unparsable certificate object cannot be a signer's
        return out

    def _key_details(self, key: TokenObject) -> tuple[KeyType, int, bool]:
        key_type, always = self._session.getAttributeValue(
            key.handle, [PyKCS11.CKA_KEY_TYPE, PyKCS11.CKA_ALWAYS_AUTHENTICATE]
        )
        if key_type == PyKCS11.CKK_RSA:
            (modulus,) = self._session.getAttributeValue(
                key.handle, [PyKCS11.CKA_MODULUS], allAsBinary=True
            )
            return KeyType.RSA, int.from_bytes(bytes(modulus), "big").bit_length(), bool(always)
        if key_type == PyKCS11.CKK_EC:
            return KeyType.EC, 0, bool(always)
        return KeyType.RSA, -1, bool(always)  # unsupported type, filtered by caller

    def _pairs(self) -> list[tuple[TokenObject, x509.Certificate | None, KeyType, int, bool]]:
        certs = self._certificates()
        keys = self._find(PyKCS11.CKO_PRIVATE_KEY)
        pairs = []
        for key in keys:
            key_type, size, always = self._key_details(key)
            if size < 0:
                continue
            cert = next((c for o, c in certs if key.id and o.id == key.id), None)
            if cert is None:
                cert = next((c for o, c in certs if key.label and o.label == key.label), None)
            if cert is not None and key_type is KeyType.EC:
                pub = cert.public_key()
                size = pub.curve.key_size if isinstance(pub, ec.EllipticCurvePublicKey) else 0
            pairs.append((key, cert, key_type, size, always))
        return pairs

    def keys(self) -> list[KeyInfo]:
        """Every private key, its certificate, and whether it can sign now."""
        infos = []
        for key, cert, key_type, size, always in self._pairs():
            problem = None
            if cert is None:
                problem = "no matching certificate on the token"
            else:
                try:
                    check_certificate_usable(cert)
                except CertificateUnusableError as e:
                    problem = str(e)
            infos.append(
                KeyInfo(
                    label=key.label,
                    id_hex=key.id.hex(),
                    key_type=key_type.value,
                    key_size=size,
                    always_authenticate=always,
                    certificate=CertificateFacts.of(cert) if cert else None,
                    can_sign=problem is None,
                    problem=problem,
                )
            )
        return infos

    def certificates(self) -> list[CertificateFacts]:
        return [CertificateFacts.of(c) for _, c in self._certificates()]

    def signing_key(
        self, *, key_label: str | None = None, key_id: str | None = None
    ) -> Pkcs11SigningKey:
        """Select the key: by label or id, or the only usable one."""
        pairs = self._pairs()
        wanted_id = bytes.fromhex(key_id) if key_id else None
        if key_label is not None or wanted_id is not None:
            pairs = [
                p
                for p in pairs
                if (key_label is None or p[0].label == key_label)
                and (wanted_id is None or p[0].id == wanted_id)
            ]
            if not pairs:
                keys = self.keys()
                labels = sorted(k.label for k in keys)
                have = ", ".join(repr(label) for label in labels) or "none"
                raise KeyNotFoundError(
                    said("key_not_found.label", label=key_label, token=self.token.label,
                         labels=have) if key_label is not None else
                    said("key_not_found.id", key_id=key_id, token=self.token.label,
                         labels=have),
                    candidates=[k.describe() for k in keys],
                    key_label=key_label,
                    key_id=key_id,
                    labels=labels,
                    token_label=self.token.label,
                )
        usable = [p for p in pairs if p[1] is not None and can_sign_documents(p[1])]
        if not usable:
            if pairs and pairs[0][1] is not None:
                check_certificate_usable(pairs[0][1])  # raises with the precise reason
            raise KeyNotFoundError(
                said("key_not_found.no_signing", token=self.token.label),
                candidates=[k.describe() for k in self.keys()],
                token_label=self.token.label,
            )
        if len(usable) > 1:
            now = dt.datetime.now(dt.UTC)
            valid = [
                p for p in usable
                if p[1] is not None and p[1].not_valid_after_utc > now > p[1].not_valid_before_utc
            ]
            if len(valid) != 1:
                infos = {k.id_hex + k.label: k for k in self.keys()}
                raise KeyAmbiguousError(
                    [infos[p[0].id.hex() + p[0].label].describe() for p in usable],
                    token_label=self.token.label,
                )
            usable = valid
        key, cert, _, _, always = usable[0]
        assert cert is not None
        check_certificate_usable(cert)
        pool = [c for _, c in self._certificates()]
        return Pkcs11SigningKey(self, key, cert, issuer_chain(cert, pool), always)


def _not_a_library(path: Path) -> str | None:
    """Why ``path`` cannot be a shared library, found before the loader is asked (PyKCS11
    only says "Load (path)", and prints the loader's reason on the terminal)."""
    if path.is_dir():
        return "it is a folder"
    try:
        with path.open("rb") as f:
            head = f.read(5)
    except OSError as e:
        return e.strerror or str(e)
    if sys.platform.startswith("linux"):
        if head[:4] != b"\x7fELF":
            return "not a shared library"
        if len(head) == 5 and head[4] != (2 if sys.maxsize > 2**32 else 1):
            return "built for another architecture"
    return None


def _load_detail(error: PyKCS11.PyKCS11Error) -> str:
    """The loader's reason, in words (PyKCS11 wraps dlopen's message)."""
    text = str(error).strip()
    if "C_GetFunctionList" in text:
        return "a shared library without the PKCS#11 entry point C_GetFunctionList"
    return text.rstrip(".") or "the loader refused it"


@dataclass(frozen=True)
class ModuleScan:
    """One module's answer when every known module is searched: its tokens (initialised
    or blank), or why it could not be loaded."""

    path: str
    tokens: tuple[TokenInfo, ...] = ()
    error: TokenError | None = None


def scan_modules(module: str | None = None, *, profile_hint: str | None = None
                 ) -> list[ModuleScan]:
    """Every module that exists among the candidates (only ``module`` when given; else
    $SIGNKIT_PKCS11_MODULE, the profile's, the well-known paths), each with its tokens.
    Raises ``Pkcs11ModuleNotFoundError`` when no candidate exists, and the load error when
    the one module named cannot be loaded."""
    found = require_modules(module, profile_hint)
    scans = []
    for path in found:
        try:
            with Pkcs11Module(path) as loaded:
                scans.append(ModuleScan(path, tuple(loaded.tokens())))
        except TokenError as e:
            if len(found) == 1:
                raise
            scans.append(ModuleScan(path, error=e))
    return scans


def list_tokens(module: str | None = None, *, profile_hint: str | None = None) -> list[TokenInfo]:
    """Every slot with a token, with its PIN flags. No login."""
    with Pkcs11Module.discover(module, profile_hint) as mod:
        return mod.tokens()


@contextlib.contextmanager
def open_token(
    *,
    module: str | None = None,
    token: str | None = None,
    key_label: str | None = None,
    key_id: str | None = None,
    pin: PinSource = None,
    confirm_final_try: bool = False,
    profile_hint: str | None = None,
) -> Iterator[Pkcs11SigningKey]:
    """Log in once and yield the selected signing key; log out and close on exit.

    >>> with open_token(module="/usr/lib/softhsm/libsofthsm2.so", pin="1234") as key:
    ...     sign_pdf("in.pdf", "out.pdf", key=key)
    """
    with (
        Pkcs11Module.discover(module, profile_hint) as mod,
        mod.login(mod.find_token(token), pin=pin, confirm_final_try=confirm_final_try) as session,
    ):
        yield session.signing_key(key_label=key_label, key_id=key_id)
