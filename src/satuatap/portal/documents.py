"""The registration slip (PDF, A5): what the candidate takes home after opening the case.

Office, case number, registration date in the office's zone, name, masked NIK, scheme, the steps with
their desks and fees, a QR code of the signed status link (the link is printed too, for phones without a
scanner), and the Crisis Center contacts. Built with reportlab; the QR code with segno, drawn as vector
squares so no image library is needed and it prints sharp.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import segno
from babel.dates import format_date
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from satuatap.core.masking import mask_nik
from satuatap.core.timeutil import ZONES
from satuatap.journey.models import Case
from satuatap.portal import contacts, selectors
from satuatap.portal.fees import ZERO_COST_LEGAL_BASIS

_BASE = ParagraphStyle("base", fontName="Helvetica", fontSize=8, leading=10)
_SMALL = ParagraphStyle("small", parent=_BASE, fontSize=6.5, leading=8)
_TITLE = ParagraphStyle("title", parent=_BASE, fontName="Helvetica-Bold", fontSize=12, leading=15)
_BOLD = ParagraphStyle("bold", parent=_BASE, fontName="Helvetica-Bold")
_CASE = ParagraphStyle("case", parent=_BASE, fontName="Helvetica-Bold", fontSize=11, leading=13)
_CELL = ParagraphStyle("cell", parent=_BASE, fontSize=7, leading=8.5)


def _p(text: str, style: ParagraphStyle = _BASE) -> Paragraph:
    return Paragraph(escape(str(text)), style)


class QRCode(Flowable):
    """A QR code (segno) drawn as vector squares, with the standard 4-module quiet zone."""

    def __init__(self, data: str, size: float) -> None:
        super().__init__()
        self.qr = segno.make_qr(data, error="m")
        self.width = self.height = size

    def draw(self) -> None:
        rows = list(self.qr.matrix_iter(scale=1, border=4))
        module = self.width / len(rows)
        canvas = self.canv
        canvas.setFillColor(colors.black)
        for y, row in enumerate(rows):
            top = self.height - (y + 1) * module
            x = 0
            while x < len(row):  # one rectangle per run of dark modules
                if row[x]:
                    start = x
                    while x < len(row) and row[x]:
                        x += 1
                    canvas.rect(start * module, top, (x - start) * module, module, stroke=0, fill=1)
                else:
                    x += 1


def _registered(case: Case, language: str) -> str:
    zone = case.office.zone or "WIB"
    local = case.opened_at.astimezone(ZoneInfo(ZONES.get(zone, "Asia/Jakarta")))
    day = format_date(local.date(), "d MMMM y", locale="en" if language == "en" else "id_ID")
    clock = local.strftime("%H:%M" if language == "en" else "%H.%M")
    return f"{day}, {clock} {zone}"


def slip_pdf(case: Case, *, status_url: str, language: str = "id") -> bytes:
    """The registration slip of a case as PDF bytes; `status_url` is the absolute signed status link."""
    with translation.override(language):
        return _build(case, status_url=status_url, language=language)


def _build(case: Case, *, status_url: str, language: str) -> bytes:
    view = selectors.case_status(case=case)
    buf = io.BytesIO()
    margin = 10 * mm
    doc = SimpleDocTemplate(
        buf, pagesize=A5, leftMargin=margin, rightMargin=margin, topMargin=margin, bottomMargin=margin,
        title=_("Registration slip") + f" {case.number}", author=case.office.name, subject="satuatap",
    )
    width = A5[0] - 2 * margin
    story: list[Flowable] = [
        _p(case.office.name, _BOLD),
        _p(_("One-roof integrated service for Indonesian migrant workers (LTSA)"), _SMALL),
        Spacer(1, 2 * mm),
        _p(_("Registration slip"), _TITLE),
    ]
    details = [
        (_("Case number"), _p(case.number, _CASE)),
        (_("Registered on"), _p(_registered(case, language))),
        (_("Name"), _p(case.worker.name)),
        (_("NIK"), _p(mask_nik(case.worker.nik))),
        (_("Placement scheme"), _p(view.scheme_label)),
    ]
    table = Table([[_p(k, _BOLD), v] for k, v in details], colWidths=[32 * mm, width - 32 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                               ("TOPPADDING", (0, 0), (-1, -1), 1), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story += [table, Spacer(1, 2 * mm), _p(_("Your steps"), _BOLD)]

    rows = [[_p("#", _BOLD), _p(_("Step"), _BOLD), _p(_("Desk"), _BOLD), _p(_("Official fee"), _BOLD)]]
    for i, line in enumerate(view.lines, start=1):
        name = line.name + (f" ({_('optional')})" if line.optional_note else "")
        rows.append([_p(str(i), _CELL), _p(name, _CELL), _p(line.desk, _CELL), _p(line.fee.display, _CELL)])
    steps = Table(rows, colWidths=[6 * mm, width - 6 * mm - 42 * mm - 20 * mm, 42 * mm, 20 * mm], repeatRows=1)
    steps.setStyle(TableStyle([
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ("LEFTPADDING", (0, 0), (-1, -1), 1), ("RIGHTPADDING", (0, 0), (-1, -1), 1),
    ]))
    story += [steps]
    if view.zero_cost_job:
        story += [Spacer(1, 1 * mm), _p(_("Your job is a zero-cost job: you must not be charged any of these costs "
                                          "(%(basis)s).") % {"basis": ZERO_COST_LEGAL_BASIS}, _SMALL)]
    story.append(Spacer(1, 3 * mm))

    qr_size = 32 * mm
    scan = [
        _p(_("Check your progress at any time: scan the code with your phone's camera."), _BASE),
        Spacer(1, 1 * mm),
        _p(_("Or open this link:"), _SMALL),
        _p(status_url, _SMALL),
        Spacer(1, 1 * mm),
        _p(_("Keep this slip private: anyone holding the code can see your progress."), _SMALL),
    ]
    qr_table = Table([[QRCode(status_url, qr_size), scan]], colWidths=[qr_size + 3 * mm, width - qr_size - 3 * mm])
    qr_table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story += [qr_table, Spacer(1, 2 * mm)]

    crisis = [_p(_("Beware of illegal recruitment"), _BOLD),
              _p(_("Never hand your passport to a recruiter. A tourist or umrah visa is not a work visa. "
                   "Offers of “no fee, we handle the passport” on social media are a trap."), _SMALL),
              _p(f"{contacts.CRISIS_CENTER_NAME}: "
                 + " · ".join(f"{c.label}: {c.display}" for c in contacts.CRISIS_CENTER_CONTACTS), _BOLD)]
    box = Table([[crisis]], colWidths=[width])
    box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.8, colors.black), ("TOPPADDING", (0, 0), (-1, -1), 3),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    story.append(box)
    doc.build(story)
    return buf.getvalue()
