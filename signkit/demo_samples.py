"""Sample material for the demo, the fixtures and the gallery: a Vietnamese decision
(quyết định) of a provincial People's Committee, set in Liberation Serif by signkit's own
font engine (shaped, subset-embedded, with a ToUnicode map, so text search and copy-paste
give the Vietnamese text back), and throwaway signature and seal images.

The decision follows the layout of Decree 30/2020/NĐ-CP, Appendix I: the authority and the
national motto at the top, number and date, title, articles, then the recipients on the
left and the signature block on the right — "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ
TỊCH", a blank gap for the signature, and the signer's name.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.writer import PdfFileWriter

from .appearance.fonts import DEFAULT_BOLD, DEFAULT_REGULAR, load_font

A4 = (595, 842)
SIGNER_NAME = "Nguyễn Văn Đặng"
ORGANISATION = "Ủy ban nhân dân tỉnh Quảng Ngãi"
BLUE = (20, 40, 160, 255)
RED = (200, 20, 30, 255)
_LEFT, _RIGHT = 85.0, 538.0  # 30 mm left margin, 20 mm right (Appendix I)
_HEAD_LEFT, _HEAD_RIGHT, _BLOCK = 170.0, 390.0, 420.0  # centres of the columns


@dataclass(frozen=True)
class _Line:
    text: str
    y: float  # baseline, points from the bottom
    x: float  # the centre, or the left end with align="left"
    size: float = 13.0
    bold: bool = False
    align: str = "centre"


def _decision_lines() -> list[_Line]:
    b: dict[str, Any] = {"bold": True}
    body = [
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 02 năm 2025;",
        "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020",
        "của Chính phủ về công tác văn thư;",
        "Theo đề nghị của Giám đốc Sở Khoa học và Công nghệ.",
    ]
    articles = [
        "Điều 1. Phê duyệt Kế hoạch chuyển đổi số năm 2026 của tỉnh kèm theo",
        "Quyết định này.",
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
        "Điều 3. Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc các sở, ban,",
        "ngành và các cơ quan, đơn vị liên quan chịu trách nhiệm thi hành",
        "Quyết định này./.",
    ]
    lines = [
        _Line("ỦY BAN NHÂN DÂN", 780, _HEAD_LEFT, 12.5),
        _Line("TỈNH QUẢNG NGÃI", 765, _HEAD_LEFT, 12.5, **b),
        _Line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 780, _HEAD_RIGHT, 12, **b),
        _Line("Độc lập - Tự do - Hạnh phúc", 765, _HEAD_RIGHT, 13, **b),
        _Line("Số: 124/QĐ-UBND", 735, _HEAD_LEFT, 13),
        _Line("Quảng Ngãi, ngày 29 tháng 11 năm 2026", 735, _HEAD_RIGHT, 13),
        _Line("QUYẾT ĐỊNH", 695, A4[0] / 2, 14, **b),
        _Line("Về việc phê duyệt Kế hoạch chuyển đổi số năm 2026", 677, A4[0] / 2, 13, **b),
        _Line("ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", 645, A4[0] / 2, 13, **b),
    ]
    y = 615.0
    for text in body:
        lines.append(_Line(text, y, _LEFT + 28, 13, align="left"))
        y -= 19
    lines.append(_Line("QUYẾT ĐỊNH:", y - 8, A4[0] / 2, 13, **b))
    y -= 36
    for text in articles:
        lines.append(_Line(text, y, _LEFT + (28 if text.startswith("Điều") else 0), 13,
                           align="left"))
        y -= 19
    top = y - 18
    lines += [
        _Line("Nơi nhận:", top, _LEFT, 12, bold=True, align="left"),
        _Line("- Như Điều 3;", top - 14, _LEFT, 11, align="left"),
        _Line("- Thường trực Tỉnh ủy;", top - 27, _LEFT, 11, align="left"),
        _Line("- Lưu: VT, KGVX.", top - 40, _LEFT, 11, align="left"),
        _Line("TM. ỦY BAN NHÂN DÂN", top, _BLOCK, 13, **b),
        _Line("KT. CHỦ TỊCH", top - 16, _BLOCK, 13, **b),
        _Line("PHÓ CHỦ TỊCH", top - 32, _BLOCK, 13, **b),
        # the blank gap (about 40 mm) where the signature and the seal go
        _Line(SIGNER_NAME, top - 32 - 115, _BLOCK, 13, **b),
    ]
    return lines


def decision_pdf() -> bytes:
    """The sample decision (one A4 page) as PDF bytes."""
    writer = PdfFileWriter()
    fonts = {False: load_font(DEFAULT_REGULAR), True: load_font(DEFAULT_BOLD)}
    engines = {bold: font.engine(writer) for bold, font in fonts.items()}
    ops = [b"BT 0 0 0 rg"]
    for line in _decision_lines():
        font, engine = fonts[line.bold], engines[line.bold]
        metrics = font.measure(line.text)
        width = metrics.advance * line.size
        x = line.x if line.align == "left" else line.x - width / 2
        # pyHanko scales the glyph offsets by it (annotated int; sizes are reals)
        engine.font_size = line.size  # type: ignore[assignment]
        shaped = engine.shape(line.text, with_actual_text=False)
        name = b"/F2" if line.bold else b"/F1"
        ops.append(b"%s %s Tf 1 0 0 1 %s %s Tm %s" % (
            name, _num(line.size), _num(x), _num(line.y), shaped.graphics_ops))
    ops.append(b"ET")
    content = generic.StreamObject(stream_data=b"\n".join(ops))
    content.compress()
    writer.insert_page(generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Page"),
        pdf_name("/MediaBox"): generic.ArrayObject(generic.NumberObject(v) for v in (0, 0, *A4)),
        pdf_name("/Contents"): writer.add_object(content),
        pdf_name("/Resources"): generic.DictionaryObject({
            pdf_name("/Font"): generic.DictionaryObject({
                pdf_name("/F1"): engines[False].as_resource(),
                pdf_name("/F2"): engines[True].as_resource(),
            })}),
    }))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def write_decision_pdf(path: Path) -> Path:
    path.write_bytes(decision_pdf())
    return path


def write_demo_images(folder: Path, *, organisation: str = ORGANISATION) -> tuple[Path, Path]:
    """A blue handwritten-like signature and a red round seal (``organisation`` round the
    rim, a star emblem in the middle), transparent PNGs: throwaway pictures for the demo,
    not anybody's. The seal is drawn at 600 px, enough for 40 mm at 380 dpi; signkit
    draws it at the seal size the profile or ``--seal-size`` gives."""
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    signature = Image.new("RGBA", (360, 150), (0, 0, 0, 0))
    draw = ImageDraw.Draw(signature)
    points = [(30 + 290 * t, 80 - 45 * math.sin(t * 5 * math.pi) * (1 - 0.5 * t))
              for t in (i / 200 for i in range(201))]
    draw.line(points, fill=BLUE, width=6, joint="curve")
    draw.line([(60, 125), (200, 112), (330, 118)], fill=BLUE, width=5)
    paths = folder / "chu-ky.png", folder / "con-dau.png"
    signature.save(paths[0])
    seal_image(organisation).save(paths[1])
    return paths


def seal_image(organisation: str, size: int = 600):
    """A round seal as Vietnamese offices use them: a double outer ring, the organisation's
    name in capitals round the rim (clockwise from the left, a star where the ends meet),
    an inner ring and a star emblem in the middle; red on transparent."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    c, u = size / 2, size / 300  # u: one unit of the 300-unit design
    draw.ellipse((4 * u, 4 * u, size - 4 * u, size - 4 * u), outline=RED, width=round(9 * u))
    draw.ellipse((16 * u, 16 * u, size - 16 * u, size - 16 * u), outline=RED,
                 width=round(2 * u))
    draw.ellipse((c - 88 * u, c - 88 * u, c + 88 * u, c + 88 * u), outline=RED,
                 width=round(4 * u))
    _star(draw, c, c, 62 * u, 25 * u)
    text = " ".join(organisation.upper().split())
    font = ImageFont.truetype(str(DEFAULT_BOLD), round(27 * u))
    radius = 110 * u  # the middle of the letters, between the rings
    separator = 30 * u  # the arc left for the star where the name's ends meet
    advances = [font.getlength(ch) for ch in text]
    # the name fills the circle but the separator; letters spaced evenly along it
    spare = 2 * math.pi * radius - separator - sum(advances)
    spacing = max(spare / max(len(text) - 1, 1), 0.0)
    scale = min(1.0, (2 * math.pi * radius - separator) / (sum(advances) or 1))
    start = math.pi / 2 + separator / radius / 2  # from the bottom, clockwise
    along = 0.0
    cell = round(40 * u)
    for ch, advance in zip(text, advances, strict=True):
        width = advance * scale
        angle = start + (along + width / 2) / radius
        along += width + spacing
        if not ch.strip():
            continue
        x, y = c + radius * math.cos(angle), c + radius * math.sin(angle)
        glyph = Image.new("RGBA", (cell, cell), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((cell / 2, cell / 2), ch, font=font, fill=RED, anchor="mm")
        # upright at the top of the seal: the letter's foot points at the centre
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.Resampling.BICUBIC)
        image.alpha_composite(glyph, (round(x - cell / 2), round(y - cell / 2)))
    _star(draw, c, c + radius, 11 * u, 4.5 * u)  # where the ends of the name meet
    return image


def _star(draw, cx: float, cy: float, outer: float, inner: float) -> None:
    draw.polygon([(cx + (outer if k % 2 == 0 else inner) * math.sin(k * math.pi / 5),
                   cy - (outer if k % 2 == 0 else inner) * math.cos(k * math.pi / 5))
                  for k in range(10)], fill=RED)


def _num(value: float) -> bytes:
    return (f"{value:.3f}".rstrip("0").rstrip(".") or "0").encode("ascii")
