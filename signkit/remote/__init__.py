"""Remote keys: a credential in a signing service's HSM, approved by its owner (on a phone,
with a PIN or OTP), behind the same ``SigningKey`` interface as tokens.

- CSC API v2 (``URL/csc/v2/``): :class:`CscSigningKey`, OAuth2 client credentials or
  authorization code with PKCE.
- VNPT SmartCA: :class:`SmartCaSigningKey`, service id and password, the user's CCCD.

``sign_many`` signs a batch in rounds: one approval (one CSC authorisation, one SmartCA
transaction) for up to ``max_batch`` documents, every returned signature checked against
the credential's certificate before it is embedded. The library never reads secrets from
the environment; pass them (or callables giving them).

>>> with signkit.open_remote("smartca", url=TEST_URL, user_id="012345678901",
...                          sp_id=sp_id, sp_password=sp_password) as key:
...     signkit.sign_many(pairs, key=key)
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Literal, TypedDict

if TYPE_CHECKING:
    from ._key import ApprovalRequest, RemoteSigningKey
    from .csc import CscAuth

# aiohttp and the service modules load on first use: `import signkit` stays light
_NAMES = {
    "ApprovalRequest": "._key", "RemoteSigningKey": "._key",
    "AccessToken": ".csc", "AuthorizationCode": ".csc", "ClientCredentials": ".csc",
    "CscCredential": ".csc", "CscSigningKey": ".csc", "list_csc_credentials": ".csc",
    "PRODUCTION_URL": ".smartca", "TEST_URL": ".smartca", "SmartCaCertificate": ".smartca",
    "SmartCaSigningKey": ".smartca", "list_smartca_certificates": ".smartca",
}
_DEFAULT_APPROVAL_TIMEOUT = 300.0
_DEFAULT_MAX_BATCH = 200


def __getattr__(name: str):
    if name in _NAMES:
        import importlib

        return getattr(importlib.import_module(_NAMES[name], __name__), name)
    raise AttributeError(f"module 'signkit.remote' has no attribute {name!r}")


Secret = str | Callable[[], str]


class _CommonOptions(TypedDict):
    """The options both services' keys take, passed through by ``open_remote``."""

    approval_timeout: float
    max_batch: int
    timeout: float
    description: str | None
    on_approval: Callable[[ApprovalRequest], None] | None

__all__ = [
    "PRODUCTION_URL",
    "TEST_URL",
    "AccessToken",
    "ApprovalRequest",
    "AuthorizationCode",
    "ClientCredentials",
    "CscCredential",
    "CscSigningKey",
    "RemoteSigningKey",
    "SmartCaCertificate",
    "SmartCaSigningKey",
    "list_csc_credentials",
    "list_smartca_certificates",
    "open_remote",
]


@contextlib.contextmanager
def open_remote(
    service: Literal["csc", "smartca"],
    *,
    url: str | None = None,
    credential_id: str | None = None,
    auth: CscAuth | None = None,
    pin: Secret | None = None,
    otp: Secret | None = None,
    user_id: str | None = None,
    sp_id: str | None = None,
    sp_password: Secret | None = None,
    serial_number: str | None = None,
    approval_timeout: float = _DEFAULT_APPROVAL_TIMEOUT,
    max_batch: int = _DEFAULT_MAX_BATCH,
    timeout: float = 30.0,
    description: str | None = None,
    on_approval: Callable[[ApprovalRequest], None] | None = None,
    poll_interval: float = 2.0,
) -> Iterator[RemoteSigningKey]:
    """A remote credential as a ``SigningKey``, for ``sign_pdf``/``sign_many``.

    CSC: ``url`` (the base; the API is under ``url/csc/v2/``), ``credential_id``, ``auth``
    (``ClientCredentials``, ``AuthorizationCode`` or ``AccessToken``), and ``pin``/``otp``
    when the credential asks for them. SmartCA: ``user_id`` (the person's CCCD), ``sp_id``
    and ``sp_password``, ``url`` (default: VNPT's production gateway). ``on_approval``
    hears of each approval asked (to tell the person to look at their phone);
    ``approval_timeout`` seconds bound each wait. Errors (coded messages: ``error.text("vi")``
    reads them in Vietnamese):
    ``RemoteSigningError`` and its subclasses (a ``TokenError``); a missing or wrong
    signature fails its document (``RemoteSignatureError``).

    >>> auth = ClientCredentials("signkit", client_secret=os.environ["CSC_SECRET"])
    >>> with open_remote("csc", url="https://csc.example", credential_id="c1",
    ...                  auth=auth) as key:
    ...     sign_many(pairs, key=key)
    """
    from .csc import CscSigningKey
    from .smartca import PRODUCTION_URL, SmartCaSigningKey

    common: _CommonOptions = {
        "approval_timeout": approval_timeout, "max_batch": max_batch, "timeout": timeout,
        "description": description, "on_approval": on_approval}
    key: RemoteSigningKey
    if service == "csc":
        if not url or not credential_id or auth is None:
            raise ValueError("a CSC key needs url, credential_id and auth")
        key = CscSigningKey(url, credential_id, auth=auth, pin=pin, otp=otp, **common)
    elif service == "smartca":
        if not user_id or not sp_id or sp_password is None:
            raise ValueError("a SmartCA key needs user_id, sp_id and sp_password")
        key = SmartCaSigningKey(url or PRODUCTION_URL, sp_id=sp_id, sp_password=sp_password,
                                user_id=user_id, serial_number=serial_number,
                                poll_interval=poll_interval, **common)
    else:
        raise ValueError(f"unknown remote service {service!r}; use 'csc' or 'smartca'")
    try:
        yield key
    finally:
        key.close()
