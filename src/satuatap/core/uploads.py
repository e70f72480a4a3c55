"""Checks on uploaded files: the type is decided by the content (magic bytes), never by the name.

Accepted: PDF, JPEG and PNG up to MAX_UPLOAD_BYTES. Refused, each with its own error code:
- anything else (HTML, SVG, ZIP, Office files, executables), whatever its name or declared type;
- a PDF with active content (scripts, auto-actions, launch actions, embedded files), also when the marker is
  spelled with #xx escapes or hidden inside a compressed (Flate) stream such as an object stream;
- a decompression bomb: a PDF whose Flate streams inflate beyond MAX_INFLATED_BYTES or by more than
  MAX_INFLATE_RATIO, or an image whose header declares more than MAX_IMAGE_PIXELS (a few KB of PNG can
  claim a 100,000 x 100,000 canvas that a viewer would try to allocate).
An image whose header cannot be read is not refused here (nothing in it is active); it simply does not display.
"""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from dataclasses import dataclass

from satuatap.core.errors import ValidationFailed

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_INFLATED_BYTES = 50 * 1024 * 1024  # all Flate streams of one PDF together
MAX_INFLATE_RATIO = 200  # inflated / compressed, over a PDF's streams once they pass 1 MB inflated
MAX_IMAGE_PIXELS = 60_000_000  # a 60-megapixel scan is plenty for a document photo
_SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
# Active content inside a PDF (scripts, auto-actions, embedded files) is refused outright.
_PDF_ACTIVE = (b"/JavaScript", b"/JS", b"/OpenAction", b"/AA", b"/Launch", b"/EmbeddedFile", b"/RichMedia")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"stream\r?\n")
_PDF_ENDSTREAM = b"endstream"


@dataclass(frozen=True)
class CheckedUpload:
    content: bytes
    content_type: str
    extension: str
    sha256: str


def check_upload_size(size: int, *, max_bytes: int = MAX_UPLOAD_BYTES) -> None:
    """Refuse an empty or oversize upload before its content is read into memory."""
    if size == 0:
        raise ValidationFailed("Berkas kosong.", "The file is empty.", code="upload_empty")
    if size > max_bytes:
        raise ValidationFailed(
            f"Berkas terlalu besar (maksimal {max_bytes // (1024 * 1024)} MB).",
            f"The file is too large (at most {max_bytes // (1024 * 1024)} MB).",
            code="upload_too_large",
            details={"size": size, "max": max_bytes},
        )


def check_upload(content: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES) -> CheckedUpload:
    """Accept a PDF, JPEG or PNG up to `max_bytes`, recognised by its first bytes; refuse anything else."""
    check_upload_size(len(content), max_bytes=max_bytes)
    match = next((sig for sig in _SIGNATURES if content.startswith(sig[0])), None)
    if match is None:
        raise ValidationFailed(
            "Jenis berkas tidak diterima. Unggah PDF, JPEG atau PNG.",
            "File type not accepted. Upload a PDF, JPEG or PNG.",
            code="upload_type_refused",
        )
    _, content_type, extension = match
    if content_type == "application/pdf":
        _check_pdf(content)
    else:
        size = _png_size(content) if content_type == "image/png" else _jpeg_size(content)
        if size is not None:
            _check_pixels(*size)
    return CheckedUpload(content, content_type, extension, hashlib.sha256(content).hexdigest())


# --- PDF -------------------------------------------------------------------------------------------------

def _active_refused() -> ValidationFailed:
    return ValidationFailed(
        "PDF berisi skrip atau konten aktif dan ditolak.",
        "The PDF contains scripts or active content and was refused.",
        code="upload_active_content",
    )


def _bomb_refused() -> ValidationFailed:
    return ValidationFailed(
        "Berkas berisi data terkompresi yang tidak wajar (bom dekompresi) dan ditolak.",
        "The file holds abnormally compressed data (a decompression bomb) and was refused.",
        code="upload_decompression_bomb",
    )


def _has_active_marker(data: bytes) -> bool:
    if any(marker in data for marker in _PDF_ACTIVE):
        return True
    if b"#" in data:  # names may spell letters as #xx: /J#61vaScript is /JavaScript
        unescaped = _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)
        return any(marker in unescaped for marker in _PDF_ACTIVE)
    return False


def _check_pdf(content: bytes) -> None:
    if _has_active_marker(content):
        raise _active_refused()
    inflated_total = 0
    compressed_total = 0
    pos = 0
    while True:
        m = _PDF_STREAM.search(content, pos)
        if m is None:
            break
        start = m.end()
        end = content.find(_PDF_ENDSTREAM, start)
        if end < 0:
            end = len(content)
        pos = end + len(_PDF_ENDSTREAM)
        raw = content[start:end]
        # Only a stream that looks like zlib data is inflated; images (DCT) and plain streams are left alone.
        if len(raw) < 2 or raw[0] & 0x0F != 8 or ((raw[0] << 8) | raw[1]) % 31:
            continue
        budget = MAX_INFLATED_BYTES - inflated_total
        inflater = zlib.decompressobj()
        try:
            data = inflater.decompress(raw, budget + 1)
        except zlib.error:
            continue  # not really zlib, or damaged: a viewer will not inflate it either
        if len(data) > budget or inflater.unconsumed_tail:
            raise _bomb_refused()
        inflated_total += len(data)
        compressed_total += len(raw)
        if inflated_total > 1024 * 1024 and inflated_total > MAX_INFLATE_RATIO * compressed_total:
            raise _bomb_refused()
        if _has_active_marker(data):
            raise _active_refused()


# --- images ----------------------------------------------------------------------------------------------

def _check_pixels(width: int, height: int) -> None:
    if width * height > MAX_IMAGE_PIXELS:
        raise ValidationFailed(
            "Ukuran gambar (piksel) terlalu besar.",
            "The image has too many pixels.",
            code="upload_decompression_bomb",
            details={"width": width, "height": height, "max_pixels": MAX_IMAGE_PIXELS},
        )


def _png_size(content: bytes) -> tuple[int, int] | None:
    # signature (8) + IHDR chunk: length (4) "IHDR" (4) width (4) height (4)
    if len(content) < 24 or content[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", content[16:24])


_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_size(content: bytes) -> tuple[int, int] | None:
    """Width and height from the first start-of-frame segment."""
    i = 2
    n = len(content)
    while i + 4 <= n:
        if content[i] != 0xFF:
            return None
        marker = content[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # segments without a length
            i += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image / start of scan before any frame header
            break
        length = struct.unpack(">H", content[i + 2:i + 4])[0]
        if marker in _JPEG_SOF:
            if i + 9 > n:
                break
            height, width = struct.unpack(">HH", content[i + 5:i + 9])
            return width, height
        i += 2 + length
    return None
