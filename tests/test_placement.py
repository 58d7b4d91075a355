"""Placement of visible signatures (signkit/appearance/placement.py) on real PDFs: the
committed fixtures and Vietnamese documents made by tests/placement_support.py, with text
positions cross-checked against poppler's pdftotext."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
from placement_support import (
    PageSpec,
    Text,
    display_box,
    make_pdf,
    poppler_words,
    signed_copy,
    text_width,
    user_box,
)
from pyhanko.pdf_utils.reader import PdfFileReader

from signkit.appearance.placement import (
    CORNER_RIGHT_MARGIN,
    CORNER_TOP_INSET,
    MM,
    Placement,
    parse_rect,
    resolve_placement,
)
from signkit.errors import InputError, PlacementError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "pdf"
QD = (FIXTURES / "qd-123-quyet-dinh.pdf").read_bytes()  # 2 pages, "CHU TICH" on both
TT = (FIXTURES / "tt-7-to-trinh-co-truong-ky.pdf").read_bytes()  # empty field ChuKyLanhDao
SIGNATURE = (150.0, 60.0)
SEAL = (36 * MM, 36 * MM)
ROTATIONS = (0, 90, 180, 270)
CROP = (20.0, 30.0, 575.0, 812.0)  # a visible area offset from the MediaBox origin


def signature_block(*, rotate: int = 0, crop: tuple | None = None, name_y: float = 200,
                    fields: tuple = ()) -> PageSpec:
    """The right-hand signature block of a Vietnamese decision, with a body line above
    that mentions the title in lower case."""
    return PageSpec(texts=(
        Text("Điều 3. Chủ tịch Ủy ban nhân dân các huyện chịu trách nhiệm thi hành.",
             60, 420, size=12),
        Text("TM. ỦY BAN NHÂN DÂN", 400, 300, centred=True),
        Text("CHỦ TỊCH", 400, 284, centred=True),
        Text("Nguyễn Văn Ánh", 400, name_y, centred=True),
    ), rotate=rotate, crop_box=crop, fields=fields)


def words_box(words, *texts: str) -> tuple[float, float, float, float]:
    """The box around the first run of consecutive words ``texts``."""
    runs = [words[i:i + len(texts)] for i in range(len(words))
            if tuple(t for t, _ in words[i:i + len(texts)]) == texts]
    assert runs, f"poppler did not see {texts}: {words}"
    boxes = [box for _, box in runs[0]]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def overlap(a: float, b: float, c: float, d: float) -> float:
    return max(0.0, min(b, d) - max(a, c))


@pytest.fixture(scope="module")
def rotated_doc(tmp_path_factory) -> tuple[bytes, Path, list[PageSpec]]:
    """Four pages, one per /Rotate value, each with a CropBox offset."""
    pages = [signature_block(rotate=r, crop=CROP) for r in ROTATIONS]
    data = make_pdf(pages)
    path = tmp_path_factory.mktemp("placement") / "rotated.pdf"
    path.write_bytes(data)
    return data, path, pages


# --- pages and rectangles -----------------------------------------------------------

@pytest.mark.parametrize(("page", "index"), [(1, 0), (2, 1), (-1, 1), (-2, 0)])
def test_page_numbers_are_one_based_and_negative_ones_count_from_the_end(page, index):
    spot = resolve_placement(QD, Placement(page=page, rect=(300, 100, 450, 160)), SIGNATURE)
    assert spot.page_index == index
    assert spot.box == (300, 100, 450, 160)
    assert spot.how == f"at 300,100,450,160 on page {index + 1}"


@pytest.mark.parametrize("page", [3, -3])
def test_a_page_beyond_the_document_is_refused_with_its_page_count(page):
    with pytest.raises(PlacementError, match="the document has 2 pages") as caught:
        resolve_placement(QD, Placement(page=page, rect=(300, 100, 450, 160)), SIGNATURE)
    assert caught.value.page == page


def test_a_rectangle_without_a_page_goes_on_the_last_page_and_corner_text_on_the_first():
    rect = Placement(rect=(300, 100, 450, 160))
    assert resolve_placement(QD, rect, SIGNATURE).page_index == 1
    assert resolve_placement(QD, rect, SIGNATURE, preset_kind="corner-text").page_index == 0


@pytest.mark.parametrize("rect", [(500, 700, 700, 800), (-10, 100, 100, 200),
                                  (100, 800, 200, 900)])
def test_a_rectangle_outside_the_page_is_refused(rect):
    with pytest.raises(PlacementError, match=r"outside page 2.*0,0,595,842"):
        resolve_placement(QD, Placement(rect=rect), SIGNATURE)


def test_a_rectangle_with_swapped_corners_is_refused():
    with pytest.raises(PlacementError, match="X1 < X2 and Y1 < Y2"):
        resolve_placement(QD, Placement(rect=(450, 100, 300, 160)), SIGNATURE)


def test_a_rectangle_is_checked_against_the_visible_area_not_the_media_box():
    data = make_pdf([PageSpec(crop_box=CROP)])  # visible: 555 x 782
    with pytest.raises(PlacementError, match="0,0,555,782"):
        resolve_placement(data, Placement(rect=(400, 700, 560, 760)), SIGNATURE)


@pytest.mark.parametrize("rotate", ROTATIONS)
def test_a_rectangle_is_measured_on_the_page_as_displayed(rotated_doc, rotate):
    data, _, pages = rotated_doc
    page = ROTATIONS.index(rotate) + 1
    rect = (300.0, 100.0, 450.0, 160.0)
    spot = resolve_placement(data, Placement(page=page, rect=rect), SIGNATURE)
    assert spot.box == pytest.approx(user_box(pages[page - 1], rect))
    assert spot.page_rotation == rotate
    assert spot.upright_size == pytest.approx((150, 60))


@pytest.mark.parametrize(("arguments", "message"), [
    ({"page": 0, "rect": (1, 1, 2, 2)}, "start at 1"),
    ({"rect": (1, 1, 2, 2), "anchor": "CHU TICH"}, "not rect and anchor"),
    ({"field": "A", "over_signature": "B"}, "not field and over_signature"),
    ({"until": "Nguyen Van A"}, "needs an anchor"),
    ({"anchor": "   "}, "cannot be empty"),
    ({"anchor": "CHU TICH", "anchor_position": "beside"}, "unknown anchor position"),
    ({"rect": (1, 2, 3)}, "four numbers"),
])
def test_contradictory_or_empty_placements_are_refused_when_made(arguments, message):
    with pytest.raises(PlacementError, match=message):
        Placement(**arguments)


def test_a_command_line_rectangle_is_four_numbers():
    assert parse_rect("350,100.5,550,180") == (350, 100.5, 550, 180)
    with pytest.raises(PlacementError, match="four numbers"):
        parse_rect("350,100,550")


def test_input_that_is_not_a_pdf_is_an_input_error():
    with pytest.raises(InputError, match="unreadable PDF"):
        resolve_placement(b"%PDF-1.7\nnot really", Placement(rect=(1, 1, 2, 2)), SIGNATURE)


# --- anchor texts -------------------------------------------------------------------

def test_an_anchor_is_searched_from_the_last_page_and_the_box_goes_below_it(tmp_path):
    spot = resolve_placement(QD, Placement(anchor="CHU TICH"), SIGNATURE)
    assert spot.page_index == 1  # the appendix page repeats the block; the end wins
    assert spot.how == "below 'CHU TICH' on page 2"
    path = tmp_path / "qd.pdf"
    path.write_bytes(QD)
    title = words_box(poppler_words(path, 2), "CHU", "TICH")
    x1, y1, x2, y2 = spot.box
    assert y2 < title[1]  # the box top is under the text's bottom
    assert title[1] - y2 == pytest.approx(4, abs=1)
    assert (x1 + x2) / 2 == pytest.approx((title[0] + title[2]) / 2, abs=0.5)
    assert (x2 - x1, y2 - y1) == pytest.approx(SIGNATURE)


def test_an_anchor_on_a_named_page_is_searched_on_that_page_only(tmp_path):
    spot = resolve_placement(QD, Placement(anchor="chu tich", page=1), SIGNATURE)
    path = tmp_path / "qd.pdf"
    path.write_bytes(QD)
    title = words_box(poppler_words(path, 1), "CHU", "TICH")
    assert spot.page_index == 0
    assert spot.box[3] < title[1]
    with pytest.raises(PlacementError, match=r"'GIAM DOC' was not found on page 1 ") as caught:
        resolve_placement(QD, Placement(anchor="GIAM DOC", page=1), SIGNATURE)
    assert caught.value.page == 1


def test_a_missing_anchor_names_the_text_and_every_page_searched():
    with pytest.raises(PlacementError) as caught:
        resolve_placement(QD, Placement(anchor="PHÓ CHỦ TỊCH"), SIGNATURE)
    assert "'PHÓ CHỦ TỊCH' was not found on pages 2, 1" in str(caught.value)


@pytest.mark.parametrize("anchor", [
    "CHỦ TỊCH",  # as printed
    "chủ tịch",  # any case
    "  CHỦ \t TỊCH ",  # any whitespace
    unicodedata.normalize("NFD", "CHỦ TỊCH"),  # decomposed, as some keyboards send it
    "CHU TICH",  # typed without diacritics
])
def test_a_vietnamese_anchor_matches_however_it_is_typed(anchor):
    data = make_pdf([signature_block()])
    spot = resolve_placement(data, Placement(anchor=anchor), SIGNATURE)
    # the stand-alone title line wins over "Chủ tịch" in the body text above it
    assert spot.box[3] == pytest.approx(284 - 3.07 - 4, abs=1)
    assert (spot.box[0] + spot.box[2]) / 2 == pytest.approx(400, abs=0.5)


def test_an_anchor_with_diacritics_does_not_match_text_without_them():
    with pytest.raises(PlacementError, match="'CHỦ TỊCH' was not found"):
        resolve_placement(QD, Placement(anchor="CHỦ TỊCH"), SIGNATURE)


def test_a_text_only_inside_a_longer_line_is_still_found():
    data = make_pdf([signature_block()])
    spot = resolve_placement(data, Placement(anchor="huyện chịu trách"), SIGNATURE)
    assert spot.box[3] < 420 - 3


@pytest.mark.parametrize("rotate", ROTATIONS)
def test_an_anchor_is_found_where_poppler_sees_it_on_rotated_and_cropped_pages(
        rotated_doc, rotate):
    data, path, pages = rotated_doc
    page = ROTATIONS.index(rotate) + 1
    spot = resolve_placement(data, Placement(anchor="CHỦ TỊCH", page=page), SIGNATURE)
    tx1, ty1, tx2, _ = words_box(poppler_words(path, page, rotate), "CHỦ", "TỊCH")
    cx, w, h = (tx1 + tx2) / 2, *SIGNATURE
    expected = user_box(pages[page - 1], (cx - w / 2, ty1 - 4 - h, cx + w / 2, ty1 - 4))
    assert spot.box == pytest.approx(expected, abs=1)
    assert spot.page_rotation == rotate
    assert spot.upright_size == pytest.approx(SIGNATURE)


def test_the_box_is_centred_between_the_title_and_the_name(tmp_path):
    data = make_pdf([signature_block()])
    path = tmp_path / "vn.pdf"
    path.write_bytes(data)
    words = poppler_words(path, 1)
    title, name = words_box(words, "CHỦ", "TỊCH"), words_box(words, "Nguyễn", "Văn", "Ánh")
    spot = resolve_placement(data, Placement(anchor="CHỦ TỊCH", until="Nguyễn Văn Ánh"),
                             SIGNATURE)
    x1, y1, x2, y2 = spot.box
    assert name[3] < y1 and y2 < title[1]  # in the gap, touching neither line
    # pdfminer takes a line's top as one font size above its descent, poppler the font's
    # ascent: they differ by 0.16 em (2 pt here), hence the tolerance
    assert (y1 + y2) / 2 == pytest.approx((title[1] + name[3]) / 2, abs=1.5)
    assert (x1 + x2) / 2 == pytest.approx((title[0] + title[2] + name[0] + name[2]) / 4,
                                          abs=0.5)
    assert spot.how == "between 'CHỦ TỊCH' and 'Nguyễn Văn Ánh' on page 1"


def test_a_signature_shrinks_into_a_narrow_gap_but_a_seal_keeps_its_real_size():
    data = make_pdf([signature_block(name_y=225)])  # about 38 pt of blank between the lines
    signature = resolve_placement(
        data, Placement(anchor="CHỦ TỊCH", until="Nguyễn Văn Ánh"), SIGNATURE)
    w, h = signature.upright_size
    assert 30 < h < 40 and w / h == pytest.approx(150 / 60, rel=0.01)
    assert "scaled to" in signature.how
    roomy = make_pdf([signature_block(name_y=100)])
    seal = resolve_placement(roomy, Placement(anchor="CHỦ TỊCH", until="Nguyễn Văn Ánh"),
                             SEAL, preset_kind="seal")
    assert seal.upright_size == pytest.approx(SEAL, abs=0.02)
    with pytest.raises(PlacementError, match=r"is 38 pt high; the seal needs 102 pt"):
        resolve_placement(data, Placement(anchor="CHỦ TỊCH", until="Nguyễn Văn Ánh"),
                          SEAL, preset_kind="seal")


def test_a_signature_is_not_shrunk_below_half_its_size_the_file_fails_instead():
    data = make_pdf([signature_block(name_y=250)])  # 13 pt of blank between the lines
    with pytest.raises(PlacementError) as caught:
        resolve_placement(data, Placement(anchor="CHỦ TỊCH", until="Nguyễn Văn Ánh"),
                          SIGNATURE)
    assert ("the blank space between 'CHỦ TỊCH' and 'Nguyễn Văn Ánh' on page 1 is 13 pt "
            "high; the signature needs 60 pt") in str(caught.value)
    assert caught.value.page == 1


@pytest.mark.parametrize(("until", "message"), [
    ("Trần Văn B", "'Trần Văn B' was not found below 'CHỦ TỊCH' on page 1"),
    ("TM. ỦY BAN", "'TM. ỦY BAN' was not found below"),  # it is above the title
])
def test_a_name_missing_below_the_title_is_named_in_the_error(until, message):
    data = make_pdf([signature_block()])
    with pytest.raises(PlacementError, match=message):
        resolve_placement(data, Placement(anchor="CHỦ TỊCH", until=until), SIGNATURE)


@pytest.mark.parametrize(("position", "check"), [
    ("above", lambda box, text: box[1] > text[3]),
    ("right", lambda box, text: box[0] > text[2] and box[1] < text[1] < text[3] < box[3]),
    ("over", lambda box, text: abs(box[0] + box[2] - text[0] - text[2]) < 1
     and abs(box[1] + box[3] - text[1] - text[3]) < 3),
])
def test_other_anchor_positions(position, check):
    data = make_pdf([signature_block()])
    spot = resolve_placement(data, Placement(anchor="Nguyễn Văn Ánh",
                                             anchor_position=position), (100, 40))
    assert "moved" not in spot.how
    half = text_width("Nguyễn Văn Ánh", 13) / 2
    name = (400 - half, 200 - 3.1, 400 + half, 200 + 12.1)  # its line, as generated
    assert check(spot.box, name)


def test_a_box_that_would_leave_the_page_below_is_refused_not_moved_over_the_anchor():
    data = make_pdf([PageSpec(texts=(Text("CHỦ TỊCH", 300, 30, centred=True),))])
    with pytest.raises(PlacementError, match=r"below 'CHỦ TỊCH' on page 1 would leave"):
        resolve_placement(data, Placement(anchor="CHỦ TỊCH"), SIGNATURE)


def test_a_box_near_the_edge_is_moved_sideways_inside_the_page_and_says_so():
    data = make_pdf([PageSpec(texts=(Text("CHỦ TỊCH", 560, 400, centred=True),))])
    spot = resolve_placement(data, Placement(anchor="CHỦ TỊCH"), SIGNATURE)
    assert spot.box[2] == 595 and spot.box[3] < 400 - 3
    assert spot.how.endswith(", moved inside the page")


def test_a_pyhanko_reader_is_accepted_as_well_as_bytes():
    reader = PdfFileReader(io.BytesIO(QD), strict=False)
    spot = resolve_placement(reader, Placement(anchor="CHU TICH", page=1), SIGNATURE)
    assert spot == resolve_placement(QD, Placement(anchor="CHU TICH", page=1), SIGNATURE)


# --- signature fields ---------------------------------------------------------------

def test_an_empty_field_gives_its_page_and_box():
    spot = resolve_placement(TT, Placement(field="ChuKyLanhDao"), SIGNATURE)
    assert (spot.page_index, spot.box, spot.field_name) == (0, (350, 100, 550, 180),
                                                            "ChuKyLanhDao")
    assert spot.how == "in the empty signature field 'ChuKyLanhDao' on page 1"


def test_with_nothing_said_the_only_empty_field_is_used_and_otherwise_the_clerk_is_asked():
    assert resolve_placement(TT, Placement(), SIGNATURE).field_name == "ChuKyLanhDao"
    with pytest.raises(PlacementError, match=r"a box X1,Y1,X2,Y2 on a page, an anchor text or "
                       r"a signature field \(the document has no empty visible signature"):
        resolve_placement(QD, Placement(), SIGNATURE)
    two = make_pdf([PageSpec(fields=(("A", (50, 50, 200, 100)), ("B", (300, 50, 450, 100))))])
    with pytest.raises(PlacementError, match="several empty signature fields: 'A', 'B'"):
        resolve_placement(two, Placement(), SIGNATURE)


def test_an_unknown_field_is_refused_with_the_fields_there_are():
    with pytest.raises(PlacementError, match="no signature field 'Sig9'.*'ChuKyLanhDao'"):
        resolve_placement(TT, Placement(field="Sig9"), SIGNATURE)


def test_a_field_on_another_page_than_the_one_named_is_refused():
    data = make_pdf([PageSpec(fields=(("ChuKy", (350, 100, 500, 160)),)), PageSpec()])
    with pytest.raises(PlacementError, match="is on page 1, not on page -1"):
        resolve_placement(data, Placement(field="ChuKy", page=-1), SIGNATURE)


@pytest.fixture(scope="module")
def signed_docs() -> dict[int, tuple[bytes, PageSpec]]:
    """Per rotation: a document whose personal signature 'ChuKy' (150 x 60 as displayed)
    is signed, cryptographically, by a throwaway key."""
    docs = {}
    for rotate in ROTATIONS:
        page = signature_block(rotate=rotate, crop=CROP)
        target = user_box(page, (325.0, 215.0, 475.0, 275.0))
        docs[rotate] = (signed_copy(make_pdf([page]), "ChuKy", target, page_index=0), page)
    return docs


@pytest.mark.parametrize("rotate", ROTATIONS)
def test_the_seal_covers_the_left_third_of_the_personal_signature(signed_docs, rotate):
    data, page = signed_docs[rotate]
    spot = resolve_placement(data, Placement(over_signature="ChuKy"), SEAL, preset_kind="seal")
    seal = display_box(page, spot.box)  # as the reader sees it: the target is 325,215,475,275
    assert overlap(seal[0], seal[2], 325, 475) == pytest.approx(150 / 3, abs=0.05)
    assert seal[0] < 325  # it overhangs on the left, as a stamp over a signature does
    assert (seal[1] + seal[3]) / 2 == pytest.approx(245, abs=0.05)
    assert spot.upright_size == pytest.approx(SEAL, abs=0.02)
    assert spot.how == "over the left third of signature 'ChuKy' on page 1"


def test_a_signed_field_cannot_take_a_second_signature(signed_docs):
    data, _ = signed_docs[0]
    with pytest.raises(PlacementError, match="'ChuKy' is already signed"):
        resolve_placement(data, Placement(field="ChuKy"), SIGNATURE)


def test_the_seal_can_overlap_an_empty_field_too_and_stays_on_the_page():
    data = make_pdf([PageSpec(fields=(("ChuKy", (10, 300, 160, 360)),))])
    spot = resolve_placement(data, Placement(over_signature="ChuKy"), SEAL, preset_kind="seal")
    assert spot.box[0] == 0  # a seal a third of the way in would start off the page
    assert spot.how.endswith("moved inside the page")


# --- copies and attachments: top right of the first page -----------------------------

@pytest.mark.parametrize("rotate", ROTATIONS)
def test_corner_text_sits_in_the_top_right_margin_of_the_first_page(rotated_doc, rotate):
    data, _, pages = rotated_doc
    page = ROTATIONS.index(rotate) + 1
    placement = Placement(page=page) if page > 1 else Placement()
    spot = resolve_placement(data, placement, (200, 36), preset_kind="corner-text")
    w, h = (555, 782) if rotate in (0, 180) else (782, 555)
    expected = (w - 15 * MM - 200, h - 5 * MM - 36, w - 15 * MM, h - 5 * MM)
    assert spot.box == pytest.approx(user_box(pages[page - 1], expected), abs=0.02)
    assert expected[1] > h - 20 * MM  # inside Decree 30's 20 mm top margin: clear of the text
    assert spot.how == f"top right of page {page}"
    assert pytest.approx((15 * MM, 5 * MM)) == (CORNER_RIGHT_MARGIN, CORNER_TOP_INSET)


def test_corner_text_on_a_fixture_document():
    spot = resolve_placement(QD, Placement(), (200, 36), preset_kind="corner-text")
    assert spot.page_index == 0
    assert spot.box == pytest.approx((595 - 15 * MM - 200, 842 - 5 * MM - 36,
                                      595 - 15 * MM, 842 - 5 * MM), abs=0.01)


def test_the_generated_test_documents_are_valid_pdfs(rotated_doc, signed_docs, tmp_path):
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_docs[90][0])
    for pdf in (rotated_doc[1], path):
        run = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
        assert run.returncode == 0, run.stdout + run.stderr


# --- the blank space of a signature block ----------------------------------------------

@pytest.fixture(scope="module")
def decision(tmp_path_factory) -> tuple[bytes, list]:
    """The demo's Vietnamese decision (signkit.demo_samples): "KT. CHỦ TỊCH" over "PHÓ CHỦ
    TỊCH", a blank gap, the name; and poppler's words of it."""
    from signkit.demo_samples import decision_pdf

    data = decision_pdf()
    path = tmp_path_factory.mktemp("decision") / "qd.pdf"
    path.write_bytes(data)
    return data, poppler_words(path, 1)


def covers(box, word_box) -> bool:
    return overlap(box[0], box[2], word_box[0], word_box[2]) > 0.5 and \
        overlap(box[1], box[3], word_box[1], word_box[3]) > 0.5


@pytest.mark.parametrize("until", [None, "Nguyễn Văn Đặng"])
def test_an_anchor_in_a_two_line_title_lands_in_the_blank_space_under_the_title(
        decision, until):
    data, words = decision
    spot = resolve_placement(data, Placement(anchor="CHỦ TỊCH", until=until), (170, 60))
    x1, y1, x2, y2 = spot.box
    title = words_box(words, "PHÓ", "CHỦ", "TỊCH")
    name = words_box(words, "Nguyễn", "Văn", "Đặng")
    assert y2 < title[1] and y1 > name[3]  # under the last title line, above the name
    assert [w for w, b in words if covers(spot.box, b)] == []  # over no word of the page
    assert "'CHỦ TỊCH'" in spot.how and "scaled" not in spot.how


def test_a_box_too_tall_for_the_blank_space_fails_and_names_the_room(decision):
    data, _ = decision
    with pytest.raises(PlacementError) as caught:
        resolve_placement(data, Placement(anchor="CHỦ TỊCH", until="Nguyễn Văn Đặng"),
                          (110, 110), preset_kind="seal")
    message = str(caught.value)
    assert re.search(r"between 'CHỦ TỊCH' and 'Nguyễn Văn Đặng' on page 1 is 9\d pt high; "
                     r"the seal needs 110 pt", message)
    assert caught.value.page == 1


def test_below_a_title_whose_next_line_is_close_the_box_is_refused_with_that_line(decision):
    data, _ = decision
    with pytest.raises(PlacementError, match=r"below 'KT. CHỦ TỊCH' on page 1: it would "
                                             r"cover the text 'PHÓ CHỦ TỊCH'"):
        resolve_placement(data, Placement(anchor="KT. CHỦ TỊCH"), (170, 60))


def test_a_name_with_another_line_between_it_and_the_title_is_refused(decision):
    data, _ = decision
    with pytest.raises(PlacementError, match=r"'PHÓ CHỦ TỊCH' lies between 'KT. CHỦ TỊCH'"):
        resolve_placement(data, Placement(anchor="KT. CHỦ TỊCH", until="Nguyễn Văn Đặng"),
                          (170, 60))


@pytest.mark.parametrize("position", ["above", "right"])
def test_other_positions_that_would_cover_text_are_refused(decision, position):
    data, _ = decision
    with pytest.raises(PlacementError, match=r"no blank space for the signature .* "
                                             r"it would cover the text"):
        resolve_placement(data, Placement(anchor="KT. CHỦ TỊCH", anchor_position=position),
                          (170, 60))
