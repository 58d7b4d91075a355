"""Which signature field a new signature goes in, when the caller names none."""

from __future__ import annotations

from collections.abc import Iterable

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields as pdf_fields


def choose_field(writer: IncrementalPdfFileWriter) -> str:
    """The document's only empty signature field, else a new ``Signature<n>``."""
    fields = list(pdf_fields.enumerate_sig_fields(writer.prev))
    empty = [name for name, value, _ in fields if value is None]
    if len(empty) == 1:
        return empty[0]
    return new_field_name(name for name, _, _ in fields)


def new_field_name(existing: Iterable[str]) -> str:
    """``Signature<n>``, the first not taken."""
    taken = set(existing)
    n = 1
    while f"Signature{n}" in taken:
        n += 1
    return f"Signature{n}"
