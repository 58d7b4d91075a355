"""Applying a recipe to a base document.

Three kinds of recipe (``{"kind": ..., "base": name, ...}``):

- ``bytes``: ``ops`` edit bytes at offsets inside a *region* of the last signature's layout:
  ``head`` (signed, before /Contents), ``contents`` (the unsigned /Contents gap), ``after``
  (signed, after the gap), ``tail`` (after the signed ranges, usually empty) or ``any``.
  An offset is taken modulo its region's length, so recipes stay valid on rebuilt documents.
- ``update``: ``updates`` appended as incremental updates written by hand (objects from
  ``pdfobjects``, xref table or stream, %%EOF variants, extra startxref lines), then
  ``trailing`` bytes.
- ``cms``: ``ops`` edit the last signature's CMS (asn1crypto), written back into /Contents.

``apply`` returns the mutated bytes and whether the recipe must break the signature (a CMS
edit that changes what the signature rests on, see ``signature_broken``): such a file may
never be TOTAL_PASSED.
"""

from __future__ import annotations

import contextlib
import zlib

import verify_docs as vd
from asn1crypto import cms, core

from .bases import Base, Ref
from .pdfobjects import indirect, latin1, serialize

REGIONS = ("head", "contents", "after", "tail", "any")


def region_span(base: Base, region: str, size: int) -> tuple[int, int]:
    a, b, c, d = base.layout.byte_range
    span = {"head": (0, b), "contents": (b, c), "after": (c, c + d),
            "tail": (c + d, len(base.data)), "any": (0, len(base.data))}[region]
    return min(span[0], size), min(span[1], size)


def offset(base: Base, region: str, at: int, size: int, *, inclusive_end: bool = False) -> int:
    """``at`` inside ``region`` of a buffer now ``size`` bytes long."""
    start, end = region_span(base, region, size)
    width = end - start + (1 if inclusive_end else 0)
    return start + at % width if width > 0 else start


# --- bytes ------------------------------------------------------------------------------------

def apply_bytes(base: Base, ops: list[dict]) -> bytes:
    data = bytearray(base.data)
    for op in ops:
        kind, region = op["op"], op.get("region", "any")
        if kind == "append":
            data += latin1(op["data"])
            continue
        if kind == "insert":
            at = offset(base, region, op["at"], len(data), inclusive_end=True)
            data[at:at] = latin1(op["data"])
            continue
        at = offset(base, region, op["at"], len(data))
        if at >= len(data):  # an empty region (no tail after the signed bytes, say)
            continue
        if kind == "flip":
            data[at] ^= op["mask"] or 1
        elif kind == "set":
            data[at:at + len(op["data"])] = latin1(op["data"])
        elif kind == "delete":
            del data[at:at + op["length"]]
        elif kind == "truncate":
            del data[at:]
        elif kind == "duplicate":
            chunk = bytes(data[at:at + op["length"]])
            to = offset(base, op.get("to_region", "any"), op.get("to_at", 0), len(data),
                        inclusive_end=True)
            data[to:to] = chunk
        else:
            raise ValueError(f"unknown byte op {kind!r}")
    return bytes(data)


# --- appended incremental updates -------------------------------------------------------------

class _Refs:
    """Resolves the reference targets of ``pdfobjects`` against one base and one update."""

    def __init__(self, base: Base, first_new: int):
        self.base, self.first_new = base, first_new

    def __call__(self, target: list) -> Ref:
        kind = target[0]
        if kind == "new":
            return self.first_new + target[1], 0
        if kind == "existing":
            return self.base.objects[target[1] % len(self.base.objects)]
        if kind == "role":
            return self.base.roles.get(target[1], self.base.root)
        if kind == "abs":
            return target[1], target[2]
        raise ValueError(f"unknown reference target {target!r}")


def _xref_table(entries: list[tuple[int, int, int]], eol: bytes) -> bytes:
    """entries: (object number, generation, offset), one subsection per run of numbers."""
    out = b"xref" + eol
    entries = sorted(set(entries))
    run: list[tuple[int, int, int]] = []
    for entry in entries + [(-2, 0, 0)]:
        if run and (entry[0] != run[-1][0] + 1):
            out += b"%d %d" % (run[0][0], len(run)) + eol
            out += b"".join(b"%010d %05d n\r\n" % (off, gen) for _, gen, off in run)
            run = []
        run.append(entry)
    return out


# the same /Index array, written the ways PDF syntax allows
_INDEX_SPELLINGS = {
    "plain": (b"/Index [", b" ", b"%d", b"]"),
    "comment": (b"/Index [", b" %fuzz\n", b"%d", b"]"),
    "plus": (b"/Index [", b" ", b"+%d", b"]"),
    "name-escape": (b"/Ind#65x [", b" ", b"%d", b"]"),
    "padded": (b"/Index [" + b" " * 500, b" ", b"%d", b"]"),
}


def _index_entry(index: list[int], spelling: str) -> bytes:
    start, separator, number, end = _INDEX_SPELLINGS[spelling]
    return start + separator.join(number % v for v in index) + end


def _xref_stream(num: int, entries: list[tuple[int, int, int]], trailer: bytes, here: int,
                 update: dict) -> bytes:
    """An xref stream; ``update`` may replace its /Index and /W by drawn (wrong) ones."""
    entries = sorted(set(entries + [(num, 0, here)]))
    index, rows = [], b""
    for n, gen, off in entries:
        if index and index[-2] + index[-1] == n:
            index[-1] += 1
        else:
            index += [n, 1]
        rows += b"\x01" + off.to_bytes(4, "big") + min(gen, 0xFFFF).to_bytes(2, "big")
    if update.get("compress"):
        rows = zlib.compress(rows)
    index = update.get("index", index)
    widths = update.get("w", [1, 4, 2])
    head = (b"%d 0 obj\n<</Type /XRef /W [" % num + b" ".join(b"%d" % v for v in widths)
            + b"] " + _index_entry(index, update.get("index_spelling", "plain")) + b" " + trailer
            + (b" /Filter /FlateDecode" if update.get("compress") else b"")
            + b" /Length %d>>\nstream\n" % len(rows))
    return head + rows + b"\nendstream\nendobj\n"


def append_update(data: bytes, base: Base, update: dict, *, prev: int,
                  size: int) -> tuple[bytes, int, int]:
    """One hand-written incremental update after ``data``; returns (data, its startxref,
    the new /Size)."""
    eol = latin1(update.get("eol", "\n"))
    objects = update.get("objects", [])
    refs = _Refs(base, size)
    out = bytearray(data)
    if not out.endswith((b"\n", b"\r")):
        out += eol
    entries: list[tuple[int, int, int]] = []
    shift = update.get("offset_shift", 0)
    for item in objects:
        num, gen = refs(item["num"])
        entries.append((num, gen, max(0, len(out) + shift)))
        out += indirect(num, gen, item["obj"], refs)
    overlay = update.get("overlay")
    if overlay is not None and "page0" in base.roles:
        # a visible edit: a new content stream drawn over page 1 (an incremental saving attack)
        text_num = size + len(objects) + 1
        ops = b"BT /F1 18 Tf 72 %d Td " % (100 + len(overlay) % 600) + serialize(
            ["str", overlay], refs) + b" Tj ET"
        entries.append((text_num, 0, len(out) + shift))
        out += b"%d 0 obj\n<</Length %d>>\nstream\n%s\nendstream\nendobj\n" % (
            text_num, len(ops), ops)
        contents = b" ".join(b"%d %d R" % r for r in base.page0_contents)
        page = base.page0.replace(b"/Contents", b"/Contents [" + contents + b" %d 0 R] /Was" %
                                  text_num, 1)
        num, gen = base.roles["page0"]
        entries.append((num, gen, len(out) + shift))
        out += b"%d %d obj\n" % (num, gen) + page + b"\nendobj\n"
    used = [n for n, _, _ in entries]
    new_size = max([size, *[n + 1 for n in used]])
    xref_num = new_size
    if update.get("xref") == "stream":
        new_size += 1
    size_value = {"right": new_size, "small": max(1, size // 2)}.get(update.get("size", "right"),
                                                                     new_size)
    root = refs(update["root"]) if update.get("root", "keep") != "keep" else base.root
    trailer = b"/Size %d /Root %d %d R" % (size_value, *root)
    prev_kind = update.get("prev", "right")
    if prev_kind == "right":
        trailer += b" /Prev %d" % prev
    elif isinstance(prev_kind, int):
        trailer += b" /Prev %d" % prev_kind
    if base.info is not None and update.get("info", "keep") == "keep":
        trailer += b" /Info %d %d R" % base.info
    trailer += b" " + base.trailer_id
    here = len(out)
    if update.get("xref") == "stream":
        out += _xref_stream(xref_num, entries, trailer, here, update)
    else:
        out += _xref_table(entries, eol) + b"trailer" + eol + b"<<" + trailer + b">>" + eol
    extra = update.get("extra_startxref", "none")
    startxref = {"right": here, "missing": None}.get(update.get("startxref", "right"))
    if isinstance(update.get("startxref"), int):
        startxref = here + update["startxref"]
    if extra == "before":
        out += b"startxref" + eol + b"%d" % prev + eol
    if startxref is not None:
        out += b"startxref" + eol + b"%d" % startxref + eol
    out += latin1(update.get("eof", "%%EOF\n"))
    if extra == "after":
        out += b"startxref" + eol + b"%d" % prev + eol + b"%%EOF" + eol
    return bytes(out), here, new_size


def apply_updates(base: Base, updates: list[dict], trailing: str) -> bytes:
    data, prev, size = base.data, base.startxref, base.size
    for update in updates:
        data, prev, size = append_update(data, base, update, prev=prev, size=size)
    return data + latin1(trailing)


# --- CMS edits --------------------------------------------------------------------------------

def _signer_parts(der: bytes) -> dict[str, bytes]:
    """What a signature's validity rests on, as DER: the SignerInfo's signed fields and the
    signer's certificate (b"" when the CMS does not carry it)."""
    signed = cms.ContentInfo.load(der)["content"]
    signer = signed["signer_infos"][0]
    parts = {k: signer[k].dump() for k in ("sid", "digest_algorithm", "signed_attrs",
                                           "signature_algorithm", "signature")}
    sid = signer["sid"].chosen
    certs = signed["certificates"]
    certs = list(certs) if isinstance(certs, cms.CertificateSet) else []  # (Void: none)
    parts["signer_cert"] = next((c.chosen.dump() for c in certs if _is_signer(c, sid)), b"")
    return parts


def _is_signer(cert, sid) -> bool:
    try:
        return (cert.chosen.serial_number == sid["serial_number"].native
                and cert.chosen.issuer == sid["issuer"])
    except Exception:  # noqa: BLE001 - a damaged CA certificate is not the signer's
        return False


def signature_broken(original: bytes, edited: bytes) -> bool:
    """True when no valid signature can survive the edit: a signed field of the SignerInfo,
    its signature value or the signer's certificate changed or went missing, or the CMS no
    longer parses."""
    try:
        return _signer_parts(original) != _signer_parts(edited)
    except Exception:  # noqa: BLE001 - a CMS asn1crypto cannot read, pyHanko cannot either
        return True


def _edit_cms(der: bytes, op: dict) -> bytes:
    kind = op["op"]
    if kind == "truncate":
        return der[:op["keep"] % max(1, len(der))]
    if kind == "flip":
        if not der:
            return der
        at = op["at"] % len(der)
        return der[:at] + bytes([der[at] ^ (op["mask"] or 1)]) + der[at + 1:]
    try:
        info = cms.ContentInfo.load(der)
        signed = info["content"]
        signer = signed["signer_infos"][0]
    except Exception:  # noqa: BLE001 - an earlier edit broke the DER; this one cannot apply
        return der
    if kind == "drop_certs":
        certs = list(signed["certificates"]) if signed["certificates"].native else []
        sid = signer["sid"].chosen if signer["sid"].name == "issuer_and_serial_number" else None
        keep = op.get("keep", "none")
        if keep == "none" or not certs:
            del signed["certificates"]
        else:
            is_signer = [sid is not None and c.chosen.serial_number == sid["serial_number"].native
                         and c.chosen.issuer == sid["issuer"] for c in certs]
            chosen = [c for c, s in zip(certs, is_signer, strict=True) if s == (keep == "signer")]
            signed["certificates"] = cms.CertificateSet(chosen)
    elif kind == "digest_oid":
        if op.get("where", "signer") in ("signer", "both"):
            signer["digest_algorithm"]["algorithm"] = op["oid"]
        if op.get("where") in ("set", "both"):
            signed["digest_algorithms"] = cms.DigestAlgorithms(
                [{"algorithm": op["oid"], "parameters": core.Null()}])
    elif kind == "signature_oid":
        signer["signature_algorithm"]["algorithm"] = op["oid"]
    elif kind == "signed_attr":
        attrs = list(signer["signed_attrs"])
        if not attrs:
            return der
        i = op.get("index", 0) % len(attrs)
        action = op["action"]
        if action == "drop":
            del attrs[i]
        elif action == "duplicate":
            attrs.append(attrs[i])
        elif action == "change":  # one byte of the value (the digest, a hash, an OID arc)
            raw = bytearray(attrs[i].dump())
            raw[-1 - op.get("at", 0) % max(1, len(raw) - 8)] ^= op.get("mask") or 1
            attrs[i] = cms.CMSAttribute.load(bytes(raw))
        elif action == "add":
            attrs.append(cms.CMSAttribute({"type": op["oid"],
                                           "values": [core.OctetString(latin1(op["value"]))]}))
        signer["signed_attrs"] = cms.CMSAttributes(attrs)
    elif kind == "unsigned_attr":
        signer["unsigned_attrs"] = cms.CMSAttributes([cms.CMSAttribute({
            "type": op["oid"], "values": [core.OctetString(latin1(op["value"]))]})])
    elif kind == "sid":
        sid = signer["sid"].chosen
        if signer["sid"].name == "issuer_and_serial_number":
            sid["serial_number"] = sid["serial_number"].native + (op.get("delta") or 1)
    elif kind == "version":
        signed["version"] = op["value"]
    else:
        raise ValueError(f"unknown CMS op {kind!r}")
    # re-encode the SignerInfo whole (asn1crypto does not see edits behind its sid Choice);
    # the certificates keep their encoding (re-encoding them all is slow)
    signed["signer_infos"] = cms.SignerInfos([cms.SignerInfo.load(signer.dump(force=True))])
    return info.dump()


def apply_cms(base: Base, ops: list[dict]) -> tuple[bytes, bool]:
    data = base.data
    original = der = vd.cms_of(data).dump()
    for op in ops:
        # asn1crypto may refuse an edit (of a CMS an earlier edit broke): it does nothing
        with contextlib.suppress(Exception):
            der = _edit_cms(der, op)
    if der == original:
        return data, False
    room = (base.layout.contents_end - base.layout.contents_start - 2) // 2
    der = der[:room]  # what does not fit the placeholder is cut (and the cut is judged)
    # judged as the verifier reads it: zero padding up to the placeholder's end
    return vd.embed_cms(data, der), signature_broken(original, der.ljust(room, b"\0"))


def apply(recipe: dict, bases: dict[str, Base]) -> tuple[bytes, bool]:
    """The mutated bytes and whether the recipe must break the signature."""
    base = bases[recipe["base"]]
    kind = recipe["kind"]
    if kind == "bytes":
        return apply_bytes(base, recipe["ops"]), False
    if kind == "update":
        return apply_updates(base, recipe["updates"], recipe.get("trailing", "")), False
    if kind == "cms":
        return apply_cms(base, recipe["ops"])
    raise ValueError(f"unknown recipe kind {kind!r}")
