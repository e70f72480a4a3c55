"""Reads of placement: scoped lists for officers and company users, public verification, and risk signals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from satuatap.accounts.models import Role
from satuatap.core import fastsql
from satuatap.core.errors import NotFound, PermissionDenied
from satuatap.placement import access
from satuatap.placement.models import (
    Company,
    Decision,
    Employer,
    FeeLedgerEntry,
    JobOrder,
    JobOrderLink,
    JobOrderStatus,
    JobTitle,
    RuleSet,
    Severity,
    Stage,
    Verdict,
)
from satuatap.placement.rules import (
    RuleContext,
    age_on,
    company_licence_finding,
    evaluate,
    rules_in_force,
)

# the rule set in force, read along with other rows: the journey's step completion reads them with the worker
from satuatap.placement.rules import rule_set_identity as rule_set_identity
from satuatap.placement.rules import rule_set_in_force_param as rule_set_in_force_param
from satuatap.placement.rules import rule_set_in_force_sql as rule_set_in_force_sql
from satuatap.placement.rules import rule_set_in_force_width as rule_set_in_force_width
from satuatap.reference.models import Region
from satuatap.registry.models import Worker
from satuatap.registry.nik import format_date_id, nik_check

PUBLIC_SEARCH_LIMIT = 20


def _forbidden() -> PermissionDenied:
    return PermissionDenied("Akses ditolak.", "Access denied.", code="forbidden")


# --- companies, employers, job titles --------------------------------------------------------------------


def companies_list(*, user, q: str | None = None) -> QuerySet[Company]:
    """Officers see every company; a company user only their own."""
    qs = Company.objects.select_related("head_office_regency").order_by("name")
    company_id = access.user_company_id(user)
    if company_id is not None:
        qs = qs.filter(pk=company_id)
    elif not access.user_is_officer(user):
        raise _forbidden()
    if q and q.strip():
        term = q.strip()
        qs = qs.filter(Q(name__icontains=term) | Q(licence_number__iexact=term))
    return qs


def company_get(*, user, company_id: int) -> Company:
    qs = companies_list(user=user).prefetch_related("branches", "partners", "sanctions")
    company = qs.filter(pk=company_id).first()
    if company is None:
        raise NotFound("Perusahaan tidak ditemukan.", "Company not found.", code="company_not_found")
    return company


def employers_list(*, user, q: str | None = None, country: str | None = None) -> QuerySet[Employer]:
    if not access.user_is_active(user):
        raise _forbidden()
    qs = Employer.objects.select_related("country").order_by("name")
    if q and q.strip():
        qs = qs.filter(name__icontains=q.strip())
    if country:
        qs = qs.filter(country_id=country.upper())
    return qs


def employer_get(*, user, employer_id: int) -> Employer:
    employer = employers_list(user=user).filter(pk=employer_id).first()
    if employer is None:
        raise NotFound("Pemberi kerja tidak ditemukan.", "Employer not found.", code="employer_not_found")
    return employer


def job_titles_list() -> QuerySet[JobTitle]:
    return JobTitle.objects.order_by("sort_order", "code")


# --- job orders -----------------------------------------------------------------------------------------


def job_orders_list(*, user, company_id: int | None = None, status: str | None = None,
                    q: str | None = None) -> QuerySet[JobOrder]:
    """Officers see every job order; a company user only their company's."""
    qs = JobOrder.objects.select_related("company", "employer", "employer__country", "job_title").order_by(
        "-created_at", "-pk"
    )
    own = access.user_company_id(user)
    if own is not None:
        qs = qs.filter(company_id=own)
    elif not access.user_is_officer(user):
        raise _forbidden()
    if company_id is not None:
        qs = qs.filter(company_id=company_id)
    if status:
        qs = qs.filter(status=status)
    if q and q.strip():
        qs = qs.filter(Q(number__icontains=q.strip()) | Q(employer__name__icontains=q.strip()))
    return qs


def job_order_get(*, user, job_order_id: int) -> JobOrder:
    job_order = job_orders_list(user=user).prefetch_related("recruitment_regions").filter(pk=job_order_id).first()
    if job_order is None:
        raise NotFound("Job order tidak ditemukan.", "Job order not found.", code="job_order_not_found")
    return job_order


def job_order_links(*, user, job_order: JobOrder) -> QuerySet[JobOrderLink]:
    """The cases (candidates) linked to a job order: its company's users and officers."""
    job_order_get(user=user, job_order_id=job_order.pk)
    return JobOrderLink.objects.filter(job_order=job_order).select_related("worker").order_by("-linked_at", "-pk")


_LINK_JOB = fastsql.Columns(JobOrder, "j")
_LINK_COMPANY = fastsql.Columns(Company, "co")
_LINK_EMPLOYER = fastsql.Columns(Employer, "e")
_LINK_TITLE = fastsql.Columns(JobTitle, "t")


def _held_link_subquery(q) -> str:
    """The key of the position a case holds (its case reference: one %s), the latest if ever more than one."""
    return (f"SELECT l.{q('id')} FROM {q(JobOrderLink._meta.db_table)} l "  # noqa: S608
            f"WHERE l.{q('case_ref')} = %s AND l.{q('released_at')} IS NULL "
            f"ORDER BY l.{q('linked_at')} DESC, l.{q('id')} DESC LIMIT 1")


def _job_order_joins(q, join: str) -> str:
    return (f"{join} {_LINK_JOB.table} j ON j.{q('id')} = hl.{q('job_order_id')} "
            f"{join} {_LINK_COMPANY.table} co ON co.{q('id')} = j.{q('company_id')} "
            f"{join} {_LINK_EMPLOYER.table} e ON e.{q('id')} = j.{q('employer_id')} "
            f"{join} {_LINK_TITLE.table} t ON t.{q('code')} = j.{q('job_title_id')}")


def _job_order_columns() -> str:
    return f"{_LINK_JOB.sql}, {_LINK_COMPANY.sql}, {_LINK_EMPLOYER.sql}, {_LINK_TITLE.sql}"


_JOB_ORDER_FOR_CASE = fastsql.Statement(
    lambda q: f"SELECT {_job_order_columns()} FROM {q(JobOrderLink._meta.db_table)} hl "  # noqa: S608
              f"{_job_order_joins(q, 'JOIN')} WHERE hl.{q('id')} = ({_held_link_subquery(q)})"
)


def job_order_for_case_sql(q) -> tuple[str, str]:
    """`job_order_for_case` for a statement that reads it along with other rows (a step completion reads it with
    the worker): the columns to select (`job_order_for_case_width` of them, NULL when the case holds no position)
    and the LEFT JOINs giving them, whose one parameter is the case reference. `job_order_from_row` reads them.
    Its aliases (hl, j, co, e, t) must be free in that statement."""
    return _job_order_columns(), (f"LEFT JOIN {q(JobOrderLink._meta.db_table)} hl "
                                  f"ON hl.{q('id')} = ({_held_link_subquery(q)}) {_job_order_joins(q, 'LEFT JOIN')}")


job_order_for_case_width = _LINK_JOB.width + _LINK_COMPANY.width + _LINK_EMPLOYER.width + _LINK_TITLE.width


def job_order_from_row(row, offset: int = 0) -> JobOrder | None:
    """The job order, with its company, employer and job title attached, from `job_order_for_case_sql`'s columns
    (or `job_order_for_case`'s statement); None when they are NULL (no position held)."""
    if row[offset] is None:
        return None
    job_order = _LINK_JOB.load(row, offset)
    offset += _LINK_JOB.width
    fastsql.attach(job_order, "company", _LINK_COMPANY.load(row, offset))
    offset += _LINK_COMPANY.width
    fastsql.attach(job_order, "employer", _LINK_EMPLOYER.load(row, offset))
    offset += _LINK_EMPLOYER.width
    fastsql.attach(job_order, "job_title", _LINK_TITLE.load(row, offset))
    return job_order


def job_order_for_case(*, case_ref: str) -> JobOrder | None:
    """The job order a case holds a position in (for the journey), or None; read with its company, employer and
    job title, as the placement rules need them. Every step completion asks, so the statement is written once
    (core.fastsql) rather than compiled from a queryset each time."""
    rows = fastsql.fetch(_JOB_ORDER_FOR_CASE.sql, [case_ref])
    return job_order_from_row(rows[0]) if rows else None


# --- fees and decisions ---------------------------------------------------------------------------------


def _company_holds_case(company_id: int, case_ref: str) -> bool:
    return JobOrderLink.objects.filter(case_ref=case_ref, job_order__company_id=company_id).exists()


def fee_entries_list(*, user, case_ref: str) -> QuerySet[FeeLedgerEntry]:
    """A case's costs: the staff of the case's office, monitors of its region, admins, and the users of the company
    the case is linked to."""
    own = access.user_company_id(user)
    if own is not None:
        if not _company_holds_case(own, case_ref):
            raise _forbidden()
    else:
        # journey imports placement, so the case's office is read here, when needed
        from satuatap.journey.models import Case

        scope = Case.objects.filter(number=case_ref).values_list("office_id", "office__regency_id").first()
        office_code, office_regency = (scope[0], scope[1] or "") if scope else ("", "")
        if not (access.user_is_admin(user) or (scope and access.user_reads_decision(
                user, office_code=office_code, office_regency=office_regency))):
            raise _forbidden()
    return FeeLedgerEntry.objects.filter(case_ref=case_ref).select_related("recorded_by").order_by("recorded_at", "pk")


def decisions_list(*, user, case_ref: str) -> list[Decision]:
    """A case's rule decisions, newest first, for the staff of the office that made them and monitors of the region."""
    if not access.user_is_officer(user):
        raise _forbidden()
    rows = list(
        Decision.objects.filter(case_ref=case_ref).select_related("override", "override__actor", "actor")
        .order_by("-evaluated_at", "-pk")
    )
    return [d for d in rows if access.user_reads_decision(user, office_code=d.office_code,
                                                         office_regency=d.office_regency)]


def decision_get(*, user, decision_id: int) -> Decision:
    decision = Decision.objects.select_related("override", "job_order").filter(pk=decision_id).first()
    if decision is None or not access.user_reads_decision(user, office_code=decision.office_code,
                                                          office_regency=decision.office_regency):
        raise NotFound("Keputusan tidak ditemukan.", "Decision not found.", code="decision_not_found")
    return decision


def rule_sets_list() -> QuerySet[RuleSet]:
    return RuleSet.objects.prefetch_related("rules").order_by("-effective_from", "-version")


# --- public verification --------------------------------------------------------------------------------


@dataclass
class CompanyCheck:
    """What the public sees about a company: is its licence valid today, until when, and why not."""

    company: Company
    legal: bool
    valid_until: dt.date
    problems: list[dict[str, str]]
    active_job_orders: int


@dataclass
class JobOrderCheck:
    """What the public sees about a job order: legal or not (with the reasons), validity, places left, salary."""

    job_order: JobOrder
    legal: bool
    valid_until: dt.date
    positions_left: int
    problems: list[dict[str, Any]]
    cautions: list[dict[str, Any]]
    company: CompanyCheck
    checked_on: dt.date = field(default_factory=timezone.localdate)


def _company_check(company: Company, on: dt.date) -> CompanyCheck:
    finding = company_licence_finding(company, on)
    problems = [] if finding is None else [{"reason_id": finding.reason_id, "reason_en": finding.reason_en}]
    active = company.job_orders.filter(status=JobOrderStatus.ACTIVE, valid_to__gte=on).count()
    return CompanyCheck(company=company, legal=finding is None, valid_until=company.licence_valid_to,
                        problems=problems, active_job_orders=active)


def public_companies_search(*, q: str, on: dt.date | None = None) -> list[CompanyCheck]:
    """Companies whose name contains `q` or whose SIP3MI number is `q`, each with its licence check."""
    term = (q or "").strip()
    if len(term) < 3:
        return []
    on = on or timezone.localdate()
    qs = Company.objects.filter(Q(name__icontains=term) | Q(licence_number__iexact=term)).order_by("name")
    return [_company_check(c, on) for c in qs[:PUBLIC_SEARCH_LIMIT]]


def public_company_check(*, company_id: int, on: dt.date | None = None) -> CompanyCheck:
    company = Company.objects.filter(pk=company_id).first()
    if company is None:
        raise NotFound("Perusahaan tidak ditemukan.", "Company not found.", code="company_not_found")
    return _company_check(company, on or timezone.localdate())


def public_job_order_check(*, number: str, on: dt.date | None = None) -> JobOrderCheck:
    """A job order by its number, judged by the job-order rules in force today (the same rules the cases use)."""
    job_order = (
        JobOrder.objects.select_related("company", "employer", "employer__country", "job_title")
        .filter(number__iexact=(number or "").strip())
        .first()
    )
    if job_order is None:
        raise NotFound(
            "Job order dengan nomor ini tidak terdaftar. Job order yang tidak terdaftar tidak sah.",
            "No job order with this number is registered. An unregistered job order is not legal.",
            code="job_order_not_found",
        )
    on = on or timezone.localdate()
    in_force = rules_in_force(on=on)
    ctx = RuleContext(stage=Stage.CASE_OPEN, on=on, scheme="P2P", job_order=job_order)
    fired = evaluate(ctx, in_force.rules, job_order_only=True)
    problems = [f for f in fired if f["severity"] == Severity.BLOCK]
    cautions = [f for f in fired if f["severity"] == Severity.FLAG]
    return JobOrderCheck(
        job_order=job_order, legal=not problems, valid_until=job_order.valid_to,
        positions_left=job_order.positions_left, problems=problems, cautions=cautions,
        company=_company_check(job_order.company, on), checked_on=on,
    )


# --- risk signals (flags for the anti-trafficking desk, never blocks) ------------------------------------


@dataclass
class RiskSignal:
    kind: str
    title_id: str
    title_en: str
    explanation_id: str
    explanation_en: str
    count: int
    company_id: int | None = None
    worker_id: int | None = None
    area_code: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    severity: str = Severity.FLAG


def company_complaint_count(*, company_id: int, since: dt.date) -> int:
    """Crisis Center complaints linked to the company, registered on or after `since` (a local date).

    Placement may not import crisis (crisis depends on placement), so its model is looked up lazily by label.
    """
    from django.apps import apps

    try:
        complaint_model = apps.get_model("crisis", "Complaint")
    except LookupError:  # the Crisis Center is not installed
        return 0
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    return complaint_model.objects.filter(company_id=company_id, registered_at__gte=start).count()


def user_sees_signals(user) -> bool:
    return access.user_is_admin(user) or (
        access.user_is_officer(user) and user.role in (Role.OFFICE_HEAD, Role.MONITOR)
    )


def _signal_scope(user) -> str | None:
    """The region prefix the user's signals are limited to (None = national)."""
    if access.user_is_admin(user):
        return None
    if user.role == Role.MONITOR:
        return user.region_id
    return user.office.regency_id if user.office_id else "-"


def _in_scope(code: str | None, scope: str | None) -> bool:
    return scope is None or (bool(code) and (code == scope or code.startswith(scope + ".")))


def _village_clusters(params: dict[str, Any], on: dt.date, scope: str | None) -> list[RiskSignal]:
    window = int(params.get("window_days", 30))
    minimum = int(params.get("min_candidates", 5))
    since = timezone.now() - dt.timedelta(days=window)
    rows = (
        JobOrderLink.objects.filter(linked_at__gte=since, worker__isnull=False)
        .values("job_order__company_id", "job_order__company__name", "worker__village_id", "worker__district_id")
        .annotate(n=Count("id"))
    )
    groups: dict[tuple[int, str], dict[str, Any]] = {}
    for r in rows:
        area = r["worker__village_id"] or r["worker__district_id"]
        if not area or not _in_scope(area, scope):
            continue
        g = groups.setdefault((r["job_order__company_id"], area),
                              {"company": r["job_order__company__name"], "n": 0,
                               "level": "village" if r["worker__village_id"] else "district"})
        g["n"] += r["n"]
    names = dict(Region.objects.filter(code__in=[a for _, a in groups]).values_list("code", "name"))
    signals = []
    for (company_id, area), g in groups.items():
        if g["n"] < minimum:
            continue
        place_id = ("desa/kelurahan " if g["level"] == "village" else "kecamatan ") + names.get(area, area)
        place_en = ("village " if g["level"] == "village" else "district ") + names.get(area, area)
        signals.append(RiskSignal(
            kind="village_cluster",
            title_id="Banyak calon PMI dari satu wilayah ke satu perusahaan",
            title_en="Many candidates from one area to one company",
            explanation_id=f"{g['n']} calon PMI dari {place_id} dihubungkan ke {g['company']} dalam {window} hari "
                           f"terakhir (ambang {minimum}). Periksa kemungkinan sponsor/calo yang sama.",
            explanation_en=f"{g['n']} candidates from {place_en} were linked to {g['company']} in the last {window} "
                           f"days (threshold {minimum}). Check for one sponsor or broker behind them.",
            count=g["n"], company_id=company_id, area_code=area,
            details={"window_days": window, "threshold": minimum, "level": g["level"]},
        ))
    return signals


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _nik_age(params: dict[str, Any], on: dt.date, scope: str | None) -> list[RiskSignal]:
    limit = int(params.get("age_limit", 18))
    margin = int(params.get("margin_years", 1))
    youngest = _years_before(on, limit)  # born on or before this day: at least `limit` years old
    oldest = _years_before(on, limit + margin)
    known = set(Decision.objects.filter(worker__isnull=False).values_list("worker_id", flat=True).distinct()) | set(
        JobOrderLink.objects.filter(worker__isnull=False).values_list("worker_id", flat=True).distinct()
    )
    workers = Worker.objects.filter(pk__in=known, birth_date__gt=oldest, birth_date__lte=youngest).order_by("pk")[:500]
    signals = []
    for w in workers:
        if not _in_scope(w.regency_id, scope):
            continue
        check = nik_check(w.nik, declared_birth_date=w.birth_date, on=on)
        if check.birth_date is None or check.birth_date == w.birth_date:
            continue
        nik_age = age_on(check.birth_date, on)
        signals.append(RiskSignal(
            kind="nik_age",
            title_id="Tanggal lahir tidak cocok dengan NIK, dekat batas usia",
            title_en="Birth date inconsistent with the NIK, near the age limit",
            explanation_id=f"{w.name}: tanggal lahir yang dinyatakan {format_date_id(w.birth_date)} (usia "
                           f"{age_on(w.birth_date, on)}), menurut NIK {format_date_id(check.birth_date)} (usia "
                           f"{nik_age}). Usia mungkin dipalsukan agar mencapai {limit} tahun.",
            explanation_en=f"{w.name}: declared birth date {w.birth_date.isoformat()} "
                           f"(age {age_on(w.birth_date, on)}), "
                           f"the NIK says {check.birth_date.isoformat()} (age {nik_age}). The age may have been forged "
                           f"to reach {limit}.",
            count=1, worker_id=w.pk, area_code=w.regency_id,
            details={"declared": w.birth_date.isoformat(), "nik": check.birth_date.isoformat(), "nik_age": nik_age},
        ))
    return signals


def _failed_departures(params: dict[str, Any], on: dt.date, scope: str | None) -> list[RiskSignal]:
    minimum = int(params.get("min_count", 2))
    rows = (
        Decision.objects.filter(stage=Stage.DEPARTURE, verdict=Verdict.BLOCKED, worker__isnull=False)
        .values("worker_id", "worker__name", "worker__regency_id")
        .annotate(n=Count("evaluated_on", distinct=True))
        .filter(n__gte=minimum)
        .order_by("-n")
    )
    return [
        RiskSignal(
            kind="failed_departures",
            title_id="Keberangkatan berulang kali gagal",
            title_en="Repeated failed departures",
            explanation_id=f"{r['worker__name']}: keberangkatan diblokir pada {r['n']} hari berbeda "
                           f"(ambang {minimum}). Periksa apakah ada pihak yang terus mencoba memberangkatkan.",
            explanation_en=f"{r['worker__name']}: departure blocked on {r['n']} different days (threshold "
                           f"{minimum}). Check whether someone keeps trying to send this person.",
            count=r["n"], worker_id=r["worker_id"], area_code=r["worker__regency_id"],
            details={"threshold": minimum},
        )
        for r in rows
        if _in_scope(r["worker__regency_id"], scope)
    ]


def _company_complaints(params: dict[str, Any], on: dt.date) -> list[RiskSignal]:
    minimum = int(params.get("min_count", 5))
    since = on - dt.timedelta(days=int(params.get("window_days", 180)))
    signals = []
    for company in Company.objects.only("pk", "name"):
        n = company_complaint_count(company_id=company.pk, since=since)
        if n >= minimum:
            signals.append(RiskSignal(
                kind="company_complaints",
                title_id="Perusahaan dengan banyak pengaduan",
                title_en="Company with many complaints",
                explanation_id=f"{company.name}: {n} pengaduan sejak {since.isoformat()} (ambang {minimum}).",
                explanation_en=f"{company.name}: {n} complaints since {since.isoformat()} (threshold {minimum}).",
                count=n, company_id=company.pk, details={"threshold": minimum, "since": since.isoformat()},
            ))
    return signals


def risk_signals(*, user, on: dt.date | None = None, kind: str | None = None) -> list[RiskSignal]:
    """Explained trafficking-risk flags for the office head (their regency) and monitors (their region)."""
    if not user_sees_signals(user):
        raise _forbidden()
    on = on or timezone.localdate()
    try:
        params = rules_in_force(on=on).rule_set.signals or {}
    except NotFound:
        params = {}
    scope = _signal_scope(user)
    producers = {
        "village_cluster": lambda: _village_clusters(params.get("village_cluster", {}), on, scope),
        "nik_age": lambda: _nik_age(params.get("nik_age", {}), on, scope),
        "failed_departures": lambda: _failed_departures(params.get("failed_departures", {}), on, scope),
        "company_complaints": lambda: _company_complaints(params.get("company_complaints", {}), on),
    }
    signals: list[RiskSignal] = []
    for name, produce in producers.items():
        if kind is None or kind == name:
            signals.extend(produce())
    return signals
