"""A worker's own data, gathered from every app, as JSON and as a PDF (UU 27/2022 art. 7-8: the data subject's
right of access and to obtain a copy).

Handed to the worker through an officer (registry.api `…/export`); the export itself is recorded as a worker event
and an audit entry by `services.worker_export_record`. It holds the worker's full data, health outcomes
included: it is theirs. Reads go through the other apps' selectors where they exist; cases and complaints are
found through their relation to the worker (journey and crisis hold the foreign keys).
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from satuatap.journey import selectors as journey_selectors
from satuatap.registry import selectors
from satuatap.registry.models import Worker

FORMAT_VERSION = 1


def _iso(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _region(region) -> dict[str, str] | None:
    return {"code": region.code, "name": region.name} if region is not None else None


def worker_export_data(*, worker: Worker) -> dict[str, Any]:
    """Everything the system holds about one worker, in plain JSON types (dates as ISO 8601, local time)."""
    worker = selectors.worker_get(worker_id=worker.pk)
    cases = []
    for case in worker.cases.select_related("office", "process").order_by("opened_at"):
        steps = journey_selectors.case_steps(case=case)
        documents = journey_selectors.step_documents(case=case)
        cases.append({
            "number": case.number,
            "office": case.office.name,
            "status": case.status,
            "scheme": case.scheme,
            "process": f"{case.process.code} v{case.process.version}",
            "destination_country": case.destination_country,
            "opened_at": _iso(case.opened_at),
            "closed_at": _iso(case.closed_at),
            "steps": [{
                "code": s.code, "name": s.definition.name_id, "agency": s.agency_id, "state": s.state,
                "started_at": _iso(s.started_at), "completed_at": _iso(s.completed_at),
                "outcome": {k: _iso(v) for k, v in (s.outcome or {}).items()}, "reason": s.reason,
                "valid_until": _iso(s.valid_until),
            } for s in steps],
            "events": [{
                "kind": e.kind, "step": e.step.code if e.step_id else None, "office": e.office_id,
                "agency": e.agency_id, "from": e.from_state, "to": e.to_state, "reason": e.reason,
                "at": _iso(e.created_at),
            } for e in journey_selectors.case_events(case=case)],
            "documents": [{
                "step": d.step.code, "name": d.original_name, "content_type": d.content_type, "size": d.size,
                "sha256": d.sha256, "uploaded_at": _iso(d.uploaded_at),
            } for d in documents],
        })
    complaints = [{
        "reference": c.reference, "category": c.category, "status": c.status,
        "registered_at": _iso(c.registered_at), "country": c.country_id, "description": c.description,
    } for c in worker.complaints.order_by("registered_at")]
    return {
        "format": "satuatap.worker-export", "format_version": FORMAT_VERSION,
        "generated_at": _iso(timezone.now()),
        "worker": {
            "id": worker.pk, "nik": worker.nik, "name": worker.name, "birth_place": worker.birth_place,
            "birth_date": _iso(worker.birth_date), "sex": worker.sex, "address": worker.address,
            "province": _region(worker.province), "regency": _region(worker.regency),
            "district": _region(worker.district), "village": _region(worker.village), "phone": worker.phone,
            "education": worker.education, "marital_status": worker.marital_status,
            "registered_at": _iso(worker.created_at), "updated_at": _iso(worker.updated_at),
        },
        "family_consents": [{
            "consenter_name": c.consenter_name, "relation": c.relation, "consent_date": _iso(c.consent_date),
            "village_head_acknowledged": c.village_head_acknowledged, "village_head_name": c.village_head_name,
            "recorded_at": _iso(c.recorded_at),
        } for c in selectors.worker_consents(worker=worker)],
        "record_history": [{
            "kind": e.kind, "office": e.office_id, "agency": e.agency_id, "fields": sorted(e.after),
            "reason": e.reason, "at": _iso(e.created_at),
        } for e in selectors.worker_events(worker=worker)],
        "correction_requests": [{
            "id": c.pk, "status": c.status, "fields": sorted(c.changes), "reason": c.reason,
            "requested_at": _iso(c.requested_at), "decided_at": _iso(c.decided_at), "decision_note": c.decision_note,
        } for c in selectors.worker_corrections(worker=worker)],
        "cases": cases,
        "complaints": complaints,
    }


def worker_export_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()


_BASE = ParagraphStyle("base", fontName="Helvetica", fontSize=8.5, leading=11)
_H1 = ParagraphStyle("h1", parent=_BASE, fontName="Helvetica-Bold", fontSize=14, leading=18, spaceAfter=4)
_H2 = ParagraphStyle("h2", parent=_BASE, fontName="Helvetica-Bold", fontSize=11, leading=14, spaceBefore=8,
                     spaceAfter=3)
_CELL = ParagraphStyle("cell", parent=_BASE, fontSize=7.5, leading=9.5)


def _p(text: Any, style: ParagraphStyle = _BASE) -> Paragraph:
    return Paragraph(escape("" if text is None else str(text)), style)


def _table(rows: list[list[Any]], widths: list[float]) -> Table:
    table = Table([[_p(c, _CELL) for c in row] for row in rows], colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"), ("GRID", (0, 0), (-1, -1), 0.3, "#999999"),
        ("BACKGROUND", (0, 0), (-1, 0), "#eeeeee"), ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def worker_export_pdf(data: dict[str, Any]) -> bytes:
    """The same content as the JSON, laid out for printing and handing over (A4, Indonesian headings)."""
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title="Salinan data pribadi / personal data copy",
                            author="satuatap")
    w = data["worker"]
    story: list[Any] = [
        _p("Salinan Data Pribadi Pekerja Migran / Copy of personal data", _H1),
        _p(f"Dibuat / generated: {data['generated_at']} · UU 27/2022 tentang Pelindungan Data Pribadi"),
        Spacer(1, 4 * mm),
        _p("Identitas / identity", _H2),
    ]
    region = ", ".join(r["name"] for r in (w["village"], w["district"], w["regency"], w["province"]) if r)
    story.append(_table([
        ["Kolom / field", "Isi / value"], ["NIK", w["nik"]], ["Nama / name", w["name"]],
        ["Tempat, tanggal lahir / born", f"{w['birth_place']}, {w['birth_date']}"], ["Jenis kelamin / sex", w["sex"]],
        ["Alamat / address", f"{w['address']} {region}".strip()], ["Telepon / phone", w["phone"]],
        ["Pendidikan / education", w["education"]], ["Status kawin / marital status", w["marital_status"]],
        ["Terdaftar / registered", w["registered_at"]],
    ], [55 * mm, 125 * mm]))
    if data["family_consents"]:
        story.append(_p("Izin keluarga / family consent", _H2))
        story.append(_table([["Nama / name", "Hubungan / relation", "Tanggal / date", "Kepala desa / village head"]]
                            + [[c["consenter_name"], c["relation"], c["consent_date"], c["village_head_name"]]
                               for c in data["family_consents"]], [55 * mm, 30 * mm, 30 * mm, 65 * mm]))
    for case in data["cases"]:
        story.append(_p(f"Kasus / case {case['number']} · {case['office']} · {case['status']}", _H2))
        story.append(_table([["Langkah / step", "Status", "Selesai / done", "Hasil / outcome", "Alasan / reason"]]
                            + [[f"{s['code']} {s['name']}", s["state"], s["completed_at"] or "",
                                "; ".join(f"{k}: {v}" for k, v in s["outcome"].items()), s["reason"]]
                               for s in case["steps"]], [38 * mm, 20 * mm, 32 * mm, 60 * mm, 30 * mm]))
        if case["documents"]:
            story.append(_table([["Dokumen / document", "Langkah / step", "Ukuran / size", "Diunggah / uploaded"]]
                                + [[d["name"], d["step"], d["size"], d["uploaded_at"]] for d in case["documents"]],
                                [70 * mm, 25 * mm, 25 * mm, 60 * mm]))
    if data["complaints"]:
        story.append(_p("Pengaduan / complaints", _H2))
        story.append(_table([["Nomor / reference", "Kategori / category", "Status", "Tanggal / date"]]
                            + [[c["reference"], c["category"], c["status"], c["registered_at"]]
                               for c in data["complaints"]], [45 * mm, 50 * mm, 40 * mm, 45 * mm]))
    if data["record_history"]:
        story.append(_p("Riwayat perubahan data / record history", _H2))
        story.append(_table([["Waktu / at", "Jenis / kind", "Kolom / fields", "Kantor / office", "Alasan / reason"]]
                            + [[e["at"], e["kind"], ", ".join(e["fields"]), e["office"], e["reason"]]
                               for e in data["record_history"]], [35 * mm, 35 * mm, 40 * mm, 25 * mm, 45 * mm]))
    doc.build(story)
    return buf.getvalue()
