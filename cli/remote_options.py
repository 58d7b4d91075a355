"""The remote-signing options (`--remote csc|smartca`, `--service`, `--credential`,
`--user-id`, `--approval-timeout`, `--remote-secrets-file`) and opening the remote key.

Secrets never come from argv: the CSC client id/secret from $SIGNKIT_CSC_CLIENT_ID /
$SIGNKIT_CSC_CLIENT_SECRET, the SmartCA service id/password from $SIGNKIT_SMARTCA_SP_ID /
$SIGNKIT_SMARTCA_SP_PASSWORD, else from a secrets file (TOML, ``[csc]`` client_id,
client_secret; ``[smartca]`` sp_id, sp_password); the credential's PIN like a token PIN
($SIGNKIT_PIN, --pin-file, a prompt), its OTP from $SIGNKIT_OTP or a prompt. Without a
client secret, a person logs in to the CSC service in a browser (authorization code with
PKCE): the URL is printed and the address the browser lands on is asked for.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from signkit.errors import RemoteCredentialError

from . import pins
from .errors import echo
from .i18n import Said, current_lang
from .pins import secret_source

F = TypeVar("F", bound=Callable[..., Any])

ENV_CSC_ID, ENV_CSC_SECRET = "SIGNKIT_CSC_CLIENT_ID", "SIGNKIT_CSC_CLIENT_SECRET"
ENV_SP_ID, ENV_SP_PASSWORD = "SIGNKIT_SMARTCA_SP_ID", "SIGNKIT_SMARTCA_SP_PASSWORD"
ENV_OTP = "SIGNKIT_OTP"
ENV_SECRETS_FILE = "SIGNKIT_REMOTE_SECRETS"
DEFAULT_REDIRECT = "http://127.0.0.1:8765/callback"

_TEXT = {
    "waiting": ("Confirm in the {service} app: {count} document(s)… ({description}{tx})",
                "Xác nhận trên ứng dụng {service}: {count} văn bản… ({description}{tx})"),
    "waiting_csc": ("Approve the signing at {service}: {count} document(s)… ({description})",
                    "Xác nhận ký tại dịch vụ {service}: {count} văn bản… ({description})"),
    "login": ("Log in to the signing service in a browser:\n  {url}\nthen paste the address "
              "the browser was sent to", "Đăng nhập dịch vụ ký số trong trình duyệt:\n  {url}\n"
              "rồi dán địa chỉ trình duyệt được chuyển tới"),
    "pin": ("PIN of the credential {credential}", "Mã PIN của chứng thư {credential}"),
    "otp": ("One-time password (OTP) for {credential}", "Mã OTP cho chứng thư {credential}"),
    "no_otp": ("the credential {credential!r} asks for a one-time password: set {env} or run "
               "in a terminal to be asked",
               "chứng thư {credential!r} cần mật khẩu dùng một lần (OTP): đặt {env} hoặc chạy "
               "trong terminal để nhập"),
    "no_browser": ("logging in to the CSC service needs a browser; set {env} (a client secret) "
                   "or run in a terminal",
                   "đăng nhập dịch vụ CSC cần trình duyệt; hãy đặt {env} (client secret) hoặc "
                   "chạy trong terminal"),
}


def text(key: str, *, lang: str | None = None, **values: object) -> str:
    english, vietnamese = _TEXT[key]
    return (vietnamese if (lang or current_lang()) == "vi" else english).format(**values)


@dataclass(frozen=True)
class RemoteRequest:
    """What the command line says about the remote key."""

    service: str  # "csc" | "smartca"
    url: str | None
    credential: str | None
    user_id: str | None
    approval_timeout: float
    secrets_file: Path | None


def parse_duration(value: str | float) -> float:
    """``300``, ``90s``, ``5m``, ``1h`` -> seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", str(value))
    if not match or float(match.group(1)) <= 0:
        raise click.BadParameter("give seconds or a duration such as 90s, 5m",
                                 param_hint="--approval-timeout")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


_OPTIONS = [
    click.option("--remote", "remote", type=click.Choice(["csc", "smartca"]),
                 help="Sign with a remote key (CSC API v2 service, or VNPT SmartCA) instead "
                      "of a token; the person approves the whole batch once."),
    click.option("--service", "service", metavar="URL",
                 help="The remote service's base URL (CSC: the API is under URL/csc/v2/; "
                      "default: the profile's remote.csc_url / remote.smartca_url)."),
    click.option("--credential", "credential", metavar="ID",
                 help="CSC credential ID, or the serial number of one of several SmartCA "
                      "certificates (`signkit remote list` shows them)."),
    click.option("--user-id", "user_id", metavar="ID",
                 help="SmartCA user id (the person's CCCD)."),
    click.option("--approval-timeout", "approval_timeout", default="5m", show_default=True,
                 metavar="DURATION",
                 help="How long to wait for the person's approval (e.g. 90s, 5m)."),
    click.option("--remote-secrets-file", "secrets_file",
                 type=click.Path(dir_okay=False, path_type=Path),
                 help="TOML file with [csc] client_id/client_secret or [smartca] "
                      "sp_id/sp_password (else $SIGNKIT_CSC_CLIENT_ID/..._SECRET, "
                      "$SIGNKIT_SMARTCA_SP_ID/..._PASSWORD)."),
]


def remote_options(func: F) -> F:
    """Adds the remote-key options; the command receives ``remote: RemoteRequest | None``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["remote"] = request_from(
            kwargs.pop("remote"), kwargs.pop("service"), kwargs.pop("credential"),
            kwargs.pop("user_id"), kwargs.pop("approval_timeout"), kwargs.pop("secrets_file"))
        return func(*args, **kwargs)

    for option in reversed(_OPTIONS):
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]


def request_from(service: str | None, url: str | None, credential: str | None,
                 user_id: str | None, approval_timeout: str, secrets_file: Path | None
                 ) -> RemoteRequest | None:
    if service is None:
        if url or credential or user_id or secrets_file:
            raise click.UsageError("--service, --credential, --user-id and "
                                   "--remote-secrets-file go with --remote csc|smartca")
        return None
    if service == "csc" and not credential:
        raise click.UsageError("--remote csc needs --credential ID "
                               "(`signkit remote list --remote csc` shows them)")
    if service == "smartca" and not user_id:
        raise click.UsageError("--remote smartca needs --user-id ID (the person's CCCD)")
    return RemoteRequest(service, url, credential, user_id,
                         parse_duration(approval_timeout), secrets_file)


def service_url(request: RemoteRequest, profile) -> str:
    if request.url:
        if not re.match(r"https?://", request.url):
            raise click.BadParameter("give an http:// or https:// URL", param_hint="--service")
        return request.url
    if request.service == "csc":
        if getattr(profile, "remote_csc_url", None):
            return profile.remote_csc_url
        raise click.UsageError("--remote csc needs --service URL (or remote.csc_url in the "
                               "profile)")
    from signkit.remote import PRODUCTION_URL

    return getattr(profile, "remote_smartca_url", None) or PRODUCTION_URL


def secrets_from_file(path: Path | None, section: str) -> dict:
    path = path or (Path(os.environ[ENV_SECRETS_FILE]) if os.environ.get(ENV_SECRETS_FILE)
                    else None)
    if path is None:
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise click.BadParameter(f"cannot read {path}: {e.strerror}",
                                 param_hint="--remote-secrets-file") from None
    except tomllib.TOMLDecodeError:
        raise click.BadParameter(f"{path} is not valid TOML",
                                 param_hint="--remote-secrets-file") from None
    part = data.get(section, {})
    return part if isinstance(part, dict) else {}


def _announcer(lang: str) -> Callable[[Any], None]:
    """What the person is asked to approve, said while signkit waits (called from the
    key's own thread, outside click's context: the language is fixed here)."""

    def announce(approval) -> None:
        tx = f", {approval.transaction_id}" if approval.transaction_id else ""
        key = "waiting" if approval.service == "SmartCA" else "waiting_csc"
        echo(text(key, lang=lang, service=approval.service, count=approval.count,
                  description=approval.description, tx=tx), err=True)

    return announce


def _otp_source(credential: str) -> Callable[[], str]:
    def get() -> str:
        if os.environ.get(ENV_OTP):
            return os.environ[ENV_OTP]
        if pins.prompter.interactive():
            return pins.prompter.secret(text("otp", credential=credential))
        raise RemoteCredentialError(Said(text("no_otp", credential=credential, env=ENV_OTP)))
    return get


def browser_login(url: str) -> str:
    if not pins.prompter.interactive():
        raise RemoteCredentialError(Said(text("no_browser", env=ENV_CSC_SECRET)))
    with contextlib.suppress(Exception):
        import webbrowser

        webbrowser.open(url)
    return click.prompt(text("login", url=url), err=True)


def csc_auth(secrets_file: Path | None):
    """OAuth2 for the CSC service: client credentials from the environment or the secrets
    file; without a client secret, a person's browser login (authorization code + PKCE)."""
    from signkit.remote import AuthorizationCode, ClientCredentials

    stored = secrets_from_file(secrets_file, "csc")
    client_id = os.environ.get(ENV_CSC_ID) or stored.get("client_id")
    secret = os.environ.get(ENV_CSC_SECRET) or stored.get("client_secret")
    if not client_id:
        raise click.UsageError(f"--remote csc needs the OAuth2 client id: set {ENV_CSC_ID} "
                               "or give --remote-secrets-file")
    if secret:
        return ClientCredentials(client_id, secret)
    return AuthorizationCode(client_id, stored.get("redirect_uri", DEFAULT_REDIRECT),
                             browser_login)


def smartca_secrets(secrets_file: Path | None) -> tuple[str, str]:
    """The SmartCA service id and password, from the environment or the secrets file."""
    stored = secrets_from_file(secrets_file, "smartca")
    sp_id = os.environ.get(ENV_SP_ID) or stored.get("sp_id")
    sp_password = os.environ.get(ENV_SP_PASSWORD) or stored.get("sp_password")
    if not sp_id or not sp_password:
        raise click.UsageError(f"--remote smartca needs the service id and password: set "
                               f"{ENV_SP_ID} and {ENV_SP_PASSWORD}, or give "
                               "--remote-secrets-file")
    return str(sp_id), str(sp_password)


@contextlib.contextmanager
def open_remote_key(request: RemoteRequest, *, profile, pin_file: Path | None
                    ) -> Iterator[Any]:
    """The remote key the command line describes, opened once for the command."""
    import signkit

    url = service_url(request, profile)
    common = {"approval_timeout": request.approval_timeout,
              "on_approval": _announcer(current_lang())}
    if request.service == "csc":
        auth = csc_auth(request.secrets_file)
        pin = secret_source(pin_file, text("pin", credential=request.credential))
        with signkit.open_remote("csc", url=url, credential_id=request.credential, auth=auth,
                                 pin=pin, otp=_otp_source(request.credential or ""),
                                 **common) as key:
            yield key
        return
    sp_id, sp_password = smartca_secrets(request.secrets_file)
    poll = float(os.environ.get("SIGNKIT_SMARTCA_POLL", "2"))
    with signkit.open_remote("smartca", url=url, user_id=request.user_id, sp_id=sp_id,
                             sp_password=sp_password, serial_number=request.credential,
                             poll_interval=poll, **common) as key:
        yield key
