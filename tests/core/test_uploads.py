"""Hostile uploads are refused by content, whatever their name: wrong type, oversize, bombs, active PDFs."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
from reportlab.pdfgen import canvas

from satuatap.core.errors import ValidationFailed
from satuatap.core.uploads import MAX_UPLOAD_BYTES, check_upload, check_upload_size


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(min(height, 4)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def pdf_with_stream(data: bytes, *, extra: bytes = b"") -> bytes:
    body = zlib.compress(data, 9)
    return (
        b"%PDF-1.7\n1 0 obj\n<< /Length " + str(len(body)).encode() + b" /Filter /FlateDecode " + extra
        + b">>\nstream\n" + body + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def real_pdf() -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for i in range(40):
        c.drawString(72, 800 - i * 18, f"Surat keterangan sehat, baris {i}: Pekerja Migran Indonesia")
    c.showPage()
    c.save()
    return buf.getvalue()


def refused(content: bytes) -> str:
    with pytest.raises(ValidationFailed) as info:
        check_upload(content)
    assert info.value.status == 422 and info.value.message and info.value.message_en
    return info.value.code


def test_genuine_files_are_accepted_and_typed_by_content():
    assert check_upload(real_pdf()).content_type == "application/pdf"
    assert check_upload(png(640, 480)).extension == "png"
    assert check_upload(jpeg(4000, 3000)).content_type == "image/jpeg"
    checked = check_upload(pdf_with_stream(b"BT /F1 12 Tf (Halo) Tj ET\n" * 200))
    assert len(checked.sha256) == 64


@pytest.mark.parametrize(
    "content",
    [
        b"<html><script>alert(1)</script></html>",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b"MZ\x90\x00\x03\x00\x00\x00",  # a Windows executable
        b"PK\x03\x04" + b"\x00" * 30,  # a zip (also .docx, .xlsx)
        b"GIF89a\x01\x00\x01\x00",
        b"  %PDF-1.4 with leading junk",
    ],
)
def test_wrong_types_are_refused_whatever_the_name(content):
    assert refused(content) == "upload_type_refused"


def test_a_zip_bomb_is_refused_as_a_zip_without_being_opened():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("ktp.pdf", b"\x00" * (20 * 1024 * 1024))
    assert len(buf.getvalue()) < 100_000
    assert refused(buf.getvalue()) == "upload_type_refused"


def test_empty_and_oversize_files_are_refused():
    assert refused(b"") == "upload_empty"
    assert refused(b"%PDF-1.7\n" + b"0" * MAX_UPLOAD_BYTES) == "upload_too_large"
    with pytest.raises(ValidationFailed) as info:
        check_upload_size(MAX_UPLOAD_BYTES + 1)
    assert info.value.code == "upload_too_large" and info.value.details["max"] == MAX_UPLOAD_BYTES


def test_a_pdf_whose_stream_inflates_past_the_limit_is_refused():
    bomb = pdf_with_stream(b"\x00" * (60 * 1024 * 1024))  # ~60 KB on disk, 60 MB inflated
    assert len(bomb) < 100_000
    assert refused(bomb) == "upload_decompression_bomb"


def test_a_pdf_with_an_absurd_compression_ratio_is_refused():
    bomb = pdf_with_stream(b"A" * (8 * 1024 * 1024))  # ~8 KB → 8 MB: ratio ≈ 1000
    assert refused(bomb) == "upload_decompression_bomb"


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>",
        b"%PDF-1.4\n<< /Type /Action /S /Launch /F (cmd.exe) >>",
        b"%PDF-1.4\n<< /Names << /EmbeddedFiles 2 0 R >> >>",
        b"%PDF-1.4\n<< /S /J#61vaScript /J#53 (app.alert(1)) >>",  # names spelled with #xx escapes
        pdf_with_stream(b"<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>", extra=b"/Type /ObjStm "),
    ],
    ids=["openaction-js", "launch", "embedded-file", "escaped-name", "hidden-in-object-stream"],
)
def test_pdfs_with_active_content_are_refused(content):
    assert refused(content) == "upload_active_content"


def test_images_declaring_a_huge_canvas_are_refused():
    assert refused(png(100_000, 100_000)) == "upload_decompression_bomb"
    assert refused(jpeg(65_000, 65_000)) == "upload_decompression_bomb"


def test_a_damaged_stream_does_not_crash_the_check():
    broken = b"%PDF-1.4\n1 0 obj<< /Filter /FlateDecode >>\nstream\nx\x9c\xff\xff\xff\xffgarbage\nendstream\n%%EOF"
    assert check_upload(broken).content_type == "application/pdf"
