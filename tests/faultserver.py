"""A fault-injecting HTTP server on 127.0.0.1, in front of real services (the certomancer
animator's TSA, OCSP responder and CRLs), for tests of what signing does when they fail.

``FaultServer(upstream)`` listens on a free loopback port (``url``) and answers each request
with the next action of its ``script``, then with its ``default`` (``Fault.FORWARD`` unless
changed): forward it unchanged to ``upstream`` + the request's path (a request for ``/`` goes
to ``upstream`` itself, so ``url`` can stand for one service), one of the faults below, or an
HTTP error status (an ``int``). It counts requests and the TCP connections they came on
(distinct client ports), and keeps HTTP/1.1 connections alive (werkzeug's dev server closes
every one), so tests can see connection reuse. ``closed_port_url`` gives a URL nothing
listens on.

    with FaultServer("http://127.0.0.1:8000/testing-ca/tsa/tsa") as tsa:
        tsa.script = [Fault.FORWARD, Fault.WRONG_NONCE]   # the second request lies
        sign(..., tsa_url=tsa.url)
"""

from __future__ import annotations

import enum
import socket
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asn1crypto import core, tsp

HANG_LIMIT_S = 30.0  # a hung answer is released at the latest then (or when the server closes)

# the answer's content type for each kind of request, so that garbage looks plausible
_REPLY_TYPES = {
    "application/timestamp-query": "application/timestamp-reply",
    "application/ocsp-request": "application/ocsp-response",
}
_CRL_TYPE = "application/pkix-crl"


class Fault(enum.Enum):
    FORWARD = "forward"  # no fault: pass the request on and the answer back
    HANG = "hang"  # read the request, never answer: the client must time out
    GARBAGE = "garbage"  # HTTP 200 with the right content type and a body that is not DER
    WRONG_NONCE = "wrong-nonce"  # TSA: forward a request whose nonce is one more
    WRONG_IMPRINT = "wrong-imprint"  # TSA: forward a request for another message digest
    REJECTION = "rejection"  # TSA: an RFC 3161 answer with PKIStatus "rejection"
    UNTRUSTED = "untrusted"  # forward to ``untrusted_upstream`` (a TSA nobody trusts)
    FORGED = "forged"  # TSA: forward, then spoil the token's signature (one bit)


Action = Fault | int  # an int: answer that HTTP status with a short text body


def closed_port_url(path: str = "/") -> str:
    """A loopback URL on a port that was free a moment ago: connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


class FaultServer:
    """See the module docstring. ``untrusted_upstream`` is a full URL (for ``UNTRUSTED``)."""

    def __init__(self, upstream: str, *, untrusted_upstream: str | None = None):
        self.upstream = upstream.rstrip("/")
        self.untrusted_upstream = untrusted_upstream
        self.script: list[Action] = []
        self.default: Action = Fault.FORWARD
        self.requests = 0
        self.ports: set[int] = set()
        self.paths: list[str] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)  # a short poll: close() returns fast
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> FaultServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def reset(self) -> None:
        """Forget the script, the counts and the connections seen; forward again."""
        with self._lock:
            self.script, self.default = [], Fault.FORWARD
            self.requests = 0
            self.ports.clear()
            self.paths.clear()

    def close(self) -> None:
        self._closing.set()  # releases hung answers
        self._server.shutdown()
        self._server.server_close()

    def next_action(self, path: str, client_port: int) -> Action:
        with self._lock:
            self.requests += 1
            self.ports.add(client_port)
            self.paths.append(path)
            return self.script.pop(0) if self.script else self.default

    def answer(self, action: Action, method: str, path: str, ctype: str, body: bytes
               ) -> tuple[int, str, bytes] | None:
        """(status, content type, body) to send, or None to send nothing at all."""
        reply_type = _REPLY_TYPES.get(ctype, _CRL_TYPE)
        if isinstance(action, int):
            return action, "text/plain", b"injected fault"
        if action is Fault.HANG:
            self._closing.wait(HANG_LIMIT_S)
            return None
        if action is Fault.GARBAGE:
            return 200, reply_type, b"\x30\x03\x02\x01\x00 this is not the answer you wanted"
        if action is Fault.REJECTION:
            return 200, reply_type, _rejection()
        target = self.upstream + (path if path != "/" else "")
        if action is Fault.UNTRUSTED:
            target = self.untrusted_upstream or ""
        elif action is Fault.WRONG_NONCE:
            body = _changed_request(body, nonce=True)
        elif action is Fault.WRONG_IMPRINT:
            body = _changed_request(body, imprint=True)
        status, reply_type, data = _forward(method, target, ctype, body)
        if action is Fault.FORGED:
            data = _forged(data)
        return status, reply_type, data


def _handler_for(server: FaultServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            self._serve(b"")

        def do_POST(self) -> None:
            self._serve(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

        def _serve(self, body: bytes) -> None:
            action = server.next_action(self.path, self.client_address[1])
            ctype = self.headers.get("Content-Type", "").split(";")[0].strip()
            reply = server.answer(action, self.command, self.path, ctype, body)
            if reply is None:
                self.close_connection = True
                return
            status, reply_type, data = reply
            self.send_response(status)
            self.send_header("Content-Type", reply_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _forward(method: str, url: str, ctype: str, body: bytes) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, data=body if method == "POST" else None,
                                     method=method,
                                     headers={"Content-Type": ctype} if ctype else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.headers.get("Content-Type", ""), answer.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", "text/plain"), e.read()


def _changed_request(body: bytes, *, nonce: bool = False, imprint: bool = False) -> bytes:
    request = tsp.TimeStampReq.load(body)
    if nonce:
        request["nonce"] = request["nonce"].native + 1
    if imprint:
        hashed = request["message_imprint"]["hashed_message"].native
        request["message_imprint"]["hashed_message"] = bytes(b ^ 0xFF for b in hashed)
    return request.dump()


def _forged(answer: bytes) -> bytes:
    response = tsp.TimeStampResp.load(answer)
    (signer_info,) = response["time_stamp_token"]["content"]["signer_infos"]
    signature = bytearray(signer_info["signature"].native)
    signature[-1] ^= 1
    signer_info["signature"] = bytes(signature)
    return response.dump(force=True)


def _rejection() -> bytes:
    # built by hand: asn1crypto's TimeStampResp insists on a token, which a refusal lacks
    status = tsp.PKIStatusInfo({
        "status": "rejection",
        "status_string": ["request refused by policy"],
        "fail_info": tsp.PKIFailureInfo({"unaccepted_policy"}),
    }).dump()
    return core.Sequence.load(b"\x30" + _der_length(len(status)) + status).dump()


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(size)]) + size
