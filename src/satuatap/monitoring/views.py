"""Monitoring pages: the office head's dashboard, office classifications (own history; ranked for monitors),
province / national statistics with charts and CSV / XLSX export, and the yearly PDF report."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from satuatap.accounts.models import Role
from satuatap.core.errors import ApplicationError
from satuatap.monitoring import charts, exports, selectors
from satuatap.monitoring.rubric import NOT_CLASSIFIED, month_parse
from satuatap.web.access import staff_required

MONITORING_ROLES = frozenset({Role.OFFICE_HEAD, Role.MONITOR})
STATS_ROLES = frozenset({Role.MONITOR})


def _guard(check):
    """Logged in with the second factor where required (web.access), then `check(user)` or 403: the role alone
    is not enough (a placement company's users carry the monitor role)."""

    def decorate(view):
        @wraps(view)
        def inner(request, *args, **kwargs):
            if not check(request.user):
                return render(request, "web/error.html", {"status": 403, "message": None}, status=403)
            return view(request, *args, **kwargs)

        return staff_required(inner, roles=MONITORING_ROLES if check is selectors.user_sees_monitoring
                              else STATS_ROLES)

    return decorate


monitoring_required = _guard(selectors.user_sees_monitoring)
statistics_required = _guard(selectors.user_sees_statistics)


def _english() -> bool:
    return (get_language() or "id").startswith("en")


def _error(request, exc: ApplicationError) -> HttpResponse:
    return render(request, "web/error.html", {"status": exc.status, "message": exc.message_en if _english()
                                              else exc.message}, status=exc.status)


def _class_label(rubric, code: str) -> str:
    if code == NOT_CLASSIFIED:
        return _("Not classified")
    for c in (rubric.classes if rubric else []):
        if c["code"] == code:
            return c["label_en"] if _english() else c["label_id"]
    return code


@monitoring_required
def home(request):
    """Office heads start at their office's dashboard; monitors at the statistics."""
    if request.user.role == Role.OFFICE_HEAD:
        return redirect("monitoring:office")
    return redirect("monitoring:statistics")


@monitoring_required
def office(request):
    try:
        stuck_days = max(1, min(365, int(request.GET.get("stuck_days") or 14)))
    except ValueError:
        stuck_days = 14
    try:
        board = selectors.office_dashboard(user=request.user, office_code=request.GET.get("office") or None,
                                           stuck_days=stuck_days)
    except ApplicationError as exc:
        return _error(request, exc)
    days = [d["day"].strftime("%d/%m") for d in board.daily]
    chart = charts.columns(
        days,
        [(_("Steps completed"), [d["steps_done"] for d in board.daily]),
         (_("Completed late"), [d["steps_late"] for d in board.daily]),
         (_("Registered"), [d["registered"] for d in board.daily])],
        title=_("Work per day, last %(n)s days") % {"n": board.window_days}, chart_id="chart-office-daily",
    )
    timing_chart = charts.bars([(s.code, s.p50_h or 0) for s in board.steps if s.p50_h is not None],
                               title=_("Median hours from ready to done, per step"), chart_id="chart-step-p50")
    latest = board.latest_class
    context = {
        "board": board, "chart": chart, "timing_chart": timing_chart,
        "latest_label": _class_label(latest.rubric, latest.klass) if latest else "",
        "offices": selectors.offices_in_scope(user=request.user) if request.user.role != Role.OFFICE_HEAD else [],
        "english": _english(),
    }
    return render(request, "monitoring/office.html", context)


@monitoring_required
def classification(request):
    """Office heads: their office's history. Monitors: the offices of their region for a month, ranked."""
    user = request.user
    if user.role == Role.OFFICE_HEAD:
        return redirect("monitoring:office_classification", office_code=user.office_id)
    months = selectors.classification_months()
    try:
        month = month_parse(request.GET["month"]) if request.GET.get("month") else (months[0] if months else None)
    except ApplicationError as exc:
        return _error(request, exc)
    rows = selectors.classification_ranking(user=user, month=month) if month else []
    for r in rows:
        r.label = _class_label(r.rubric, r.klass)
    counts = {}
    for r in rows:
        counts[r.label] = counts.get(r.label, 0) + 1
    context = {"rows": rows, "month": month, "months": months, "english": _english(),
               "chart": charts.bars([(r.office.name, float(r.score or 0)) for r in rows], limit=50,
                                    title=_("Score per office"), chart_id="chart-ranking"),
               "class_counts": sorted(counts.items())}
    return render(request, "monitoring/classification.html", context)


@monitoring_required
def office_classification(request, office_code: str):
    try:
        the_office = selectors.office_for_user(user=request.user, office_code=office_code)
        history = list(selectors.classifications_for_office(user=request.user, office=the_office))
    except ApplicationError as exc:
        return _error(request, exc)
    for h in history:
        h.label = _class_label(h.rubric, h.klass)
    context = {"office": the_office, "history": history, "current": history[0] if history else None,
               "english": _english(),
               "chart": charts.columns([f"{h.month:%m/%y}" for h in reversed(history)],
                                       [(_("Score"), [float(h.score or 0) for h in reversed(history)])],
                                       title=_("Score per month"), chart_id="chart-class-history")}
    return render(request, "monitoring/office_classification.html", context)


def _filter(request) -> selectors.StatsFilter:
    return selectors.stats_filter(user=request.user, params=request.GET)


SHOWN_ROWS = 40


def _titles() -> dict[str, str]:
    return {
        "placements-country": _("Placements by destination country"),
        "placements-job": _("Placements by job"),
        "placements-province": _("Placements by province of origin"),
        "placements-regency": _("Placements by regency of origin"),
        "placements-sex": _("Placements by sex"),
        "placements-scheme": _("Placements by scheme"),
        "placements-month": _("Registrations, departures and cancellations by month"),
        "placements-year": _("Registrations, departures and cancellations by year (every year)"),
        "complaints-category": _("Complaints by category"),
        "complaints-country": _("Complaints by country"),
        "complaints-company": _("Complaints by placement company"),
        "complaints-procedural": _("Complaints: procedural or not"),
        "complaints-month": _("Complaints by month"),
    }


@statistics_required
def statistics(request):
    try:
        f = _filter(request)
    except ApplicationError as exc:
        return _error(request, exc)
    english = _english()
    titles = _titles()
    data = selectors.placement_tables(f=f, dims=selectors.PLACEMENT_TABLES)
    placement_tables = [selectors.placement_view(f=f, dim=d, english=english, data=data[d])
                        for d in selectors.PLACEMENT_TABLES]
    complaint_tables = [selectors.complaint_view(f=f, dim=d, english=english) for d in selectors.COMPLAINT_TABLES]
    by_id = {t.id: t for t in placement_tables + complaint_tables}
    returns = selectors.returns_table(f=f)
    stopped = selectors.stopped_attempts_table(f=f)
    country_names = selectors.labels_for("country", set(returns) | set(stopped), english=english)
    months = by_id["placements-month"]
    month_names = [dt.date(2000, int(r[0]), 1).strftime("%b") for r in months.rows]
    province_names = {r.code: r.name for r in selectors.provinces()}
    query = request.GET.urlencode()
    for t in placement_tables + complaint_tables:
        t.title = titles[t.id]
        # Long tables (regencies, companies) show their first rows; the exports carry every row.
        t.shown, t.more = t.rows[:SHOWN_ROWS], max(0, len(t.rows) - SHOWN_ROWS)
        t.export_csv = f"{reverse('monitoring:export', args=[t.id, 'csv'])}?{query}"
        t.export_xlsx = f"{reverse('monitoring:export', args=[t.id, 'xlsx'])}?{query}"
        if t.dim not in ("month", "year"):
            t.chart = charts.bars([(r[1], r[-1] if t.id.startswith("complaints") else r[3]) for r in t.rows],
                                  title=t.title, chart_id=f"chart-{t.id}")
    context = {
        "f": f, "placement_tables": placement_tables, "complaint_tables": complaint_tables,
        "month_chart": charts.columns(month_names, [(_("Registered"), [r[2] for r in months.rows]),
                                                    (_("Departed"), [r[3] for r in months.rows]),
                                                    (_("Cancelled"), [r[4] for r in months.rows])],
                                      title=titles["placements-month"], chart_id="chart-placements-month"),
        "year_chart": charts.columns([r[0] for r in by_id["placements-year"].rows],
                                     [(_("Registered"), [r[2] for r in by_id["placements-year"].rows]),
                                      (_("Departed"), [r[3] for r in by_id["placements-year"].rows]),
                                      (_("Cancelled"), [r[4] for r in by_id["placements-year"].rows])],
                                     title=titles["placements-year"], chart_id="chart-placements-year"),
        "map": charts.province_map({k: v["departed"] for k, v in data["province"].items()}, province_names,
                                   title=_("Departures by province of origin"), chart_id="chart-province-map"),
        "totals": by_id["placements-country"].totals(),
        "complaints_total": sum(r[2] for r in by_id["complaints-category"].rows),
        "returns": [(k, country_names.get(k, k), n) for k, n in returns.items()],
        "returns_total": sum(returns.values()),
        "stopped": [(k, country_names.get(k, k or "—"), n) for k, n in stopped.items()],
        "stopped_total": sum(stopped.values()),
        "provinces": selectors.provinces(), "years": list(range(timezone.localdate().year, 2015, -1)),
        "month_numbers": range(1, 13), "scope": f.region, "english": english,
        "schemes": ("P2P", "G2G", "UKPS", "MANDIRI"),
    }
    return render(request, "monitoring/statistics.html", context)


@statistics_required
def export(request, table_id: str, fmt: str):
    """One statistics table, with the same filters as the page, as CSV or XLSX."""
    try:
        f = _filter(request)
        kind, _sep, dim = table_id.partition("-")
        if kind == "placements" and dim in selectors.PLACEMENT_TABLES:
            table = selectors.placement_view(f=f, dim=dim, english=_english())
        elif kind == "complaints" and dim in selectors.COMPLAINT_TABLES:
            table = selectors.complaint_view(f=f, dim=dim, english=_english())
        else:
            return render(request, "web/error.html", {"status": 404, "message": None}, status=404)
    except ApplicationError as exc:
        return _error(request, exc)
    period = f"{f.year}" + (f"-{f.month:02d}" if f.month else "")
    name = f"satuatap-{table_id}-{period}"
    if fmt == "csv":
        response = HttpResponse(exports.csv_bytes(table.columns, table.rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    if fmt == "xlsx":
        response = HttpResponse(exports.xlsx_bytes(table_id, table.columns, table.rows),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    return render(request, "web/error.html", {"status": 404, "message": None}, status=404)


@statistics_required
def reports(request):
    return render(request, "monitoring/reports.html", {"years": selectors.report_years()})


def yearly_report_pdf(*, year: int, english: bool) -> bytes:
    title = (f"Indonesian migrant worker placements and complaints {year}" if english
             else f"Penempatan dan pengaduan Pekerja Migran Indonesia {year}")
    subtitle = (f"National figures from satuatap, generated {timezone.localtime():%Y-%m-%d %H:%M} WIB." if english
                else f"Angka nasional dari satuatap, dibuat {timezone.localtime():%d-%m-%Y %H:%M} WIB.")
    footer = ("Placements = departures recorded at the checkpoint (DEP step). Counts from the monitoring rollups."
              if english else "Penempatan = keberangkatan yang tercatat di tempat pemeriksaan (langkah DEP). "
              "Angka dari rekap pemantauan.")
    return exports.pdf_report(title=title, subtitle=subtitle,
                              sections=selectors.yearly_report_sections(year=year, english=english), footer=footer)


@statistics_required
def report_pdf(request, year: int):
    if not 2000 <= year <= 2100:
        return render(request, "web/error.html", {"status": 404, "message": None}, status=404)
    response = HttpResponse(yearly_report_pdf(year=year, english=_english()), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="satuatap-laporan-tahunan-{year}.pdf"'
    return response
