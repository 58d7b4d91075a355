"""PDF objects as JSON, and their bytes.

A recipe holds objects as small lists so that it can be printed, shrunk and committed:

    ["null"]  ["bool", true]  ["int", 12]  ["real", "-.5"]  ["name", "Type"]
    ["str", "latin-1 text"]  ["hex", "0aF"]  ["raw", "<< ] R endobj"]  ["deep", 3000, "array"]
    ["array", [obj, ...]]  ["dict", [["Key", obj], ...]]
    ["ref", target]   target: ["new", i] | ["existing", k] | ["role", "page0"] | ["abs", n, g]
    ["stream", [["Key", obj], ...], {"filter": ..., "parms": obj|null, "length": ..., "data": s,
                                     "encode": bool}]

Byte strings are latin-1 text in JSON. ``["raw", ...]`` is written as is: token soup.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import Callable

Ref = tuple[int, int]
Resolver = Callable[[list], Ref]

_DELIMITERS = set(b"()<>[]{}/%#")


def latin1(text: str) -> bytes:
    return text.encode("latin-1", "replace")


def name_bytes(text: str) -> bytes:
    out = bytearray(b"/")
    for byte in text.encode("utf-8"):
        if byte < 0x21 or byte > 0x7E or byte in _DELIMITERS:
            out += b"#%02X" % byte
        else:
            out.append(byte)
    return bytes(out)


def literal_string(data: bytes) -> bytes:
    escaped = data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"(" + escaped + b")"


def encode_stream(data: bytes, filters: list[str]) -> bytes:
    """Encode ``data`` for the filters a decoder applies first to last (so encode in reverse);
    a filter we cannot encode leaves the data as it is: a lie the reader must survive."""
    for name in reversed(filters):
        if name == "FlateDecode":
            data = zlib.compress(data)
        elif name == "ASCIIHexDecode":
            data = binascii.hexlify(data) + b">"
        elif name == "ASCII85Decode":
            data = base64.a85encode(data) + b"~>"
    return data


def filters_of(spec) -> list[str]:
    value = spec.get("filter")
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def serialize(obj: list, resolve: Resolver, depth: int = 0) -> bytes:
    """The bytes of one direct object (a stream here is written as its dictionary only: streams
    are indirect objects, see ``indirect``)."""
    kind = obj[0]
    if kind == "null":
        return b"null"
    if kind == "bool":
        return b"true" if obj[1] else b"false"
    if kind == "int":
        return str(obj[1]).encode()
    if kind == "real":
        return obj[1].encode()
    if kind == "name":
        return name_bytes(obj[1])
    if kind == "str":
        return literal_string(latin1(obj[1]))
    if kind == "hex":
        return b"<" + obj[1].encode() + b">"
    if kind == "raw":
        return latin1(obj[1])
    if kind == "deep":  # nesting far beyond what the strategies' recursion draws
        depth_, shape = obj[1], obj[2]
        if shape == "dict":
            return b"<</D " * depth_ + b"null" + b">>" * depth_
        return b"[" * depth_ + b"]" * depth_
    if kind == "ref":
        num, gen = resolve(obj[1])
        return b"%d %d R" % (num, gen)
    if kind == "array":
        return b"[" + b" ".join(serialize(o, resolve, depth + 1) for o in obj[1]) + b"]"
    if kind == "dict":
        return _dict(obj[1], resolve, depth)
    if kind == "stream":
        return _dict(obj[1], resolve, depth)
    raise ValueError(f"unknown object kind {kind!r}")


def _dict(entries, resolve: Resolver, depth: int, extra: bytes = b"") -> bytes:
    body = b" ".join(name_bytes(k) + b" " + serialize(v, resolve, depth + 1) for k, v in entries)
    return b"<<" + body + extra + b">>"


def indirect(num: int, gen: int, obj: list, resolve: Resolver) -> bytes:
    """``num gen obj ... endobj``; a stream gets its /Filter and /Length from its spec."""
    head = b"%d %d obj\n" % (num, gen)
    if obj[0] != "stream":
        return head + serialize(obj, resolve) + b"\nendobj\n"
    entries, spec = obj[1], obj[2]
    filters = filters_of(spec)
    data = latin1(spec.get("data", ""))
    if spec.get("encode"):
        data = encode_stream(data, filters)
    extra = b""
    if filters:
        extra += b" /Filter " + (name_bytes(filters[0]) if len(filters) == 1 else
                                 b"[" + b" ".join(name_bytes(f) for f in filters) + b"]")
    if spec.get("parms") is not None:
        extra += b" /DecodeParms " + serialize(spec["parms"], resolve)
    length = spec.get("length", "right")
    if length == "right":
        extra += b" /Length %d" % len(data)
    elif isinstance(length, int):  # off by this much
        extra += b" /Length %d" % (len(data) + length)
    elif isinstance(length, list):  # an indirect /Length: ["ref", target]
        extra += b" /Length " + serialize(length, resolve)
    # "missing": no /Length at all
    dictionary = _dict(entries, resolve, 0, extra)
    return head + dictionary + b"\nstream\n" + data + b"\nendstream\nendobj\n"
