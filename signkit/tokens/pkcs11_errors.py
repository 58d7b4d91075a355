"""PyKCS11's one numeric exception, mapped to signkit's errors in this one place."""

from __future__ import annotations

import PyKCS11

from ..error_messages import said
from ..errors import PinLockedError, TokenError, TokenRemovedError

_REMOVED = {
    PyKCS11.CKR_DEVICE_REMOVED,
    PyKCS11.CKR_TOKEN_NOT_PRESENT,
    PyKCS11.CKR_SESSION_HANDLE_INVALID,
    PyKCS11.CKR_SESSION_CLOSED,
    PyKCS11.CKR_DEVICE_ERROR,
    PyKCS11.CKR_TOKEN_NOT_RECOGNIZED,
    PyKCS11.CKR_SLOT_ID_INVALID,
    # the key object vanished under an open session: the token was removed or re-initialised
    PyKCS11.CKR_OBJECT_HANDLE_INVALID,
    PyKCS11.CKR_KEY_HANDLE_INVALID,
}


def translate_error(
    error: PyKCS11.PyKCS11Error, *, action: str, token_label: str | None
) -> TokenError:
    rv = error.value
    name = PyKCS11.CKR.get(rv, hex(rv)) if isinstance(rv, int) else str(rv)
    where = f" on token {token_label!r}" if token_label else ""
    if rv in _REMOVED:
        return TokenRemovedError(
            said("token_removed.while", where=where, action=action, name=name),
            rv=rv,
            token_label=token_label,
        )
    if rv == PyKCS11.CKR_PIN_LOCKED:
        return PinLockedError(
            said("pin_locked.rv", where=where), rv=rv, token_label=token_label
        )
    return TokenError(said("token.failed", where=where, action=action, name=name), rv=rv,
                      token_label=token_label)
