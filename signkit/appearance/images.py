"""Signature and seal images: PNG files with a transparent background (Decree 30/2020,
Appendix I), turned into PDF image XObjects whose alpha channel becomes a soft mask.

An image with no transparent pixel is refused rather than warned about: drawn over a
document it would paint an opaque rectangle over the text under it (the seal overlaps the
signature and the signer's title by design), and the decree asks for a transparent PNG.
"""

from __future__ import annotations

import functools
import zlib
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import BasePdfFileWriter

from ..error_messages import said
from ..errors import AppearanceError


@functools.lru_cache(maxsize=16)
def load_transparent_png(path: Path) -> Image.Image:
    """The PNG at ``path`` as RGBA, cropped to its visible pixels (so a seal's size is
    the size of the seal, not of the margin around it).

    Raises :class:`~signkit.errors.AppearanceError` for a missing or unreadable file, a file
    that is not a PNG, and a PNG with no transparent background."""
    path = Path(path)
    if not path.is_file():
        raise AppearanceError(said("appearance.image_missing", path=str(path)), file=path)
    try:
        with Image.open(path) as opened:
            if opened.format != "PNG":
                raise AppearanceError(said("appearance.image_not_png", path=str(path),
                                           format=opened.format or "non-PNG"), file=path)
            image = opened.convert("RGBA")
    except OSError as e:  # PIL's UnidentifiedImageError, truncated data, permissions
        reason = said("appearance.not_an_image") if isinstance(e, UnidentifiedImageError) \
            else said("detail", detail=str(e))
        raise AppearanceError(said("appearance.image_unreadable", path=str(path), why=reason),
                              file=path) from None
    alpha = image.getchannel("A")
    low, _ = alpha.getextrema()
    if low == 255:
        raise AppearanceError(said("appearance.image_opaque", path=str(path)), file=path)
    visible = alpha.getbbox()
    if visible is None:
        raise AppearanceError(said("appearance.image_empty", path=str(path)), file=path)
    return image.crop(visible)


def fit_image(image: Image.Image, width: float, height: float) -> tuple[float, float]:
    """The largest size with the image's aspect ratio that fits ``width`` x ``height``."""
    scale = min(width / image.width, height / image.height)
    return image.width * scale, image.height * scale


def image_xobject(image: Image.Image, writer: BasePdfFileWriter) -> generic.IndirectObject:
    """An image XObject (DeviceRGB, 8 bits) with the alpha channel as its /SMask. The pixels
    are compressed once per image, not once per document of a batch."""
    colour, alpha = _compressed(image)
    mask = writer.add_object(_image_stream(image, "/DeviceGray", alpha))
    stream = _image_stream(image, "/DeviceRGB", colour)
    stream[generic.pdf_name("/SMask")] = mask
    return writer.add_object(stream)


def _compressed(image: Image.Image) -> tuple[bytes, bytes]:
    """Flate-compressed RGB and alpha samples of an RGBA image (as pyHanko's pil_image
    writes them), kept on the image itself: PIL images are not hashable, and the images
    drawn are the long-lived ones of ``load_transparent_png``'s cache."""
    cached = getattr(image, "_signkit_compressed", None)
    if cached is None:
        cached = (zlib.compress(image.convert("RGB").tobytes()),
                  zlib.compress(image.getchannel("A").tobytes()))
        image._signkit_compressed = cached  # type: ignore[attr-defined]
    return cached


def _image_stream(image: Image.Image, colour_space: str, data: bytes) -> generic.StreamObject:
    name = generic.pdf_name
    return generic.StreamObject({
        name("/Type"): name("/XObject"),
        name("/Subtype"): name("/Image"),
        name("/Width"): generic.NumberObject(image.width),
        name("/Height"): generic.NumberObject(image.height),
        name("/ColorSpace"): name(colour_space),
        name("/BitsPerComponent"): generic.NumberObject(8),
        name("/Filter"): name("/FlateDecode"),
    }, encoded_data=data)
