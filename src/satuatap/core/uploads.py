"""Checks on uploaded files: the type is decided by the content (magic bytes), never by the name."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from satuatap.core.errors import ValidationFailed

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
_SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
# Active content inside a PDF (scripts, auto-actions, embedded files) is refused outright.
_PDF_ACTIVE = (b"/JavaScript", b"/JS", b"/OpenAction", b"/AA", b"/Launch", b"/EmbeddedFile", b"/RichMedia")


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
    if content_type == "application/pdf" and any(marker in content for marker in _PDF_ACTIVE):
        raise ValidationFailed(
            "PDF berisi skrip atau konten aktif dan ditolak.",
            "The PDF contains scripts or active content and was refused.",
            code="upload_active_content",
        )
    return CheckedUpload(content, content_type, extension, hashlib.sha256(content).hexdigest())
