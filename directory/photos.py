"""Uploaded images → what is stored, with Pillow; no database and no storage here.

An upload is taken only if it decodes as JPEG, PNG or WebP (the content decides, not the
file name or the declared type), within the byte and pixel limits. What is stored is
never the uploaded file: the first frame is decoded, turned upright by its EXIF
orientation, converted to sRGB, and encoded again without any metadata (EXIF with its
GPS position, XMP, comments, the ICC profile once applied). That re-encoded `original`
keeps the upload's format and size; each variant is a WebP copy no larger than its
longest side (never enlarged).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from directory.errors import (
    ImageDimensionsTooLarge,
    ImageInvalid,
    ImageTooLarge,
    ImageTypeUnsupported,
)

# Pillow format → (file extension, content type, encoder options) of the re-encoded original.
ACCEPTED_FORMATS = {
    "JPEG": ("jpg", "image/jpeg", {"quality": 90, "optimize": True}),
    "PNG": ("png", "image/png", {}),
    "WEBP": ("webp", "image/webp", {"quality": 90}),
}
# Variant name → longest side in pixels, smallest first.
VARIANT_SIZES = {"small": 160, "medium": 480, "large": 1200}
_VARIANT_OPTIONS = {"quality": 82, "method": 4}

_SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True, slots=True)
class EncodedImage:
    content: bytes
    width: int
    height: int
    extension: str
    content_type: str


@dataclass(frozen=True, slots=True)
class ProcessedPhoto:
    original: EncodedImage
    variants: dict[str, EncodedImage]


def process_photo(file: BinaryIO, *, size: int, max_bytes: int, max_pixels: int) -> ProcessedPhoto:
    """Decode, check and re-encode an uploaded image of `size` bytes.

    Raises ImageTooLarge (over `max_bytes`), ImageTypeUnsupported (an image of another
    format), ImageDimensionsTooLarge (over `max_pixels`: a decompression bomb is refused
    from its header, before any pixel is decoded) or ImageInvalid (anything else that
    does not decode: a PDF named .jpg, a truncated file).
    """
    if size > max_bytes:
        raise ImageTooLarge(f"The image file is larger than {_megabytes(max_bytes)}.")
    decoded, format_name = _open(file, max_pixels=max_pixels)
    image = _upright_srgb(decoded)
    extension, content_type, options = ACCEPTED_FORMATS[format_name]
    original = _encode(image, format_name, options, extension, content_type)
    variants = {}
    source = image
    for name, longest_side in sorted(VARIANT_SIZES.items(), key=lambda v: -v[1]):
        # Largest first, each made from the previous one: fewer pixels to resample.
        source = source.copy()
        source.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS)
        variants[name] = _encode(source, "WEBP", _VARIANT_OPTIONS, "webp", "image/webp")
    return ProcessedPhoto(original=original, variants={n: variants[n] for n in VARIANT_SIZES})


def _megabytes(count: int) -> str:
    return f"{count / (1024 * 1024):g} MB"


def _pixels_message(max_pixels: int) -> str:
    return f"The image has more than {max_pixels / 1_000_000:g} million pixels."


def _open(file: BinaryIO, *, max_pixels: int) -> tuple[Image.Image, str]:
    """The decoded first frame and its format, or the error that refuses the upload."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    try:
        # Lazy: reads the header only. Pillow itself refuses images beyond twice its
        # MAX_IMAGE_PIXELS here, with DecompressionBombError.
        image = Image.open(file)
    except Image.DecompressionBombError as exc:
        raise ImageDimensionsTooLarge(_pixels_message(max_pixels)) from exc
    except UnidentifiedImageError as exc:
        if head[4:8] == b"ftyp":  # ISO media: HEIC/HEIF or AVIF, which are not accepted
            raise ImageTypeUnsupported() from exc
        raise ImageInvalid() from exc
    except Exception as exc:  # any failure to read a header from untrusted bytes
        raise ImageInvalid() from exc
    format_name = image.format
    if format_name not in ACCEPTED_FORMATS:
        raise ImageTypeUnsupported(
            f"{format_name} images are not accepted; upload a JPEG, PNG or WebP image."
        )
    width, height = image.size
    if width * height > max_pixels:
        raise ImageDimensionsTooLarge(_pixels_message(max_pixels))
    try:
        image.seek(0)  # an animated image: its first frame
        image.load()
    except Image.DecompressionBombError as exc:
        raise ImageDimensionsTooLarge(_pixels_message(max_pixels)) from exc
    except Exception as exc:  # truncated or corrupt pixel data
        raise ImageInvalid() from exc
    return image, format_name


def _upright_srgb(image: Image.Image) -> Image.Image:
    """Turned by its EXIF orientation, in sRGB (RGB or RGBA), without any metadata."""
    try:
        upright = ImageOps.exif_transpose(image)
    except Exception:  # an unreadable EXIF block: keep the pixels as they are
        upright = image
    has_alpha = image.mode in {"RGBA", "LA", "PA", "RGBa", "La"} or (
        image.mode == "P" and "transparency" in image.info
    )
    mode = "RGBA" if has_alpha else "RGB"
    icc_profile = image.info.get("icc_profile")
    converted = None
    if icc_profile:
        try:
            converted = ImageCms.profileToProfile(
                upright,
                ImageCms.ImageCmsProfile(io.BytesIO(icc_profile)),
                _SRGB,
                outputMode=mode,
            )
        except Exception:  # a profile littlecms cannot use: convert without it
            converted = None
    if converted is None:
        converted = upright.convert(mode)  # a new image, also when the mode is the same
    # Nothing of the upload's metadata may reach an encoder.
    converted.info = {}
    return converted


def _encode(
    image: Image.Image, format_name: str, options: dict, extension: str, content_type: str
) -> EncodedImage:
    if format_name == "JPEG" and image.mode != "RGB":
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format_name, **options)
    return EncodedImage(buffer.getvalue(), image.width, image.height, extension, content_type)
