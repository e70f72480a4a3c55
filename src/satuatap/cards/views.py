"""Card pages: the checkpoint (verify a QR or typed token, record a departure or a stopped attempt), the worker's
mobile card and its printable PDF, the staff card page (revoke), where our citizens are (+ CSV), the public key
file, the signed revocation list and the static offline verifier. Views parse, call a service or selector, render."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import functools
import hashlib
import io
import json
from collections.abc import Callable
from functools import wraps
from pathlib import Path

import segno
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_POST

from satuatap.cards import selectors, services, signing
from satuatap.cards.models import AbroadStatus, Card, CardStatus
from satuatap.cards.pdf import card_pdf
from satuatap.core.errors import ApplicationError, NotFound, PermissionDenied
from satuatap.core.timeutil import local_date
from satuatap.web import access as web_access

VERIFIER_HTML = Path(__file__).resolve().parent / "static" / "cards" / "verifier.html"


def _english() -> bool:
    return (get_language() or "id").startswith("en")


def _error_text(exc: ApplicationError) -> str:
    return exc.message_en if _english() else exc.message


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The officer pages' own gate (login, second factor, no company users or auditors, never cached), then
    officers only."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not selectors.user_is_officer(request.user):
            return render(request, "cards/forbidden.html", {"error": _("Only officers may open this page.")},
                          status=403)
        return view(request, *args, **kwargs)

    return web_access.staff_required(wrapper)


def _qr_svg(token: str) -> str:
    return segno.make(token, error="m", micro=False).svg_inline(scale=4, border=2, title="E-KPMI QR")


def _card_context(card: Card) -> dict:
    verdict = selectors.card_verify(token=card.token)
    return {"card": card, "p": card.payload, "qr": _qr_svg(card.token), "verdict": verdict,
            "verdict_text": verdict.message_en if _english() else verdict.message}


# --- checkpoint ----------------------------------------------------------------------------------------

@never_cache
@staff_required
def checkpoint(request: HttpRequest) -> HttpResponse:
    """Verify a card (camera or typed token); posted officers record the departure or a stopped attempt."""
    posts = selectors.officer_checkpoints(user=request.user)
    ctx: dict = {"posts": posts, "token": "", "today": local_date()}
    if request.method == "POST":
        token = (request.POST.get("token") or "").strip()
        action = request.POST.get("action", "verify")
        ctx["token"] = token
        try:
            if action == "verify":
                verdict = selectors.card_verify(token=token)
                ctx["verdict"] = verdict
                ctx["verdict_text"] = verdict.message_en if _english() else verdict.message
            elif action == "depart":
                result = services.departure_record(
                    actor=request.user, checkpoint_code=request.POST.get("checkpoint", ""), token=token,
                    flight_or_vessel=request.POST.get("flight_or_vessel", ""),
                    person_name=request.POST.get("person_name", ""),
                    passport_number=request.POST.get("passport_number", ""), note=request.POST.get("note", ""),
                )
                ctx["verdict"] = result.verdict
                ctx["departure"] = result
                ctx["verdict_text"] = result.message_en if _english() else result.message
            elif action == "stop":
                attempt = services.attempt_stop(
                    actor=request.user, checkpoint_code=request.POST.get("checkpoint", ""),
                    reason=request.POST.get("reason", "no_card"), person_name=request.POST.get("person_name", ""),
                    passport_number=request.POST.get("passport_number", ""),
                    destination_country=request.POST.get("destination_country", ""),
                    flight_or_vessel=request.POST.get("flight_or_vessel", ""), note=request.POST.get("note", ""),
                )
                messages.success(request, _("Stopped attempt recorded (%(name)s).") % {"name": attempt.person_name})
                return redirect("cards:checkpoint")
        except ApplicationError as exc:
            ctx["error"] = _error_text(exc)
    return render(request, "cards/checkpoint.html", ctx, status=422 if ctx.get("error") else 200)


@never_cache
@staff_required
def stopped(request: HttpRequest) -> HttpResponse:
    try:
        stats = selectors.attempts_stats(user=request.user, since=local_date() - dt.timedelta(days=365))
    except ApplicationError as exc:
        return render(request, "cards/forbidden.html", {"error": _error_text(exc)}, status=403)
    return render(request, "cards/stopped.html", {"stats": stats})


# --- the card --------------------------------------------------------------------------------------------

@never_cache
def mobile_card(request: HttpRequest, token: str) -> HttpResponse:
    """The worker's card on their phone: the link holds the signed token itself, so it reveals nothing more."""
    card = selectors.card_by_token(token=token)
    if card is None:
        raise Http404
    return render(request, "cards/mobile.html", _card_context(card))


@never_cache
def mobile_card_short(request: HttpRequest, number: str, code: str) -> HttpResponse:
    """The same page from the SMS-sized link (card number and a short secret bound to the card's token)."""
    card = selectors.card_by_mobile_code(number=number, code=code)
    if card is None:
        raise Http404
    return render(request, "cards/mobile.html", _card_context(card))


def mobile_card_pdf(request: HttpRequest, token: str) -> HttpResponse:
    card = selectors.card_by_token(token=token)
    if card is None:
        raise Http404
    return _pdf_response(card)


def _pdf_response(card: Card) -> HttpResponse:
    response = HttpResponse(card_pdf(card), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{card.number}.pdf"'
    return response


@never_cache
@staff_required
def detail(request: HttpRequest, number: str) -> HttpResponse:
    try:
        card = selectors.card_get(user=request.user, number=number)
    except ApplicationError as exc:
        raise Http404 from exc
    ctx = _card_context(card)
    ctx["mobile_url"] = request.build_absolute_uri(
        reverse("cards:mobile_short", args=[card.number, selectors.card_mobile_code(card)]))
    ctx["events"] = list(card.events.select_related("actor").order_by("id"))
    ctx["can_revoke"] = selectors.user_may_revoke_card(request.user, card)
    return render(request, "cards/detail.html", ctx)


@never_cache
@staff_required
def detail_pdf(request: HttpRequest, number: str) -> HttpResponse:
    try:
        card = selectors.card_get(user=request.user, number=number)
    except ApplicationError as exc:
        raise Http404 from exc
    return _pdf_response(card)


@require_POST
@staff_required
def revoke(request: HttpRequest, number: str) -> HttpResponse:
    try:
        selectors.card_get(user=request.user, number=number)
    except ApplicationError as exc:
        raise Http404 from exc
    try:
        services.card_revoke(actor=request.user, number=number, reason=request.POST.get("reason", ""))
        messages.success(request, _("Card revoked."))
    except PermissionDenied as exc:
        return render(request, "cards/forbidden.html", {"error": _error_text(exc)}, status=403)
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("cards:detail", number=number)


@never_cache
@staff_required
def card_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    cards = selectors.cards_list(user=request.user, status=status if status in CardStatus.values else None)
    return render(request, "cards/list.html", {"cards": cards, "status": status})


# --- where our citizens are ------------------------------------------------------------------------------

@never_cache
@staff_required
def abroad(request: HttpRequest) -> HttpResponse:
    try:
        summary = selectors.abroad_summary(user=request.user)
        rows = list(selectors.abroad_list(user=request.user, status=request.GET.get("status") or AbroadStatus.ABROAD,
                                          country=request.GET.get("country") or None,
                                          q=request.GET.get("q") or None)[:500])
    except ApplicationError as exc:
        return render(request, "cards/forbidden.html", {"error": _error_text(exc)}, status=403)
    return render(request, "cards/abroad.html", {"s": summary, "rows": rows, "english": _english(),
                                                 "can_return": request.user.role != "monitor",
                                                 "status": request.GET.get("status") or "abroad"})


@never_cache
@staff_required
def abroad_csv(request: HttpRequest) -> HttpResponse:
    try:
        rows = selectors.abroad_list(user=request.user, status=request.GET.get("status") or None,
                                     country=request.GET.get("country") or None)
    except ApplicationError as exc:
        return render(request, "cards/forbidden.html", {"error": _error_text(exc)}, status=403)
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(["case_number", "worker_name", "home_regency", "country", "city", "employer", "job", "departed_on",
                  "contract_end", "status", "returned_on", "checkpoint", "flight_or_vessel"])
    for a in rows.iterator():
        out.writerow([a.case.number, a.worker.name, a.regency_id, a.country_id, a.city, a.employer_name, a.job,
                      a.departed_on, a.contract_end or "", a.status, a.returned_on or "",
                      a.checkpoint_id or a.checkpoint_text, a.flight_or_vessel])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="abroad-{local_date().isoformat()}.csv"'
    return response


@require_POST
@staff_required
def abroad_return(request: HttpRequest, case_number: str) -> HttpResponse:
    try:
        returned = request.POST.get("returned_on") or None
        services.abroad_mark_returned(actor=request.user, case_number=case_number,
                                      returned_on=dt.date.fromisoformat(returned) if returned else None,
                                      note=request.POST.get("note", ""))
        messages.success(request, _("Marked as returned: %(case)s") % {"case": case_number})
    except ValueError:
        messages.error(request, _("Invalid date."))
    except (PermissionDenied, NotFound) as exc:
        return render(request, "cards/forbidden.html", {"error": _error_text(exc)}, status=exc.status)
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("cards:abroad")


# --- for offline checkpoints -----------------------------------------------------------------------------

@cache_control(public=True, max_age=300)
def public_keys(request: HttpRequest) -> JsonResponse:
    """The key file (also at /.well-known/satuatap-card-keys.json)."""
    response = JsonResponse(selectors.keys_document(), json_dumps_params={"indent": 1})
    response["Access-Control-Allow-Origin"] = "*"
    return response


@cache_control(public=True, max_age=300)
def revocation_list(request: HttpRequest) -> JsonResponse:
    token = services.revocation_list_token()
    data = signing.read_unverified(token)
    response = JsonResponse({"token": token, "issued_at": data["at"], "date": data["d"], "revoked": data["r"]},
                            json_dumps_params={"indent": 1})
    response["Access-Control-Allow-Origin"] = "*"
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="satuatap-card-revocations-{data["d"]}.json"'
    return response


def keys_download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(json.dumps(selectors.keys_document(), indent=1), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="satuatap-card-keys.json"'
    return response


@functools.cache
def _verifier_csp() -> str:
    # The page is one self-contained file (it must work from disk), so its script is inline: allow exactly that
    # script by its hash when the server serves it, nothing else (a CSP middleware keeps a header already set).
    html = VERIFIER_HTML.read_text(encoding="utf-8")
    script = html.split("<script>", 1)[1].split("</script>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return (f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; img-src data:; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def verifier(request: HttpRequest) -> FileResponse:
    """The single-file offline verifier, to save and open from disk at a checkpoint with no network."""
    response = FileResponse(VERIFIER_HTML.open("rb"), content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = _verifier_csp()
    if request.GET.get("download"):
        response["Content-Disposition"] = 'attachment; filename="satuatap-card-verifier.html"'
    return response


@staff_required
def offline_kit(request: HttpRequest) -> HttpResponse:
    return render(request, "cards/offline.html", {})
