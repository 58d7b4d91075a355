"""Where a text sits on a page: pdfminer.six lays out only the pages asked for, and the
anchor search compares text the way a clerk types it (NFC or decomposed, any case, with or
without Vietnamese diacritics)."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ..error_messages import said
from ..errors import InputError

Box = tuple[float, float, float, float]
Matrix = tuple[float, float, float, float, float, float]


@dataclass(frozen=True)
class TextHit:
    bbox: Box  # page space
    whole_line: bool  # the line holds the anchor and nothing else


@dataclass(frozen=True)
class TextLine:
    glyphs: tuple[tuple[str, Box | None], ...]  # text and page-space box of each glyph
    top: float
    left: float


def page_lines(data: bytes, order: Sequence[int], to_page_space: Callable[[int], Matrix],
               *, password: str = "") -> Iterator[tuple[int, list[TextLine]]]:
    """Text lines of each page in ``order``, in reading order, mapped into page space by
    ``to_page_space(index)``; pdfminer lays out only these pages (of an encrypted document,
    with its ``password``)."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.psexceptions import PSException

    try:
        pages = list(PDFPage.create_pages(PDFDocument(
            PDFParser(io.BytesIO(data)), password=password)))
    except (PSException, ValueError, KeyError, TypeError) as e:
        raise InputError(said("input.text_unreadable",
                              detail=str(e) or type(e).__name__)) from None
    resources = PDFResourceManager(caching=True)
    device = PDFPageAggregator(resources, laparams=LAParams(all_texts=True))
    interpreter = PDFPageInterpreter(resources, device)
    for index in order:
        if index >= len(pages):
            continue
        page, ctm = pages[index], to_page_space(index)
        try:  # pdfminer's process_page, with our page space instead of its own
            device.begin_page(page, ctm)
            interpreter.render_contents(page.resources, page.contents, ctm=ctm)
            device.end_page(page)
        except (PSException, ValueError, KeyError, TypeError, IndexError, AttributeError) as e:
            raise InputError(said("input.page_text_unreadable", page=index + 1,
                                  detail=str(e) or type(e).__name__)) from None
        yield index, sorted(_lines_in(device.get_result()), key=lambda ln: (-ln.top, ln.left))


def _lines_in(container) -> Iterator[TextLine]:
    from pdfminer.layout import LTChar, LTContainer, LTTextLineHorizontal

    for item in container:
        if isinstance(item, LTTextLineHorizontal):
            glyphs = tuple((g.get_text(), g.bbox if isinstance(g, LTChar) else None)
                           for g in item)
            yield TextLine(glyphs, item.y1, item.x0)
        elif isinstance(item, LTContainer):
            yield from _lines_in(item)


def find_in_lines(lines: Sequence[TextLine], text: str) -> list[TextHit]:
    """Occurrences of ``text`` in ``lines``: NFC-equivalent, case-insensitive, whitespace
    collapsed; an anchor typed without diacritics also matches text with them."""
    strip_marks = normalise(text, strip_marks=False) == normalise(text, strip_marks=True)
    needle = normalise(text, strip_marks=strip_marks)
    found = []
    for line in lines:
        folded, owners = _fold_line(line, strip_marks)
        start = folded.find(needle)
        while start >= 0:
            boxes = [b for g in owners[start:start + len(needle)]
                     if (b := line.glyphs[g][1]) is not None]
            if boxes:
                found.append(TextHit((min(b[0] for b in boxes), min(b[1] for b in boxes),
                                       max(b[2] for b in boxes), max(b[3] for b in boxes)),
                                      folded == needle))
            start = folded.find(needle, start + 1)
    return found


def _fold_line(line: TextLine, strip_marks: bool) -> tuple[str, list[int]]:
    """The line's searchable text, and for each of its characters the glyph it came from."""
    chars: list[str] = []
    owners: list[int] = []
    for index, (text, _) in enumerate(line.glyphs):
        for ch in _fold(text, strip_marks):
            if ch == " " and (not chars or chars[-1] == " "):
                continue
            chars.append(ch)
            owners.append(index)
    while chars and chars[-1] == " ":
        chars.pop()
        owners.pop()
    return "".join(chars), owners


def _fold(text: str, strip_marks: bool) -> str:
    # compared decomposed (NFD): "ủ" typed precomposed matches a "u" + hook + ... glyph run
    folded = unicodedata.normalize("NFD", unicodedata.normalize("NFD", text).casefold())
    if strip_marks:
        folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
        folded = folded.replace("đ", "d")
    return "".join(" " if ch.isspace() else ch for ch in folded)


def normalise(text: str, *, strip_marks: bool) -> str:
    return " ".join(_fold(text, strip_marks).split())
