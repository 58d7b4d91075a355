"""Credentials for a time-stamping service, kept apart from the client, which needs aiohttp:
a process that signs without a timestamp names them without importing it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TsaAuth:
    """Credentials for a TSA: HTTP basic (``user``/``password``) or a bearer ``token``.

    >>> TsaAuth.basic("clerk", "secret")
    >>> TsaAuth.bearer("eyJ...")
    """

    user: str | None = None
    password: str | None = None
    token: str | None = None

    @classmethod
    def basic(cls, user: str, password: str) -> TsaAuth:
        return cls(user=user, password=password)

    @classmethod
    def bearer(cls, token: str) -> TsaAuth:
        return cls(token=token)

    def __post_init__(self) -> None:
        if (self.token is None) == (self.user is None):
            raise ValueError("TsaAuth needs either user and password, or a token")

    def __repr__(self) -> str:  # never print secrets
        return "TsaAuth(bearer)" if self.token is not None else f"TsaAuth(basic {self.user!r})"
