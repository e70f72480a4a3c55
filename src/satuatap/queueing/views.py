"""Queue pages: the kiosk and its thermal slip, the ticket's public status page, the counter page of a desk
officer, the public display board with its event stream, appointment booking, and the desk statistics.
Views parse, call a service or a selector, and render."""

from __future__ import annotations

import datetime as dt
import json
import time

from django.conf import settings
from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from satuatap.accounts.models import Role
from satuatap.core.errors import ApplicationError, NotFound
from satuatap.portal import tokens as portal_tokens
from satuatap.queueing import ratelimit, rules, selectors, services, slip
from satuatap.queueing.models import Priority
from satuatap.queueing.templatetags.queue_tags import lang_part
from satuatap.reference import selectors as reference_selectors
from satuatap.web.access import staff_required

SSE_POLL_S = getattr(settings, "QUEUE_SSE_POLL_S", 0.5)
# A stream ends after this long and the browser reconnects: sync workers are never held for good.
SSE_MAX_S = getattr(settings, "QUEUE_SSE_MAX_S", 25.0)


def _english() -> bool:
    return (get_language() or "id").startswith("en")


def _err(exc: ApplicationError) -> str:
    return exc.message_en if _english() else exc.message


def _office_or_404(office: str) -> reference_selectors.OfficeInfo:
    try:
        return reference_selectors.office_info(office.upper())
    except NotFound:
        raise Http404 from None


def _desk_names() -> dict[str, str]:
    return {a.code: (a.desk_en if _english() else a.desk_id) for a in reference_selectors.agencies_list()}


def _public_url(path: str) -> str:
    base = getattr(settings, "SATUATAP_PUBLIC_URL", "") or "http://127.0.0.1:8000"
    return base.rstrip("/") + path


def index(request: HttpRequest) -> HttpResponse:
    """Every office with its kiosk, display board and appointment booking."""
    offices = reference_selectors.offices_list()
    return render(request, "queueing/index.html", {"offices": offices})


# --- kiosk ---------------------------------------------------------------------------------------------

@never_cache
def kiosk(request: HttpRequest, office: str) -> HttpResponse:
    """Touch-screen kiosk: case number, NIK, new registrant or appointment code; priority chosen by the greeter."""
    info = _office_or_404(office)
    error, status = "", 200
    if request.method == "POST":
        mode = request.POST.get("mode", "")
        value = (request.POST.get("value") or "").strip()
        priority = request.POST.get("priority") or Priority.NONE
        try:
            ratelimit.check(request, "kiosk")
            if mode == "appointment":
                result = ratelimit.lookup_guarded(request, lambda: services.appointment_check_in(
                    code=value, office_code=info.code, priority=priority))
            else:
                result = ratelimit.lookup_guarded(request, lambda: services.visit_start(
                    office_code=info.code, case_number=value if mode == "case" else "",
                    nik=value if mode == "nik" else "", new_registrant=mode == "new", priority=priority))
            target = reverse("queueing:kiosk_ticket", kwargs={
                "office": info.code, "token": selectors.ticket_token(visit=result.visit)})
            return redirect(target + ("?paper=58" if _paper(request) == 58 else ""))
        except ApplicationError as exc:
            error, status = _err(exc), 429 if exc.status == 429 else 400
    return render(request, "queueing/kiosk.html", {
        "office": info, "priorities": Priority.choices, "error": error,
    }, status=status)


def _paper(request: HttpRequest) -> int:
    """The kiosk's thermal roll width, set in its start address (`/queue/kiosk/<office>/?paper=58`); 80 mm."""
    return 58 if request.GET.get("paper") == "58" else 80


@never_cache
def kiosk_ticket(request: HttpRequest, office: str, token: str) -> HttpResponse:
    """The ticket just taken: number, desk, people ahead, print button; back to the start by itself."""
    try:
        visit = selectors.visit_by_token(token=token)
    except NotFound:
        raise Http404 from None
    # No QR on the screen: the ticket page behind it links the case's signed status page (first name, steps),
    # so it is only on the printed ticket the candidate takes away, never on a public screen.
    return render(request, "queueing/kiosk_ticket.html", {
        "office": _office_or_404(office), "view": selectors.visit_view(visit=visit), "desks": _desk_names(),
        "token": token, "paper": _paper(request),
    })


@never_cache
def ticket_status(request: HttpRequest, token: str) -> HttpResponse:
    """The candidate's ticket (slip QR): where to go now, how many are ahead, desks done on this visit."""
    try:
        visit = selectors.visit_by_token(token=token)
    except NotFound:
        raise Http404 from None
    view = selectors.visit_view(visit=visit)
    case_link = ""
    if visit.case_id is not None:
        case_link = portal_tokens.status_path(case_number=visit.case.number, case_id=visit.case_id)
    return render(request, "queueing/ticket.html", {"view": view, "desks": _desk_names(), "case_link": case_link,
                                                    "wait_min": round(view.expected_wait_s / 60)})


@never_cache
def ticket_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The ticket as a PDF for a 58 or 80 mm thermal printer (`?w=58`)."""
    try:
        visit = selectors.visit_by_token(token=token)
    except NotFound:
        raise Http404 from None
    view = selectors.visit_view(visit=visit)
    width = 58 if request.GET.get("w") == "58" else 80
    ticket = view.ticket or (view.history[-1] if view.history else None)
    if ticket is None:
        raise Http404
    info = reference_selectors.office_info(visit.office_id)
    priority = lang_part(visit.get_priority_display()) if rules.is_priority(visit.priority) else ""
    pdf = slip.ticket_pdf(
        office_name=info.name, zone=info.zone, code=ticket.code,
        desk=_desk_names().get(ticket.agency_id, ticket.agency_id),
        issued_at=visit.arrived_at, priority=priority, ahead=view.ahead,
        status_url=_public_url(reverse("queueing:ticket", kwargs={"token": token})),
        width_mm=width, language="en" if _english() else "id",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="tiket-{ticket.code}.pdf"'
    return response


# --- counter -------------------------------------------------------------------------------------------

def _counter_context(request: HttpRequest) -> dict:
    counter = selectors.counter_of(user=request.user)
    ctx: dict = {"counter": counter, "desks": _desk_names()}
    if counter is not None:
        ctx["current"] = selectors.counter_current_ticket(counter=counter)
        ctx["waiting"] = selectors.desk_queue(office_id=counter.office_id, agency_id=counter.agency_id)
        ctx["others"] = sorted(reference_selectors.office_info(counter.office_id).desk_ids - {counter.agency_id})
        ctx["no_show_after"] = rules.NO_SHOW_AFTER_RECALLS
    return ctx


@staff_required(roles=frozenset({Role.DESK_OFFICER}))
def counter(request: HttpRequest) -> HttpResponse:
    """The officer's counter: open it, call next, recall, no-show, transfer, done; the desk's waiting list."""
    ctx = _counter_context(request)
    if request.headers.get("HX-Request") and request.GET.get("part") == "waiting":
        return render(request, "queueing/_waiting.html", ctx)
    return render(request, "queueing/counter.html", ctx)


@require_POST
@staff_required(roles=frozenset({Role.DESK_OFFICER}))
def counter_act(request: HttpRequest, action: str) -> HttpResponse:
    user = request.user
    post = request.POST
    names = _desk_names()
    try:
        if action == "open":
            services.counter_open(actor=user, label=post.get("label", "1"))
        elif action == "close":
            services.counter_close(actor=user)
        elif action == "call":
            ticket = services.call_next(actor=user)
            if ticket is None:
                messages.info(request, _("Nobody is waiting at your desk."))
            else:
                messages.success(request, _("Called %(code)s.") % {"code": ticket.code})
        else:
            ticket_id = int(post.get("ticket") or 0)
            if action == "recall":
                services.ticket_recall(actor=user, ticket_id=ticket_id)
            elif action == "no-show":
                services.ticket_no_show(actor=user, ticket_id=ticket_id)
            elif action == "transfer":
                new = services.ticket_transfer(actor=user, ticket_id=ticket_id, to_agency=post.get("to", ""),
                                               reason=post.get("reason", ""))
                messages.success(request, _("Transferred: the candidate goes to %(desk)s with number %(code)s.")
                                 % {"desk": names.get(new.agency_id, new.agency_id), "code": new.code})
            elif action == "done":
                result = services.ticket_done(actor=user, ticket_id=ticket_id,
                                              case_number=post.get("case_number", ""))
                if result.next_ticket is not None:
                    nxt = result.next_ticket
                    messages.success(request, _("Done. Tell the candidate: go to %(desk)s, number %(code)s.")
                                     % {"desk": names.get(nxt.agency_id, nxt.agency_id), "code": nxt.code})
                else:
                    messages.success(request, _("Done. Nothing else is ready today: the visit is finished."))
            else:
                raise Http404
    except ApplicationError as exc:
        messages.error(request, _err(exc))
    except ValueError:
        return HttpResponseBadRequest()
    return redirect("queueing:counter")


# --- display board -------------------------------------------------------------------------------------

@never_cache
def board(request: HttpRequest, office: str) -> HttpResponse:
    """The TV display: now serving per desk, the last calls, live (event stream) with optional voice."""
    info = _office_or_404(office)
    return render(request, "queueing/board.html", {
        "office": info, "data": selectors.board(office_id=info.code), "desks": _desk_names(),
        "desks_json": _desk_names(),
    })


def board_json(request: HttpRequest, office: str) -> JsonResponse:
    """Polling fallback of the event stream."""
    info = _office_or_404(office)
    response = JsonResponse(selectors.board(office_id=info.code))
    response["Cache-Control"] = "no-store"
    return response


def _sse_stream(office_id: str, last_seen: int):
    yield "retry: 2000\n\n"
    started = time.monotonic()
    seen = last_seen
    while time.monotonic() - started < SSE_MAX_S:
        current = selectors.last_change(office_id=office_id)
        if current != seen:
            seen = current
            data = json.dumps(selectors.board(office_id=office_id), separators=(",", ":"))
            yield f"id: {current}\nevent: board\ndata: {data}\n\n"
        else:
            yield ": keep-alive\n\n"
        time.sleep(SSE_POLL_S)


def board_events(request: HttpRequest, office: str) -> StreamingHttpResponse:
    """Server-sent events: the board's data each time the office's queue changes; ends after SSE_MAX_S and
    the browser's EventSource reconnects (with Last-Event-ID)."""
    info = _office_or_404(office)
    try:
        last = int(request.headers.get("Last-Event-ID") or -1)
    except ValueError:
        last = -1
    response = StreamingHttpResponse(_sse_stream(info.code, last), content_type="text/event-stream")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"
    return response


# --- appointments --------------------------------------------------------------------------------------

@never_cache
def book(request: HttpRequest, office: str) -> HttpResponse:
    """Public booking: service, day, free slot; the confirmation shows the code to bring to the kiosk."""
    info = _office_or_404(office)
    names = _desk_names()
    services_offered = sorted(info.desk_ids, key=lambda a: rules.DESK_PREFIX.get(a, "Z"))
    service = (request.GET.get("service") or request.POST.get("service") or "DISNAKER").upper()
    today = rules.local_now(info.zone).date()
    try:
        day = dt.date.fromisoformat(request.GET.get("day") or request.POST.get("day") or "")
    except ValueError:
        day = today + dt.timedelta(days=1)
    error, status = "", 200
    if request.method == "POST":
        try:
            ratelimit.check(request, "book")
            appt = services.appointment_book(office_code=info.code, agency_id=service, day=day,
                                             slot=dt.time.fromisoformat(request.POST.get("slot", "")),
                                             case_number=request.POST.get("case_number", ""))
            return redirect("queueing:appointment", code=appt.code)
        except ApplicationError as exc:
            error, status = _err(exc), 429 if exc.status == 429 else 400
        except ValueError:
            error, status = _("Choose a time."), 400
    slots = selectors.appointment_slots(office_id=info.code, agency_id=service, day=day) if service in \
        info.desk_ids else []
    return render(request, "queueing/book.html", {
        "office": info, "services": [(a, names.get(a, a)) for a in services_offered], "service": service,
        "day": day, "min_day": today, "slots": slots, "error": error,
    }, status=status)


@never_cache
def appointment(request: HttpRequest, code: str) -> HttpResponse:
    """The confirmation page of a booking (its code is the only key); cancel from here."""
    try:
        ratelimit.check(request, "appointment")
        appt = selectors.appointment_get(code=code)
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        return render(request, "web/error.html", {"status": exc.status, "message": _err(exc)}, status=exc.status)
    if request.method == "POST":
        try:
            appt = services.appointment_cancel(code=code)
            messages.success(request, _("The appointment is cancelled."))
        except ApplicationError as exc:
            messages.error(request, _err(exc))
        return redirect("queueing:appointment", code=appt.code)
    return render(request, "queueing/appointment.html", {
        "appt": appt, "office": reference_selectors.office_info(appt.office_id), "desks": _desk_names(),
    })


# --- statistics ----------------------------------------------------------------------------------------

@staff_required(roles=frozenset({Role.OFFICE_HEAD, Role.MONITOR}))
def stats(request: HttpRequest) -> HttpResponse:
    """Per desk and day: tickets, waits and service times (p50/p90), no-shows, transfers (last 7 days)."""
    office = (request.GET.get("office") or request.user.office_id or "").upper()
    try:
        selectors.stats_check_access(user=request.user, office_id=office)
    except (ApplicationError, NotFound):
        return render(request, "web/error.html", {"status": 403, "message": None}, status=403)
    today = timezone.localdate()
    date_from = today - dt.timedelta(days=6)
    rows = selectors.desk_day_stats(office_ids=[office], date_from=date_from, date_to=today)
    return render(request, "queueing/stats.html", {
        "office": reference_selectors.office_info(office), "rows": rows, "desks": _desk_names(),
        "date_from": date_from, "date_to": today,
    })
