"""Files made from statistics tables: CSV, XLSX (openpyxl) and the yearly PDF report (reportlab)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    for row in rows:
        # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection): quote it.
        writer.writerow(["'" + v if isinstance(v, str) and v[:1] in "=+-@" else v for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def xlsx_bytes(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31] or "data"
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(["'" + v if isinstance(v, str) and v[:1] in "=+-@" else v for v in row])
    for column in ws.columns:
        width = max(len(str(c.value or "")) for c in column)
        ws.column_dimensions[column[0].column_letter].width = min(50, max(10, width + 2))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def pdf_report(*, title: str, subtitle: str, sections: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]],
               footer: str) -> bytes:
    """A PDF with a title and one table per section (heading, column names, rows)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2 * cm,
                            bottomMargin=2 * cm, title=title, author="satuatap")
    styles = getSampleStyleSheet()
    story: list[Any] = [Paragraph(title, styles["Title"]), Paragraph(subtitle, styles["Normal"]), Spacer(1, 12)]
    for heading, header, rows in sections:
        story.append(Paragraph(heading, styles["Heading2"]))
        data = [list(header)] + [[_cell(v) for v in row] for row in rows]
        if len(data) == 1:
            data.append(["—"] + [""] * (len(header) - 1))
        table = Table(data, repeatRows=1, hAlign="LEFT")
        table.setStyle(TableStyle([
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#0b4f8a")),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
            ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
            ("FONTSIZE", (0, 0), (-1, -1), 9),
            ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#c9d0da")),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f3f5f8")]),
        ]))
        story += [table, Spacer(1, 10)]
    story.append(Paragraph(footer, styles["Italic"]))
    doc.build(story)
    return out.getvalue()


def _cell(value: Any) -> str:
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)
