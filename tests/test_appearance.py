"""Visible-signature drawing (signkit/appearance): every preset signed into a real page with
pyHanko's PdfSigner and a PKCS#12 key of the test PKI, then judged by independent tools —
poppler renders it (pixels change only inside the widget, the ink stays off the box's
edge) and extracts its text through the ToUnicode map (after qpdf flattens the widget),
pdfsig/qpdf/pyHanko check the signature — plus reference renders, the font metrics and
the refusals.

Reference renders: tests/reference/<preset>.png, the appearance alone at a fixed signing
time, 100 dpi. After an intended change of the drawing, regenerate them with
``SIGNKIT_UPDATE_REFERENCE=1 .venv/bin/python -m pytest tests/test_appearance.py -k reference``
and look at them before committing.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE
from fontTools import ttLib
from PIL import Image, ImageChops
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign import fields, signers

from signkit.appearance import Appearance, Preset, appearance_style, preferred_size
from signkit.appearance.fonts import DEFAULT_REGULAR, load_font
from signkit.appearance.layout import Align, Paragraph, fit_text
from signkit.errors import AppearanceError, SigningError

IMAGES = ROOT / "fixtures" / "appearance"
SIGNATURE_PNG = IMAGES / "signature.png"
SEAL_PNG = IMAGES / "seal.png"
REFERENCE = Path(__file__).resolve().parent / "reference"
PAGE_HEIGHT = 842
ORGANISATION = "Ủy ban nhân dân tỉnh Quảng Ngãi"
NAME = "Nguyễn Văn Đặng"
FIXED_TIME = dt.datetime(2026, 11, 29, 7, 5, 9, tzinfo=dt.UTC)  # 14:05:09 in Vietnam


def appearances() -> dict[Preset, Appearance]:
    return {
        Preset.PLAIN: Appearance(Preset.PLAIN, signer_name=NAME, reason="Phê duyệt ặ ỗ ữ Đ",
                                 location="Quảng Ngãi"),
        # the name typed with combining marks, as some Vietnamese keyboards produce it
        Preset.VN_PERSONAL: Appearance(
            Preset.VN_PERSONAL, signature_image=SIGNATURE_PNG,
            signer_title="KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
            signer_name=unicodedata.normalize("NFD", NAME)),
        Preset.VN_SEAL: Appearance(Preset.VN_SEAL, seal_image=SEAL_PNG,
                                   organisation=ORGANISATION, seal_info=True),
        Preset.VN_COPY: Appearance(Preset.VN_COPY, organisation=ORGANISATION),
        Preset.VN_ATTACHMENT: Appearance(Preset.VN_ATTACHMENT,
                                         reference="Kèm theo Quyết định số 123/QĐ-UBND",
                                         organisation="ặ ỗ ữ Đ"),
    }


EXPECTED_TEXT = {
    Preset.PLAIN: [f"Người ký: {NAME}", "Lý do: Phê duyệt ặ ỗ ữ Đ", "Nơi ký: Quảng Ngãi"],
    Preset.VN_PERSONAL: ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", NAME],
    Preset.VN_SEAL: [ORGANISATION],  # on one line beside the seal, never broken
    Preset.VN_COPY: ["Sao y", ORGANISATION],
    Preset.VN_ATTACHMENT: ["Kèm theo Quyết định số 123/QĐ-UBND", "ặ ỗ ữ Đ"],
}


# --- helpers ----------------------------------------------------------------------------

def sign_with(pki, appearance: Appearance, box: tuple[float, float, float, float],
              out: Path, source: Path = SAMPLE) -> None:
    """What the integrator does: PdfSigner with our stamp style and a new field."""
    signer = signers.SimpleSigner.load_pkcs12(pki.p12("signer-rsa2048"),
                                               passphrase=b"p12-secret")
    pdf_signer = signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name="Sig1"), signer,
        stamp_style=appearance_style(appearance),
        new_field_spec=fields.SigFieldSpec("Sig1", on_page=0, box=box))
    with source.open("rb") as inf:
        writer = IncrementalPdfFileWriter(inf)
        buffer = io.BytesIO()
        pdf_signer.sign_pdf(writer, output=buffer)
    out.write_bytes(buffer.getvalue())


def render(pdf: Path, dpi: int = 72) -> Image.Image:
    run = subprocess.run(["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-png",
                          "-singlefile", str(pdf)], capture_output=True, check=True)
    return Image.open(io.BytesIO(run.stdout)).convert("RGB")


def changed_pixels(before: Image.Image, after: Image.Image) -> Image.Image:
    diff = ImageChops.difference(before, after).convert("L")
    return diff.point(lambda v: 255 if v > 24 else 0)


def page_text(pdf: Path, tmp_path: Path) -> str:
    """The page's text with the widget flattened into it, as poppler extracts it (through
    the fonts' ToUnicode maps; the appearance carries no /ActualText)."""
    flat = tmp_path / "flat.pdf"
    run = subprocess.run(["qpdf", "--flatten-annotations=all", str(pdf), str(flat)],
                         capture_output=True, text=True)
    assert run.returncode in (0, 3), run.stderr  # 3: warnings only
    return subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(flat), "-"],
                          capture_output=True, text=True, check=True).stdout


def widget_fonts(pdf: Path) -> list[generic.DictionaryObject]:
    reader = PdfFileReader(io.BytesIO(pdf.read_bytes()))
    (sig,) = reader.embedded_signatures
    stream = sig.sig_field["/AP"]["/N"]
    fonts = stream["/Resources"]["/Font"]
    return [fonts[name] for name in fonts]


def to_unicode_map(font: generic.DictionaryObject) -> dict[int, str]:
    """The font's /ToUnicode CMap (bfchar and bfrange sections) as CID -> text."""
    cmap = font["/ToUnicode"].data.decode("ascii")
    mapping: dict[int, str] = {}

    def text(hex_: str) -> str:
        return bytes.fromhex(hex_).decode("utf-16-be")

    for section in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(r"<(\w+)>\s*<(\w+)>", section):
            mapping[int(src, 16)] = text(dst)
    for section in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for first, last, rest in re.findall(r"<(\w+)>\s*<(\w+)>\s*(\[[^\]]*\]|<\w+>)",
                                            section):
            targets = re.findall(r"<(\w+)>", rest)
            for k, cid in enumerate(range(int(first, 16), int(last, 16) + 1)):
                if rest.startswith("["):
                    mapping[cid] = text(targets[k])
                else:
                    start = text(targets[0])
                    mapping[cid] = start[:-1] + chr(ord(start[-1]) + k)
    return mapping


def widget_lines(pdf: Path) -> list[str]:
    """The widget appearance's text, one string per text-showing operator, decoded with
    nothing but the fonts' ToUnicode maps."""
    reader = PdfFileReader(io.BytesIO(pdf.read_bytes()))
    (sig,) = reader.embedded_signatures
    stream = sig.sig_field["/AP"]["/N"]
    fonts = stream["/Resources"]["/Font"]
    maps = {name: to_unicode_map(fonts[name]) for name in fonts}
    lines, current = [], None
    for match in re.finditer(rb"(/F\d+) [\d.]+ Tf|\[([^\]]*)\] TJ|<(\w+)> Tj", stream.data):
        if match.group(1):
            current = maps[match.group(1).decode()]
            continue
        hexes = re.findall(rb"<(\w+)>", match.group(2)) if match.group(2) else [match.group(3)]
        cids = [int(h[i:i + 4], 16) for h in hexes for i in range(0, len(h), 4)]
        lines.append("".join(current[cid] for cid in cids))
    return lines


def place(appearance: Appearance, x: float = 300, y: float = 250):
    w, h = preferred_size(appearance)
    return (x, y, x + w, y + h)


# --- signed with each preset, judged by poppler, qpdf and pyHanko -------------------------

@pytest.mark.slow
@pytest.mark.parametrize("preset", list(Preset), ids=lambda p: p.value)
def test_each_preset_draws_only_inside_its_box_and_stays_valid(pki, checks, tmp_path,
                                                                preset):
    appearance = appearances()[preset]
    box = place(appearance)
    out = tmp_path / "signed.pdf"
    sign_with(pki, appearance, box, out)
    checks.all(out)

    changed = changed_pixels(render(SAMPLE), render(out))
    inked = changed.getbbox()
    assert inked is not None, "nothing was drawn"
    x1, y1, x2, y2 = box  # 72 dpi: one pixel per point, y from the top
    left, top, right, bottom = x1, PAGE_HEIGHT - y2, x2, PAGE_HEIGHT - y1
    # strictly inside: the ink keeps off the box's edge (2 pt of padding, 1 px of slack)
    assert left + 1 <= inked[0] and inked[2] <= right - 1, (inked, box)
    assert top + 1 <= inked[1] and inked[3] <= bottom - 1, (inked, box)
    ink_share = changed.crop(inked).histogram()[255] / (
        (inked[2] - inked[0]) * (inked[3] - inked[1]))
    assert ink_share > 0.02

    lines = widget_lines(out)
    for expected in EXPECTED_TEXT[preset]:
        assert expected in lines, (expected, lines)
    # poppler reads the same words (it guesses spaces and line breaks by itself)
    text = page_text(out, tmp_path)
    words = text.split()
    for expected in EXPECTED_TEXT[preset]:
        assert " ".join(expected.split()) in " ".join(words) or all(
            w in words for w in expected.split() if len(w) > 1), (expected, text)
    reader = PdfFileReader(io.BytesIO(out.read_bytes()))
    (sig,) = reader.embedded_signatures
    signed_at = sig.self_reported_timestamp
    if preset.decree30 and preset is not Preset.VN_PERSONAL:
        vietnam = signed_at.astimezone(dt.timezone(dt.timedelta(hours=7)))
        shown = vietnam.replace(microsecond=0).isoformat()
        assert shown.endswith("+07:00")
        assert shown in lines and shown in text, (shown, lines)
    elif preset is Preset.PLAIN:
        assert f"Thời gian ký: {signed_at.replace(microsecond=0).isoformat()}" in lines


@pytest.mark.slow
def test_the_seal_is_drawn_at_its_real_size(pki, tmp_path):
    appearance = Appearance(Preset.VN_SEAL, seal_image=SEAL_PNG, seal_size_mm=40,
                            organisation=ORGANISATION)
    box = place(appearance, x=100, y=100)
    out = tmp_path / "seal.pdf"
    sign_with(pki, appearance, box, out)
    dpi = 144
    changed = changed_pixels(render(SAMPLE, dpi), render(out, dpi))
    x1, _, x2, y2 = (round(v * dpi / 72) for v in box)
    # the seal is the top part of the box: measure the ink above the text
    seal_rows = changed.crop((x1, round((PAGE_HEIGHT * dpi / 72) - y2), x2,
                              round((PAGE_HEIGHT * dpi / 72) - y2 + 40 / 25.4 * dpi)))
    left, _, right, _ = seal_rows.getbbox()
    measured_mm = (right - left) / dpi * 25.4
    assert abs(measured_mm - 40) < 0.5, measured_mm


# --- fonts: subset, advances, ToUnicode ------------------------------------------------

@pytest.mark.slow
def test_glyph_widths_are_the_fonts_advances_so_no_letter_spacing(pki, tmp_path):
    appearance = appearances()[Preset.VN_COPY]
    out = tmp_path / "copy.pdf"
    box = place(appearance)
    sign_with(pki, appearance, box, out)

    tt = ttLib.TTFont(DEFAULT_REGULAR)
    upem, hmtx = tt["head"].unitsPerEm, tt["hmtx"]
    (font,) = widget_fonts(out)
    assert font["/Subtype"] == "/Type0" and "/ToUnicode" in font
    cid_font = font["/DescendantFonts"][0]
    assert cid_font["/CIDToGIDMap"] == "/Identity"
    assert re.fullmatch(r"/[A-Z]{6}\+LiberationSerif", str(cid_font["/BaseFont"]))
    widths = list(cid_font["/W"])
    checked = 0
    for first, run in zip(widths[::2], widths[1::2], strict=True):
        for offset, width in enumerate(run):
            advance = hmtx[tt.getGlyphName(int(first) + offset)][0]
            assert abs(int(width) - advance * 1000 / upem) <= 1, (first + offset, width)
            checked += 1
    assert checked >= 20

    # poppler's word boxes (its own reading of /W and TJ) match fontTools' widths
    flat = tmp_path / "flat.pdf"
    subprocess.run(["qpdf", "--flatten-annotations=all", str(out), str(flat)], check=False)
    html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(flat), "-"],
                          capture_output=True, text=True, check=True).stdout
    words = re.findall(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" [^>]*>([^<]+)<', html)
    measured = {word: float(x2) - float(x1) for x1, x2, word in words}
    cmap = tt.getBestCmap()
    for word in ("Quảng", "Ngãi", "nhân"):
        expected = sum(hmtx[cmap[ord(c)]][0] for c in word) * 10 / upem  # size 10
        assert abs(measured[word] - expected) < 1.0, (word, measured[word], expected)


def test_pyhankos_opentype_engine_is_fixed_in_ours():
    """The cause of the letter-spacing: pyHanko writes /W in font units (2048 per em for
    Liberation Serif), PDF reads them per 1000 em. Our engine writes thousandths."""
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator

    writer = PdfFileWriter()
    theirs = GlyphAccumulator(writer, DEFAULT_REGULAR.open("rb"), font_size=10)
    ours = load_font(DEFAULT_REGULAR).engine(writer)
    theirs.shape("a"), ours.shape("a")
    (_, their_width), = theirs._glyphs.values()
    (_, our_width), = ours._glyphs.values()
    assert their_width == 909  # 'a' advance in font units: shown as 0.909 em, twice too wide
    assert our_width == 444  # 909 / 2048 em


# --- reference renders ---------------------------------------------------------------

def stamp_alone(appearance: Appearance) -> bytes:
    """The appearance on a page of its own size, as pyHanko would draw it in a widget."""
    w, h = preferred_size(appearance)
    writer = PdfFileWriter(init_page_tree=True)
    writer.insert_page(generic.DictionaryObject({
        generic.pdf_name("/Type"): generic.pdf_name("/Page"),
        generic.pdf_name("/MediaBox"): generic.ArrayObject(
            [generic.NumberObject(0), generic.NumberObject(0), generic.NumberObject(w),
             generic.NumberObject(h)]),
        generic.pdf_name("/Resources"): generic.DictionaryObject(),
        generic.pdf_name("/Contents"): writer.add_object(generic.StreamObject(stream_data=b"")),
    }))
    style = appearance_style(appearance)
    stamp = style.create_stamp(writer, layout.BoxConstraints(width=w, height=h), {
        "ts": FIXED_TIME.strftime(style.timestamp_format), "signer": "Test Signer"})
    stamp.apply(0, 0, 0)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("preset", list(Preset), ids=lambda p: p.value)
def test_render_matches_the_reference(preset, tmp_path):
    pdf = tmp_path / "stamp.pdf"
    pdf.write_bytes(stamp_alone(appearances()[preset]))
    rendered = render(pdf, dpi=100)
    reference = REFERENCE / f"{preset.value}.png"
    if os.environ.get("SIGNKIT_UPDATE_REFERENCE"):
        rendered.save(reference, optimize=True)
    expected = Image.open(reference).convert("RGB")
    assert rendered.size == expected.size
    diff = ImageChops.difference(rendered, expected).convert("L")
    differing = diff.point(lambda v: 255 if v > 64 else 0).histogram()[255]
    assert differing <= 0.005 * rendered.width * rendered.height, differing
    if preset.decree30 and preset is not Preset.VN_PERSONAL:
        assert "2026-11-29T14:05:09+07:00" in subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout


# --- layout ----------------------------------------------------------------------------

def test_text_wraps_at_spaces_within_the_width():
    font = load_font(DEFAULT_REGULAR)
    block = fit_text([Paragraph(ORGANISATION, font, Align.LEFT)], width=90, height=60,
                     size=10, min_size=6)
    assert block.size == 10
    assert " ".join(line.text for line in block.lines) == ORGANISATION
    assert len(block.lines) == 2
    for line in block.lines:
        m = font.measure(line.text)
        assert line.x + m.left * 10 >= 0 and line.x + m.right * 10 <= 90


def test_text_shrinks_before_it_is_refused():
    font = load_font(DEFAULT_REGULAR)
    block = fit_text([Paragraph("Ủy ban", font)], width=25, height=20, size=10, min_size=6)
    assert 6 <= block.size < 10
    assert block.height <= 20
    with pytest.raises(AppearanceError, match="does not fit"):
        fit_text([Paragraph(ORGANISATION, font)], width=30, height=8, size=10, min_size=6)


def test_combining_marks_become_single_glyphs():
    font = load_font(DEFAULT_REGULAR)
    decomposed = unicodedata.normalize("NFD", "ặ ỗ ữ Đ")
    assert font.measure(decomposed) == font.measure("ặ ỗ ữ Đ")
    ours = font.engine(PdfFileWriter())
    ours.shape(decomposed, with_actual_text=False)
    cmap = ttLib.TTFont(DEFAULT_REGULAR).getBestCmap()
    tt = ttLib.TTFont(DEFAULT_REGULAR)
    expected = {tt.getGlyphID(cmap[ord(c)]) for c in "ặ ỗ ữ Đ"}
    assert set(ours._glyphs) == expected  # one glyph per letter, no separate marks


def test_preferred_sizes():
    apps = appearances()
    seal_w, seal_h = preferred_size(apps[Preset.VN_SEAL])
    # the seal, 2 pt each side; the organisation and time beside it on one line each
    assert seal_h == pytest.approx(36 / 25.4 * 72 + 4, abs=1)
    assert seal_w > seal_h + 100
    copy_w, copy_h = preferred_size(apps[Preset.VN_COPY])
    assert 100 < copy_w < 230 and 30 < copy_h < 45  # three lines of size 10


# --- refusals ----------------------------------------------------------------------------

def test_bad_images_are_refused_with_a_clear_message(tmp_path):
    jpeg = tmp_path / "sig.jpg"
    Image.new("RGB", (40, 20), "blue").save(jpeg, format="JPEG")
    opaque = tmp_path / "opaque.png"
    Image.new("RGB", (40, 20), "white").save(opaque)
    text = tmp_path / "not-an-image.png"
    text.write_text("hello")
    cases = {
        tmp_path / "missing.png": "does not exist",
        jpeg: "is a JPEG file",
        opaque: "no transparent background",
        text: "not an image",
    }
    for path, message in cases.items():
        with pytest.raises(AppearanceError, match=message) as caught:
            Appearance(Preset.VN_PERSONAL, signature_image=path)
        assert caught.value.file == str(path)
        assert isinstance(caught.value, SigningError)  # the CLI's usage-error exit code


def test_missing_inputs_and_bad_values_are_refused():
    with pytest.raises(AppearanceError, match="needs the signature image"):
        Appearance(Preset.VN_PERSONAL)
    with pytest.raises(AppearanceError, match="needs the seal image"):
        Appearance(Preset.VN_SEAL)
    with pytest.raises(AppearanceError, match="number and code"):
        Appearance(Preset.VN_ATTACHMENT)
    with pytest.raises(AppearanceError, match="unknown appearance 'vn-stamp'"):
        Appearance("vn-stamp")
    with pytest.raises(AppearanceError, match="between 10 and 100 mm"):
        Appearance(Preset.VN_SEAL, seal_image=SEAL_PNG, seal_size_mm=360)
    assert Appearance("vn-copy").preset is Preset.VN_COPY


def test_fonts_are_checked(pki, tmp_path):
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font at all")
    with pytest.raises(AppearanceError, match="not a usable TrueType/OpenType font"):
        Appearance(font=broken)
    with pytest.raises(AppearanceError, match="cannot read the font file"):
        Appearance(font=tmp_path / "absent.ttf")
    # a font without Vietnamese letters: a subset of Liberation Serif holding ASCII only
    from fontTools import subset

    latin = tmp_path / "latin-only.ttf"
    options = subset.Options()
    options.drop_tables += ["FFTM"]
    font = ttLib.TTFont(DEFAULT_REGULAR)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=range(0x20, 0x7F))
    subsetter.subset(font)
    font.save(latin)
    with pytest.raises(AppearanceError, match=r"latin-only.ttf has no glyph for .*'ễ' "
                                              r"\(U\+1EC5\)"):
        Appearance(font=latin, signer_name=NAME, language="en")
    accepted = Appearance(font=latin, signer_name="Nguyen Van Dang", language="en")
    assert accepted.fonts == (load_font(latin), load_font(latin))
    # the certificate's name ("Nguyễn Văn An") arrives only at signing: refused then too
    unnamed = Appearance(font=latin, language="en")
    with pytest.raises(AppearanceError, match=r"has no glyph for .*'ễ'"):
        sign_with(pki, unnamed, (300, 100, 520, 180), tmp_path / "out.pdf")
    assert not (tmp_path / "out.pdf").exists()


def test_by_default_the_seal_box_is_the_seal_alone():
    """Without seal_info nothing is printed under the seal (it would run into the signer's
    name): the box is the seal at its real size and padding, square."""
    plain_seal = Appearance(Preset.VN_SEAL, seal_image=SEAL_PNG, organisation=ORGANISATION)
    assert plain_seal.paragraphs(dt.datetime.now(dt.UTC), signer=None) == []
    w, h = preferred_size(plain_seal)
    assert w == h == pytest.approx(36 / 25.4 * 72 + 4, abs=1)


def test_a_box_smaller_than_the_seal_is_refused(pki, tmp_path):
    appearance = appearances()[Preset.VN_SEAL]
    with pytest.raises(AppearanceError, match="real size"):
        sign_with(pki, appearance, (100, 100, 160, 260), tmp_path / "out.pdf")
