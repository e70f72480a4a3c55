"""Placement pages: public verification of companies and job orders (no login, rate-limited) and the
risk-signal list for office heads and monitors. Thin: parse, call a selector, render."""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from satuatap.core.errors import ApplicationError, NotFound
from satuatap.placement import ratelimit, selectors

NUMBER_MAX = 60


def _limited(request):
    if ratelimit.hit(request):
        return None
    return render(request, "placement/rate_limited.html", status=429)


def verify_url(request, number: str) -> str:
    """The absolute address of a job order's public page: what its QR code holds."""
    return request.build_absolute_uri(reverse("placement:verify_job_order")) + "?" + urlencode({"number": number})


@require_GET
def verify_index(request):
    """Search a company by name or licence number, or a job order by its number."""
    if (limited := _limited(request)) is not None:
        return limited
    q = (request.GET.get("q") or "").strip()[:100]
    companies, job_order, searched = [], None, len(q) >= 3
    if searched:
        companies = selectors.public_companies_search(q=q)
        try:
            job_order = selectors.public_job_order_check(number=q[:NUMBER_MAX])
        except ApplicationError:  # not a job order number (or no rule set loaded): the company search still answers
            job_order = None
    return render(request, "placement/verify_index.html",
                  {"q": q, "searched": searched, "companies": companies, "job_order": job_order})


@require_GET
def verify_company(request, company_id: int):
    """A company's licence status in plain words."""
    if (limited := _limited(request)) is not None:
        return limited
    try:
        check = selectors.public_company_check(company_id=company_id)
    except NotFound:
        return render(request, "placement/verify_not_found.html", status=404)
    return render(request, "placement/verify_company.html", {"check": check})


@require_GET
def verify_job_order(request):
    """A job order by number (the address in its QR code): legal or not, with the reasons."""
    if (limited := _limited(request)) is not None:
        return limited
    number = (request.GET.get("number") or "").strip()[:NUMBER_MAX]
    try:
        check = selectors.public_job_order_check(number=number)
    except NotFound as exc:
        if exc.code != "job_order_not_found":
            raise  # no rule set loaded: a server fault, not an unknown job order
        return render(request, "placement/verify_not_found.html", {"number": number}, status=404)
    url = verify_url(request, check.job_order.number)
    qr = segno.make(url, error="m").svg_inline(scale=4, dark="#1b1f24", title=check.job_order.number)
    return render(request, "placement/verify_job_order.html",
                  {"check": check, "jo": check.job_order, "verify_url": url, "qr_svg": mark_safe(qr)})  # noqa: S308


@require_GET
def verify_job_order_qr(request):
    """The QR code (SVG) to print on a job order: it encodes the job order's public verification address."""
    if (limited := _limited(request)) is not None:
        return limited
    number = (request.GET.get("number") or "").strip()[:NUMBER_MAX]
    try:
        check = selectors.public_job_order_check(number=number)
    except NotFound as exc:
        if exc.code != "job_order_not_found":
            raise
        return HttpResponse(status=404)
    qr = segno.make(verify_url(request, check.job_order.number), error="m")
    response = HttpResponse(qr.svg_inline(scale=8), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@login_required
@require_GET
def signals(request):
    """Trafficking-risk signals for the office head (their regency) and monitors (their region)."""
    if not selectors.user_sees_signals(request.user):
        return render(request, "placement/forbidden.html", status=403)
    kind = request.GET.get("kind") or None
    items = selectors.risk_signals(user=request.user, kind=kind)
    return render(request, "placement/signals.html", {"signals": items, "kind": kind})
