"""``signkit ltv refresh``: keep an archive's proofs of existence alive.

For each document, the newest timestamp (a document timestamp, or a signature timestamp when
there is none later) is the proof everything else rests on. It must be renewed — a fresh
document timestamp added over it, with its TSA's chain and revocation data in the DSS — before
its TSA certificate expires, or once its algorithms fall below the profile's policy. A
document with no timestamp at all needs one.

Deciding is cheap on purpose: the document is parsed only as far as its signature
dictionaries and the newest token (no validation, no network), so an archive where nothing is
due is checked at the speed of reading it. Only the documents that are due open the TSA and
the revocation services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from asn1crypto import cms, core
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfStrictReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.generic_cms import extract_certificate_info

from ..error_messages import kind_of, said
from ..errors import InputError
from ..profiles import AlgorithmPolicy
from ..verification.evidence import token_time
from .add import signed_objects
from .result import Additions, LtvResult, LtvStatus, TimestampFacts
from .session import ArchiveSession, Output, pdf_errors
from .window import Window


@dataclass(frozen=True)
class RenewalRule:
    """When a timestamp is due: its TSA certificate expires before ``at`` + ``window``, or
    its algorithms are not allowed by ``policy``."""

    window: Window
    at: dt.datetime  # "now", or another moment for a what-if
    policy: AlgorithmPolicy | None = None

    @property
    def deadline(self) -> dt.datetime:
        return self.window.end(self.at)


def newest_timestamp(reader: PdfFileReader) -> tuple[cms.SignedData, str] | None:
    """The token with the latest time among the document timestamps and the signatures'
    timestamps, and what it is."""
    return _newest(_signature_values(reader))


def _newest(values: Iterable[tuple[str, generic.PdfObject]]
            ) -> tuple[cms.SignedData, str] | None:
    best: tuple[dt.datetime, cms.SignedData, str] | None = None
    for name, signed_data in _signature_contents(values):
        try:  # asn1crypto parses lazily: a damaged CMS fails here, not at load
            content_type = signed_data["encap_content_info"]["content_type"].native
            if content_type == "tst_info":  # a document timestamp: the token itself
                candidates = [(signed_data, said("what.document_timestamp", field=name))]
            else:
                candidates = [(token, said("what.signature_timestamp", field=name))
                              for token in _signature_timestamp_tokens(signed_data)]
            timed = [(token_time(token), token, kind) for token, kind in candidates]
        except (ValueError, KeyError, TypeError) as e:
            raise _malformed(name, e) from None
        for when, token, kind in timed:
            if when is not None and (best is None or when >= best[0]):
                best = (when, token, kind)
    return None if best is None else (best[1], best[2])


def _malformed(field: str, error: Exception) -> InputError:
    return InputError(said("input.malformed_signature", field=field,
                           detail=str(error) or type(error).__name__))


def _signature_contents(values: Iterable[tuple[str, generic.PdfObject]]
                        ) -> Iterator[tuple[str, cms.SignedData]]:
    """(field name, CMS) of every filled signature field (pyHanko's parser, with signkit's
    fast hex reader installed by the session)."""
    for name, value in values:
        contents = value.get_object().get("/Contents")
        der = contents.original_bytes if contents is not None else None
        if not der:
            continue
        try:
            info = cms.ContentInfo.load(der, strict=False)
            signed_data = info["content"] if info["content_type"].native == "signed_data" \
                else None
        except (ValueError, KeyError, TypeError) as e:
            raise _malformed(name, e) from None
        if signed_data is not None:
            yield name, signed_data


def _signature_values(reader: PdfFileReader) -> Iterator[tuple[str, generic.PdfObject]]:
    """(name, /V as stored, not dereferenced) of the signature fields in /AcroForm."""
    try:
        fields = reader.root["/AcroForm"]["/Fields"]
    except KeyError:
        return
    pending = [(f, "", None) for f in fields]
    seen: set = set()
    while pending:
        ref, parent_name, parent_type = pending.pop(0)
        field = ref.get_object()
        key = getattr(ref, "reference", None)
        if key in seen or not isinstance(field, generic.DictionaryObject):
            continue
        seen.add(key)
        name = str(field.get("/T", ""))
        full_name = f"{parent_name}.{name}" if parent_name and name else name or parent_name
        field_type = field.get("/FT", parent_type)  # /FT is inheritable
        if "/Kids" in field:
            pending += [(kid, full_name, field_type) for kid in field["/Kids"]]
        if field_type == "/Sig" and "/V" in field:
            yield full_name, field.raw_get("/V")


def _signature_timestamp_tokens(signed_data: cms.SignedData) -> list[cms.SignedData]:
    tokens = []
    for signer_info in signed_data["signer_infos"]:
        attrs = signer_info["unsigned_attrs"]
        if isinstance(attrs, core.Void):  # absent (.native would parse all of it)
            continue
        tokens += [value["content"] for attr in attrs
                   if attr["type"].native == "signature_time_stamp_token"
                   for value in attr["values"]]
    return tokens


def timestamp_facts(token: cms.SignedData, kind: str) -> TimestampFacts:
    """The facts of a token that decide its renewal (ValueError when it cannot be read)."""
    try:
        tsa_cert = extract_certificate_info(token).signer_cert
        tst_info = token["encap_content_info"]["content"].parsed
        imprint = tst_info["message_imprint"]["hash_algorithm"]["algorithm"].native
        signer_digest = token["signer_infos"][0]["digest_algorithm"]["algorithm"].native
        key = tsa_cert.public_key
        if key.algorithm == "rsa":
            signature = f"rsa {key.bit_size}"
        elif key.algorithm == "ec":
            signature = f"ecdsa {key.curve[1]}"
        else:
            signature = key.algorithm
        return TimestampFacts(
            kind=kind, time=tst_info["gen_time"].native, tsa=tsa_cert.subject.human_friendly,
            tsa_expires=tsa_cert["tbs_certificate"]["validity"]["not_after"].native,
            digest_algorithm=imprint if imprint == signer_digest else f"{imprint}/{signer_digest}",
            signature_algorithm=signature,
        )
    except (KeyError, TypeError, AttributeError, IndexError) as e:
        raise ValueError(f"the {kind} cannot be read ({type(e).__name__}: {e})") from None


def renewal_reasons(facts: TimestampFacts | None, rule: RenewalRule) -> list[str]:
    """Why the newest timestamp must be renewed; empty when it need not be."""
    if facts is None:
        return ["the document has no timestamp"]
    reasons = []
    expires = facts.tsa_expires
    if expires is not None and expires <= rule.at:
        reasons.append(f"the TSA certificate expired on {expires:%Y-%m-%d}")
    elif expires is not None and expires <= rule.deadline:
        reasons.append(f"the TSA certificate expires on {expires:%Y-%m-%d}, "
                       f"within {rule.window}")
    policy = rule.policy
    if policy is not None:
        for digest in dict.fromkeys((facts.digest_algorithm or "").split("/")):
            if digest and digest not in policy.digests:
                reasons.append(f"its hash {digest} is not allowed by the profile "
                               f"({', '.join(policy.digests)})")
        kind, _, size = (facts.signature_algorithm or "").partition(" ")
        if kind == "rsa" and size.isdigit() and int(size) < policy.min_rsa_bits:
            reasons.append(f"its TSA key is RSA-{size}, below the profile's "
                           f"{policy.min_rsa_bits} bits")
        if kind == "ecdsa" and size not in policy.ec_curves:
            reasons.append(f"its TSA key's curve {size} is not allowed by the profile")
    return reasons


def refresh_document(session: ArchiveSession, source: Path, target: Path, *,
                     rule: RenewalRule, overwrite: bool = False,
                     dry_run: bool = False) -> LtvResult:
    """Renew ``source``'s newest timestamp when ``rule`` says it is due, written to
    ``target`` (``target`` = ``source``: replace it atomically). ``dry_run``: decide only.
    A failure raises a ``SigningError`` and leaves no output."""
    with session.open(source) as stream:
        reader, newest = _scan(session, stream, source)
        try:
            facts = timestamp_facts(*newest) if newest is not None else None
        except ValueError as e:
            raise InputError(said("kind_with_detail", kind=kind_of("input"), detail=str(e)),
                             path=source) from None
        reasons = renewal_reasons(facts, rule)
        if not reasons:
            return LtvResult(source, None, LtvStatus.NOT_NEEDED, newest_timestamp=facts)
        if dry_run:
            return LtvResult(source, None, LtvStatus.DUE, newest_timestamp=facts,
                             reasons=tuple(reasons))
        with session.output(stream, source, target, overwrite=overwrite) as output:
            added = session.run(_renew(session, stream, source, newest, output))
    return LtvResult(source, target, LtvStatus.RENEWED, added, newest_timestamp=facts,
                     reasons=tuple(reasons), sha256=output.sha256)


def _scan(session: ArchiveSession, stream: BinaryIO, source: Path):
    """The reader and the newest timestamp; strictly, else leniently (as ``open_reader``)."""
    for strict in (True, False):
        reader = session.open_reader(stream, source, strict=strict, parse_signatures=False)
        with pdf_errors(source):
            try:
                signed = list(_signature_values(reader))
                newest = _newest(signed)
            except PdfStrictReadError:
                continue
        if not signed:
            raise InputError(said("input.not_signed_refresh"), path=source)
        return reader, newest
    raise AssertionError("the lenient reader raised a strict-mode error")


async def _renew(session: ArchiveSession, stream: BinaryIO, source: Path,
                 newest: tuple[cms.SignedData, str] | None, output: Output) -> Additions:
    """Validation data for the newest timestamp (with none, for every signature: it is
    their first proof), then a fresh document timestamp over it, then the new TSA's data."""
    reader = session.open_reader(stream, source)  # the full one: signatures to validate
    context = session.document_context(reader)
    signed = [(newest[0], said("what.newest_timestamp", kind=newest[1]))] if newest \
        else signed_objects(reader)
    paths = [await session.validate_chain(sd, context, what, source) for sd, what in signed]
    added = await session.add_document_timestamp(stream, source, paths=paths, context=context,
                                                 output=output)
    return added + session.add_dss(output.file, source, paths=await session.tsa_paths(context),
                                   context=context, output=output)
