"""The queue ticket as a PDF for a 58 or 80 mm thermal roll: office, big number, desk, time, priority and a
QR code of the ticket's status page. The QR is the portal slip's vector flowable (sharp on any printer)."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from satuatap.core.timeutil import ZONES
from satuatap.portal.documents import QRCode

HEIGHT_MM = {80: 125, 58: 110}


def _fit(c: canvas.Canvas, text: str, font: str, size: float, width: float) -> float:
    while size > 6 and c.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def ticket_pdf(*, office_name: str, zone: str, code: str, desk: str, issued_at, priority: str, ahead: int,
               status_url: str, width_mm: int = 80, language: str = "id") -> bytes:
    """PDF bytes of one ticket, one page the width of the roll."""
    with translation.override(language):
        return _build(office_name=office_name, zone=zone, code=code, desk=desk, issued_at=issued_at,
                      priority=priority, ahead=ahead, status_url=status_url, width_mm=width_mm)


def _build(*, office_name, zone, code, desk, issued_at, priority, ahead, status_url, width_mm) -> bytes:
    buf = io.BytesIO()
    w, h = width_mm * mm, HEIGHT_MM.get(width_mm, 125) * mm
    margin = 3 * mm
    inner = w - 2 * margin
    c = canvas.Canvas(buf, pagesize=(w, h))
    c.setTitle(f"{_('Queue ticket')} {code}")
    c.setAuthor(office_name)
    cx = w / 2
    y = h - margin - 4 * mm

    def line(text: str, font: str, size: float, gap: float) -> None:
        nonlocal y
        size = _fit(c, text, font, size, inner)
        c.setFont(font, size)
        c.drawCentredString(cx, y, text)
        y -= gap

    line(office_name, "Helvetica-Bold", 9, 5 * mm)
    line(_("Queue ticket"), "Helvetica", 8, 16 * mm)
    line(code, "Helvetica-Bold", 40 if width_mm == 80 else 32, 8 * mm)
    line(desk, "Helvetica-Bold", 10, 5 * mm)
    local = issued_at.astimezone(ZoneInfo(ZONES.get(zone or "WIB", "Asia/Jakarta")))
    line(f"{local:%d-%m-%Y %H:%M} {zone or 'WIB'}", "Helvetica", 8, 4.5 * mm)
    if priority:
        line(f"{_('Priority')}: {priority}", "Helvetica-Bold", 8, 4.5 * mm)
    line(_("%(n)d ahead of you") % {"n": ahead}, "Helvetica", 8, 3 * mm)
    size = min(32 * mm, inner)
    qr = QRCode(status_url, size)
    qr.canv = c
    c.saveState()
    c.translate(cx - size / 2, y - size)
    qr.draw()
    c.restoreState()
    y -= size + 4 * mm
    line(_("Scan to see where to go next."), "Helvetica", 7, 3.5 * mm)
    line(_("Keep this ticket until your visit ends."), "Helvetica", 7, 3.5 * mm)
    c.showPage()
    c.save()
    return buf.getvalue()
