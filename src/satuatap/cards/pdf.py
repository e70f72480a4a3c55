"""The printable card: ID-1 size (85.6 x 54 mm, like a bank card), front with the worker's details, a photo
placeholder and the QR code of the signed token."""

from __future__ import annotations

import io

import segno
from reportlab.lib.colors import HexColor, white
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

CARD_W, CARD_H = 85.6 * mm, 54 * mm
BLUE = HexColor("#0b4f8a")


def _fit(c: canvas.Canvas, text: str, font: str, size: float, width: float) -> str:
    while text and c.stringWidth(text, font, size) > width:
        text = text[:-2] + "…"
    return text


def card_pdf(card) -> bytes:
    """One page the size of the card (print on card stock, or show on screen)."""
    p = card.payload
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=(CARD_W, CARD_H))
    c.setTitle(f"E-KPMI {card.number}")
    c.setAuthor("satuatap")
    c.setFillColor(BLUE)
    c.rect(0, CARD_H - 9 * mm, CARD_W, 9 * mm, stroke=0, fill=1)
    c.setFillColor(white)
    c.setFont("Helvetica-Bold", 7.5)
    c.drawString(3 * mm, CARD_H - 4.3 * mm, "KARTU ELEKTRONIK PEKERJA MIGRAN INDONESIA")
    c.setFont("Helvetica", 5.5)
    c.drawString(3 * mm, CARD_H - 7.5 * mm, "E-KPMI · Indonesian migrant worker card")
    # photo placeholder
    c.setStrokeColor(BLUE)
    c.setFillColor(HexColor("#eef3f8"))
    c.rect(3 * mm, 14 * mm, 17 * mm, 22 * mm, stroke=1, fill=1)
    c.setFillColor(BLUE)
    c.setFont("Helvetica", 5)
    c.drawCentredString(11.5 * mm, 24.5 * mm, "FOTO")
    # details
    c.setFillColor(HexColor("#111111"))
    x, y, width = 22 * mm, CARD_H - 12.5 * mm, 34 * mm
    c.setFont("Helvetica-Bold", 7)
    c.drawString(x, y, _fit(c, p["nm"].upper(), "Helvetica-Bold", 7, width))
    rows = [("No. kartu", p["n"]), ("NIK", p["nik"]), ("Paspor", p["pp"]), ("Negara", p["c"]),
            ("Pemberi kerja", p["e"]), ("Jabatan", p["j"]), ("Akhir kontrak", p["ce"]),
            ("Terbit / berlaku s.d.", f'{p["i"]} / {p["x"]}')]
    y -= 3.6 * mm
    for label, value in rows:
        c.setFont("Helvetica", 4.2)
        c.drawString(x, y, label)
        c.setFont("Helvetica-Bold", 5.2)
        c.drawString(x, y - 2.1 * mm, _fit(c, str(value), "Helvetica-Bold", 5.2, width))
        y -= 4.6 * mm
        if y < 3 * mm:
            break
    # QR code of the signed token
    png = io.BytesIO()
    segno.make(card.token, error="m").save(png, kind="png", scale=4, border=1)
    png.seek(0)
    size = 28 * mm
    c.drawImage(ImageReader(png), CARD_W - size - 2 * mm, 3 * mm, size, size)
    c.setFont("Helvetica", 4)
    c.drawString(CARD_W - size - 2 * mm, 3 * mm + size + 1 * mm, f"kunci {p['k']} · Ed25519")
    if card.status != "active":
        c.setFillColor(HexColor("#b00020"))
        c.setFont("Helvetica-Bold", 16)
        c.drawCentredString(CARD_W / 2, CARD_H / 2, "DICABUT / REVOKED")
    c.showPage()
    c.save()
    return buffer.getvalue()
