"""What changed after a signature, in words a clerk reads: "page 1's content was changed
after the signature", not pyHanko's "There are unexplained xrefs in revision 2:
Reference(idnum=14…)". Only the account changes: the verdict is pyHanko's difference
analysis (verdict.py), whose words stay in the report as technical detail.

The objects the updates after the signed revision wrote are matched against what each page
of the final document shows: the page itself, its content streams, the resources they draw
(form XObjects, fonts, images, recursively), the appearances of its annotations, and the
annotations themselves. A page whose object or
content changed is named; annotations and form fields are told apart; a replaced page tree
is said once. A change that touches none of these is "changed in a way that is not
allowed". Large documents are walked within fixed bounds.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from ..report.messages import Message

_MAX_PAGES = 2000  # pages looked at; a change beyond them is still reported, unnamed
_MAX_OBJECTS_PER_PAGE = 400  # resources followed from one page
_MAX_OBJECTS = 20_000  # resources followed in all (a hostile file may share none)
_MAX_MESSAGES = 6


def describe_changes(reader: PdfFileReader, signed_revision: int, *,
                     later_signatures: frozenset[str] = frozenset()) -> list[Message]:
    """Plain messages for what the updates after ``signed_revision`` changed (at least one).
    ``later_signatures``: names of signature fields signed later, which are no finding."""
    try:
        return _describe(reader, signed_revision, later_signatures) or [Message("changed.other")]
    except Exception:  # noqa: BLE001 - an account of a hostile file is best effort
        return [Message("changed.other")]


def _describe(reader: PdfFileReader, signed_revision: int,
              later_signatures: frozenset[str]) -> list[Message]:
    changed = _written_after(reader, signed_revision)
    if not changed:
        return []
    old_root = reader.get_historical_root(signed_revision)
    new_root = reader.root
    if _ref_of(old_root, "/Pages") != _ref_of(new_root, "/Pages"):
        return [Message("changed.pages_replaced")]
    old_pages = list(itertools.islice(_page_refs(old_root["/Pages"]), _MAX_PAGES))
    found: list[Message] = []
    budget = [_MAX_OBJECTS]
    pages = itertools.islice(_pages(new_root["/Pages"]), _MAX_PAGES)
    for number, (ref, page) in enumerate(pages, start=1):
        replaced = number > len(old_pages) or old_pages[number - 1] != ref
        if replaced or (ref in changed and _drawing_changed(reader, signed_revision, ref)) \
                or _reached(page, changed, budget):
            found.append(Message("changed.page_content", page=number))
        found += _annotation_changes(page, number, changed, later_signatures)
    found = list(dict.fromkeys(found))
    if len(found) > _MAX_MESSAGES:
        found = found[:_MAX_MESSAGES]
    return found


def _written_after(reader: PdfFileReader, signed_revision: int) -> set[tuple[int, int]]:
    written: set[tuple[int, int]] = set()
    for revision in range(signed_revision + 1, reader.xrefs.total_revisions):
        written |= {(ref.idnum, ref.generation)
                    for ref in reader.xrefs.explicit_refs_in_revision(revision)}
    return written


def _ref_of(dictionary: generic.DictionaryObject, key: str) -> tuple[int, int] | None:
    raw = dictionary.raw_get(key) if key in dictionary else None
    if isinstance(raw, generic.IndirectObject):
        return raw.idnum, raw.generation
    return None


def _page_refs(node) -> Iterator[tuple[int, int] | None]:
    for ref, _ in _pages(node):
        yield ref


def _pages(node: generic.DictionaryObject
           ) -> Iterator[tuple[tuple[int, int] | None, generic.DictionaryObject]]:
    """(reference, page) in order; each node of the tree once (a hostile tree may loop),
    within bounds."""
    seen: set[tuple[int, int]] = set()
    visits = [_MAX_OBJECTS]

    def walk(node: generic.DictionaryObject, depth: int):
        kids = node.get("/Kids", generic.ArrayObject())
        if depth > 32 or not isinstance(kids, generic.ArrayObject):
            return
        for index in range(len(kids)):
            visits[0] -= 1
            if visits[0] < 0:
                return
            raw = kids.raw_get(index)
            ref = (raw.idnum, raw.generation) if isinstance(raw, generic.IndirectObject) \
                else None
            if ref is not None:
                if ref in seen:
                    continue
                seen.add(ref)
            kid = kids[index]
            if not isinstance(kid, generic.DictionaryObject):
                continue
            if kid.get("/Type") == "/Pages" or "/Kids" in kid:
                yield from walk(kid, depth + 1)
            else:
                yield ref, kid

    yield from walk(node, 0)


def _drawing_changed(reader: PdfFileReader, signed_revision: int, ref: tuple[int, int]) -> bool:
    """Whether the page object's drawing keys changed (not only its annotation list)."""
    old = reader.get_historical_resolver(signed_revision).get_object(
        generic.Reference(ref[0], ref[1], reader))
    new = reader.get_object(generic.Reference(ref[0], ref[1], reader))
    keys = (set(old.keys()) | set(new.keys())) - {"/Annots"}
    return any(_plain(old.raw_get(k) if k in old else None)
               != _plain(new.raw_get(k) if k in new else None) for k in keys)


def _plain(value) -> object:
    if isinstance(value, generic.IndirectObject):
        return ("ref", value.idnum, value.generation)
    if isinstance(value, generic.DictionaryObject):
        return {k: _plain(value.raw_get(k)) for k in value}
    if isinstance(value, generic.ArrayObject):
        return [_plain(value.raw_get(i)) for i in range(len(value))]
    return value


def _reached(page: generic.DictionaryObject, changed: set[tuple[int, int]],
             budget: list[int]) -> bool:
    """Whether the page's content streams or the resources they draw were rewritten, or
    what the appearance of an unchanged annotation draws (a font swapped under a filled-in
    field shows other text on the page)."""
    pending = [page.raw_get(key) for key in ("/Contents", "/Resources") if key in page]
    annots = page.get("/Annots")
    if isinstance(annots, generic.ArrayObject):
        for index in range(min(len(annots), _MAX_OBJECTS_PER_PAGE)):
            raw = annots.raw_get(index)
            if isinstance(raw, generic.IndirectObject) \
                    and (raw.idnum, raw.generation) not in changed:
                annot = raw.get_object()
                if isinstance(annot, generic.DictionaryObject) and "/AP" in annot:
                    pending.append(annot.raw_get("/AP"))
    seen: set[tuple[int, int]] = set()
    while pending and len(seen) < _MAX_OBJECTS_PER_PAGE and budget[0] > 0:
        value = pending.pop()
        if isinstance(value, generic.IndirectObject):
            key = (value.idnum, value.generation)
            if key in seen:
                continue
            seen.add(key)
            budget[0] -= 1
            if key in changed:
                return True
            value = value.get_object()
        if len(pending) > _MAX_OBJECTS_PER_PAGE * 10:
            break  # a dictionary or array of millions of entries: no account
        if isinstance(value, generic.DictionaryObject):  # streams included
            pending += [value.raw_get(k) for k in value if k not in ("/Parent", "/Annots")]
        elif isinstance(value, generic.ArrayObject):
            pending += [value.raw_get(i) for i in range(len(value))]
    return False


def _annotation_changes(page: generic.DictionaryObject, number: int,
                        changed: set[tuple[int, int]],
                        later_signatures: frozenset[str]) -> list[Message]:
    annots = page.get("/Annots")
    if not isinstance(annots, generic.ArrayObject):
        return []
    found = []
    for index in range(min(len(annots), _MAX_OBJECTS_PER_PAGE)):
        raw = annots.raw_get(index)
        if not isinstance(raw, generic.IndirectObject) \
                or (raw.idnum, raw.generation) not in changed:
            continue
        annot = raw.get_object()
        if not isinstance(annot, generic.DictionaryObject):
            continue
        field = _field_of(annot)
        if field is None:
            found.append(Message("changed.annotation", page=number))
            continue
        name, kind = field
        if kind == "/Sig" and name in later_signatures:
            continue  # a later signature: allowed, and judged on its own
        code = "changed.signature_field" if kind == "/Sig" else "changed.form_field"
        found.append(Message(code, name=name))
    return found


def _field_of(annot: generic.DictionaryObject) -> tuple[str, str] | None:
    """(full name, field type) of a widget's form field; None for other annotations."""
    if annot.get("/Subtype") != "/Widget":
        return None
    names, kind, node = [], None, annot
    for _ in range(16):
        if "/T" in node:
            names.append(str(node["/T"]))
        kind = kind or node.get("/FT")
        parent = node.get("/Parent")
        if not isinstance(parent, generic.DictionaryObject):
            break
        node = parent
    return ".".join(reversed(names)) or "?", str(kind or "")
