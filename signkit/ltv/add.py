"""``signkit ltv add``: bring the signatures a document already has, whoever made them, up to
PAdES B-LT or B-LTA.

B-LT needs, for every signature, a proof of when it existed (its signature timestamp, or a
document timestamp after it) and, in the DSS, the chains and revocation data of every signer
and TSA. B-LTA adds a document timestamp over all of that. What is missing is fetched (OCSP,
CRLs: hard-fail) and appended in incremental updates, never touching the signed bytes:

- the DSS update goes into the same revision as a new document timestamp, when one is needed,
  so that the timestamp covers it; the TSA's own chain and revocation data follow in one more
  DSS update (as pyHanko does for B-LTA);
- a document that already holds everything (checked offline first, against its own DSS) is
  left alone: NOT_NEEDED.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

from ..error_messages import said
from ..errors import InputError, SigningError
from ..signing.document import PadesLevel
from ..verification.evidence import (
    Evidence,
    archive_timestamped,
    build_chain,
    dss_evidence,
    embedded_evidence,
    signature_timestamp_tokens,
)
from .result import Additions, LtvResult, LtvStatus
from .session import ArchiveSession, Output

LEVELS = (PadesLevel.B_LT, PadesLevel.B_LTA)


def add_validation_data(session: ArchiveSession, source: Path, target: Path, *,
                        level: PadesLevel = PadesLevel.B_LT,
                        overwrite: bool = False) -> LtvResult:
    """Bring ``source``'s signatures up to ``level`` (B-LT or B-LTA), written to ``target``
    (``target`` = ``source``: replace it atomically); nothing is written when nothing is
    missing. A failure raises a ``SigningError`` and leaves no output."""
    if level not in LEVELS:
        raise ValueError(f"ltv add brings signatures to B-LT or B-LTA, not {level.value}")
    with session.open(source) as stream:
        reader = session.open_reader(stream, source)
        if not reader.embedded_signatures:
            raise InputError(said("input.not_signed"), path=source)
        with session.output(stream, source, target, overwrite=overwrite) as output:
            added = session.run(_extend(session, reader, stream, source, level, output))
    if not output.written:
        return LtvResult(source, None, LtvStatus.NOT_NEEDED)
    return LtvResult(source, target, LtvStatus.ADDED, added, sha256=output.sha256)


async def _extend(session: ArchiveSession, reader: PdfFileReader, stream: BinaryIO,
                  source: Path, level: PadesLevel, output: Output) -> Additions:
    """Write what is missing to ``output``; nothing when nothing is."""
    signed = signed_objects(reader)
    complete = await _complete_offline(session, reader, signed, source)
    if level is PadesLevel.B_LTA:
        dss = dss_evidence(reader)
        timestamp_due = not all(_archive_timestamped(session, reader, sig, dss)
                                for sig in reader.embedded_regular_signatures)
    else:
        timestamp_due = any(not _proven(reader, s) for s in reader.embedded_regular_signatures)
    if complete and not timestamp_due:
        return Additions()
    context = session.document_context(reader)
    paths = None
    if not complete:
        paths = [await session.validate_chain(sd, context, what, source) for sd, what in signed]
        if not timestamp_due and level is PadesLevel.B_LT:
            return session.add_dss(stream, source, paths=paths, context=context, output=output)
    added = await session.add_document_timestamp(stream, source, paths=paths, context=context,
                                                 output=output)
    tsa_paths = await session.tsa_paths(context)
    return added + session.add_dss(output.file, source, paths=tsa_paths, context=context,
                                   output=output)


def signed_objects(reader: PdfFileReader) -> list[tuple[object, str]]:
    """Every CMS object whose signer needs validation data, with a name for messages."""
    items: list[tuple[object, str]] = []
    for sig in reader.embedded_signatures:
        if sig.sig_object_type == "/DocTimeStamp":
            items.append((sig.signed_data, said("what.document_timestamp",
                                                field=sig.field_name)))
            continue
        what = said("what.signature", field=sig.field_name)
        items.append((sig.signed_data, what))
        items += [(token, said("what.timestamp_of", what=what))
                  for token in signature_timestamp_tokens(sig)]
    return items


async def _complete_offline(session: ArchiveSession, reader: PdfFileReader, signed: list,
                            source: Path) -> bool:
    """Does the document alone (its DSS) let every chain validate now, revocation included?"""
    context = session.offline_context(reader)
    try:
        for signed_data, what in signed:
            await session.validate_chain(signed_data, context, what, source)
    except SigningError:
        return False
    return True


def _archive_timestamped(session: ArchiveSession, reader: PdfFileReader,
                         sig: EmbeddedPdfSignature, dss: Evidence) -> bool:
    """As verification judges B-LTA: a document timestamp after the DSS data of the
    signature's chain (one before an `ltv add --level B-LT` does not count)."""
    evidence = embedded_evidence(reader, sig, dss)
    chain = build_chain(sig.signer_cert, [*evidence.certs, *session.intermediates],
                        session.anchors)
    return archive_timestamped(reader, sig, chain, evidence)


def _proven(reader: PdfFileReader, sig: EmbeddedPdfSignature) -> bool:
    """A timestamp proves when ``sig`` existed: its own, or a document timestamp after it."""
    return bool(signature_timestamp_tokens(sig)) or any(
        ts.signed_revision > sig.signed_revision for ts in reader.embedded_timestamp_signatures)
