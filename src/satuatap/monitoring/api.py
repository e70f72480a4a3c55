"""Monitoring API (session or bearer token): the office dashboard, office classifications, and placement /
complaint statistics with the same filters as the pages.

- GET /api/v1/monitoring/offices/{code}/dashboard — office heads (own office), monitors (region), admins
- GET /api/v1/monitoring/offices/{code}/classifications — the office's monthly classes with every criterion
- GET /api/v1/monitoring/classifications?month=YYYY-MM — offices in the caller's scope, ranked
- GET /api/v1/monitoring/statistics/placements?dim=country&year=2026&… — monitors and admins
- GET /api/v1/monitoring/statistics/complaints?dim=category&year=2026 — monitors and admins
"""

from __future__ import annotations

from typing import Any

from ninja import Query, Router, Schema

from satuatap.accounts.api import API_AUTH
from satuatap.core.api_schemas import ErrorOut
from satuatap.core.errors import PermissionDenied
from satuatap.monitoring import selectors
from satuatap.monitoring.rubric import month_parse

router = Router(tags=["monitoring"], auth=API_AUTH)




ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ClassificationOut(Schema):
    office: str
    month: str
    rubric_version: int
    score: float | None
    klass: str
    criteria: list[dict[str, Any]]


class TableOut(Schema):
    id: str
    dim: str
    columns: list[str]
    rows: list[list[Any]]


class StatsQuery(Schema):
    dim: str = "country"
    year: int | None = None
    month: int | None = None
    province: str = ""
    regency: str = ""
    country: str = ""
    sex: str = ""
    scheme: str = ""
    job: str = ""


def _class_out(c) -> dict[str, Any]:
    return {"office": c.office_id, "month": f"{c.month:%Y-%m}", "rubric_version": c.rubric.version,
            "score": float(c.score) if c.score is not None else None, "klass": c.klass, "criteria": c.criteria}


@router.get("/offices/{code}/dashboard", response={200: dict, **ERRORS}, summary="An office's dashboard")
def office_dashboard(request, code: str, stuck_days: int = 14):
    board = selectors.office_dashboard(user=request.auth, office_code=code, stuck_days=max(1, min(365, stuck_days)))
    return {
        "office": board.office.code, "today": board.today.isoformat(), "today_counts": board.today_counts,
        "steps": [{"code": s.code, "completed": s.completed, "p50_hours": s.p50_h, "p90_hours": s.p90_h,
                   "waiting": s.open, "past_sla": s.overdue} for s in board.steps],
        "completed_window": board.completed, "late_window": board.late_completed, "window_days": board.window_days,
        "backlog": board.backlog_total, "past_sla": board.overdue_total, "stuck_days": board.stuck_days,
        "stuck_total": board.stuck_total,
        "stuck": [{"number": c["number"], "days": c["days"], "open_steps": c["open_steps"]} for c in board.stuck],
        "queue": board.queue, "stopped_attempts": board.stopped,
    }


@router.get("/offices/{code}/classifications", response={200: list[ClassificationOut], **ERRORS},
            summary="An office's monthly classifications, newest first")
def office_classifications(request, code: str):
    office = selectors.office_for_user(user=request.auth, office_code=code)
    return [_class_out(c) for c in selectors.classifications_for_office(user=request.auth, office=office)]


@router.get("/classifications", response={200: list[ClassificationOut], **ERRORS},
            summary="Offices in the caller's scope for a month, best first")
def classifications(request, month: str):
    if not selectors.user_sees_monitoring(request.auth):
        raise PermissionDenied("Anda tidak berwenang melihat pemantauan ini.", "You may not see this monitoring view.",
                               code="forbidden_monitoring")
    return [_class_out(c) for c in selectors.classification_ranking(user=request.auth, month=month_parse(month))]


def _params(q: StatsQuery) -> dict[str, Any]:
    return {k: v for k, v in q.dict().items() if k != "dim" and v not in (None, "")}


@router.get("/statistics/placements", response={200: TableOut, **ERRORS},
            summary="Registrations, departures (placements) and cancellations by one dimension")
def placement_statistics(request, q: Query[StatsQuery]):
    f = selectors.stats_filter(user=request.auth, params=_params(q))
    t = selectors.placement_view(f=f, dim=q.dim)
    return {"id": t.id, "dim": t.dim, "columns": t.columns, "rows": t.rows}


@router.get("/statistics/complaints", response={200: TableOut, **ERRORS},
            summary="Complaints by category, country, company, procedural or month")
def complaint_statistics(request, q: Query[StatsQuery]):
    f = selectors.stats_filter(user=request.auth, params=_params(q))
    t = selectors.complaint_view(f=f, dim=q.dim)
    return {"id": t.id, "dim": t.dim, "columns": t.columns, "rows": t.rows}
