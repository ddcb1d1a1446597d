"""Image files made in the test, and how to look into what was stored.

Every file is generated here with Pillow (or written byte by byte where no encoder would
make it: a PNG header declaring a decompression bomb), never checked in.
"""

from __future__ import annotations

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

# Where the test "took" its photo: Berlin, Mitte.
GPS_LATITUDE = (52.0, 31.0, 12.0)
XMP_WITH_GPS = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="52,31.2N" exif:GPSLongitude="13,24.3E"/></rdf:RDF></x:xmpmeta>'
)


def _gradient(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    # Not a flat colour, so that resizing and re-encoding have something to work on.
    image = Image.linear_gradient("L").resize(size)
    if mode == "L":
        return image
    bands = [image, image.transpose(Image.Transpose.FLIP_LEFT_RIGHT), Image.new("L", size, 90)]
    if mode == "RGBA":
        bands.append(Image.new("L", size, 128))
    return Image.merge(mode, bands)


def jpeg_with_gps(size=(1600, 1000), *, orientation: int = 6) -> bytes:
    """A camera-like JPEG: EXIF with make, orientation and a GPS position, XMP with the
    position too, and a comment."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestCam"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (13.0, 24.0, 18.0)
    buffer = io.BytesIO()
    _gradient(size).save(
        buffer, "JPEG", quality=95, exif=exif, xmp=XMP_WITH_GPS, comment=b"home address"
    )
    return buffer.getvalue()


def encoded(format_name: str, size=(800, 600), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    _gradient(size, mode).save(buffer, format_name)
    return buffer.getvalue()


def png_bomb(width: int, height: int) -> bytes:
    """A small PNG whose header declares width x height pixels (RGB, 8 bits)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    # The first rows only: a decoder that trusted the header would allocate it all first.
    rows = zlib.compress(b"\x00" * (1 + 3 * min(width, 4096)) * 16, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def pdf_named_jpg() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def heic_like() -> bytes:
    """The start of an ISO media file as an iPhone writes it (brand heic)."""
    return struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00mif1heic" + b"\x00" * 64


def upload(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def open_stored(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


def metadata_of(content: bytes) -> dict:
    """What a stored file carries besides pixels: EXIF tags, GPS tags, other info keys."""
    image = open_stored(content)
    exif = image.getexif()
    return {
        "exif": dict(exif),
        "gps": dict(exif.get_ifd(ExifTags.IFD.GPSInfo)),
        "info": sorted(
            key for key in image.info if key in {"exif", "xmp", "comment", "icc_profile"}
        ),
    }
