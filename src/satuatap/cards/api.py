"""E-KPMI cards API.

- POST /api/v1/cards/verify — any signed-in officer: valid / invalid / revoked / expired, with the reason.
- GET /api/v1/cards/keys and /revocations — public: the key file and the signed revocation list for offline
  checkpoints (also at /.well-known/satuatap-card-keys.json and /cards/keys.json).
- POST /api/v1/cards/departures, /stopped — checkpoint officers at their post.
- GET /api/v1/cards/abroad (+ /abroad/list, POST /abroad/{case}/return) — regency officers and monitors.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Router, Schema

from satuatap.cards import selectors, services, signing
from satuatap.cards.models import Abroad, Card
from satuatap.core.api_schemas import ErrorOut
from satuatap.core.errors import PermissionDenied
from satuatap.core.timeutil import local_date

router = Router(tags=["cards"])




ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _officer(request) -> None:
    if not selectors.user_is_officer(request.auth):
        raise PermissionDenied("Hanya petugas yang dapat memeriksa kartu.", "Only officers may check cards.",
                               code="forbidden_not_officer")


class TokenIn(Schema):
    token: str = Field(max_length=signing.MAX_TOKEN_LENGTH, description="the QR code's content")


class CardPayloadOut(Schema):
    number: str
    name: str
    masked_nik: str
    passport_number: str
    destination_country: str
    employer: str
    job: str
    contract_end: dt.date
    issued_on: dt.date
    expires_on: dt.date
    key_id: str


class VerifyOut(Schema):
    status: str = Field(description="valid | invalid | revoked | expired")
    reason: str = Field(description="ok | malformed | unknown_key | bad_signature | expired | not_yet_valid | revoked")
    message: str
    message_en: str
    card: CardPayloadOut | None = Field(None, description="absent when the token cannot be trusted")
    checked_on: dt.date


def _payload_out(p: dict[str, Any] | None) -> dict[str, Any] | None:
    if not p:
        return None
    return {"number": p["n"], "name": p["nm"], "masked_nik": p["nik"], "passport_number": p["pp"],
            "destination_country": p["c"], "employer": p["e"], "job": p["j"], "contract_end": p["ce"],
            "issued_on": p["i"], "expires_on": p["x"], "key_id": p["k"]}


def _verdict_out(verdict: signing.Verdict, on: dt.date) -> dict[str, Any]:
    return {"status": verdict.status, "reason": verdict.reason, "message": verdict.message,
            "message_en": verdict.message_en, "card": _payload_out(verdict.payload), "checked_on": on}


@router.post("/verify", response={200: VerifyOut, **ERRORS}, summary="Verify a card token (signed-in officers)")
def verify(request, payload: TokenIn):
    _officer(request)
    on = local_date()
    return _verdict_out(selectors.card_verify(token=payload.token, on=on), on)


class KeyOut(Schema):
    kid: str
    alg: str
    x: str = Field(description="raw Ed25519 public key, base64url")


class KeysOut(Schema):
    issuer: str
    format: str
    signing_key_id: str
    keys: list[KeyOut]


@router.get("/keys", auth=None, response={200: KeysOut}, summary="Public keys that cards are verified with")
def public_keys(request):
    return selectors.keys_document()


class RevocationsOut(Schema):
    token: str = Field(description="signed list (same format as a card, payload t='rl')")
    issued_at: str
    date: dt.date
    revoked: list[str]


@router.get("/revocations", auth=None, response={200: RevocationsOut},
            summary="Signed, dated list of revoked cards not yet expired (for offline checkpoints)")
def revocations(request):
    token = services.revocation_list_token()
    data = signing.read_unverified(token)
    return {"token": token, "issued_at": data["at"], "date": data["d"], "revoked": data["r"]}


class CheckpointOut(Schema):
    code: str
    name: str
    kind: str
    city: str


@router.get("/checkpoints", response={200: list[CheckpointOut], **ERRORS}, summary="Immigration checkpoints")
def checkpoints(request):
    _officer(request)
    return list(selectors.checkpoints_list())


class DepartureIn(Schema):
    checkpoint: str = Field(max_length=10)
    token: str = Field("", max_length=signing.MAX_TOKEN_LENGTH, description="the card's QR content; empty = no card")
    flight_or_vessel: str = Field(max_length=30)
    departed_on: dt.date | None = None
    person_name: str = Field("", max_length=150)
    passport_number: str = Field("", max_length=20)
    note: str = Field("", max_length=2000)


class DepartureOut(Schema):
    departed: bool
    outcome: str
    reason: str
    message: str
    message_en: str
    attempt_id: int
    case_number: str | None = None
    card: CardPayloadOut | None = None


@router.post("/departures", response={200: DepartureOut, **ERRORS},
             summary="Record a departure at the officer's checkpoint; no valid card = a stopped attempt")
def departure(request, payload: DepartureIn):
    result = services.departure_record(
        actor=request.auth, checkpoint_code=payload.checkpoint, token=payload.token,
        flight_or_vessel=payload.flight_or_vessel, departed_on=payload.departed_on,
        person_name=payload.person_name, passport_number=payload.passport_number, note=payload.note,
    )
    return {"departed": result.departed, "outcome": result.attempt.outcome, "reason": result.reason,
            "message": result.message, "message_en": result.message_en, "attempt_id": result.attempt.pk,
            "case_number": result.attempt.case.number if result.attempt.case_id else None,
            "card": _payload_out(result.verdict.payload if result.verdict.payload else None)}


class StoppedIn(Schema):
    checkpoint: str = Field(max_length=10)
    person_name: str = Field(max_length=150)
    passport_number: str = Field("", max_length=20)
    destination_country: str = Field("", max_length=2)
    flight_or_vessel: str = Field("", max_length=30)
    reason: str = Field("no_card", max_length=30)
    note: str = Field("", max_length=2000)


class StoppedOut(Schema):
    id: int
    checkpoint: str
    reason: str
    person_name: str
    occurred_on: dt.date


@router.post("/stopped", response={201: StoppedOut, **ERRORS},
             summary="Record a person stopped with no card (non-procedural attempt)")
def stopped(request, payload: StoppedIn):
    attempt = services.attempt_stop(
        actor=request.auth, checkpoint_code=payload.checkpoint, reason=payload.reason,
        person_name=payload.person_name, passport_number=payload.passport_number,
        destination_country=payload.destination_country, flight_or_vessel=payload.flight_or_vessel, note=payload.note,
    )
    return 201, {"id": attempt.pk, "checkpoint": attempt.checkpoint_id, "reason": attempt.reason,
                 "person_name": attempt.person_name, "occurred_on": attempt.occurred_on}


class CountOut(Schema):
    key: str
    label: str = ""
    n: int


class StoppedStatsOut(Schema):
    total: int
    by_checkpoint: list[CountOut]
    by_reason: list[CountOut]


@router.get("/stopped/stats", response={200: StoppedStatsOut, **ERRORS},
            summary="Stopped non-procedural departure attempts by checkpoint and reason")
def stopped_stats(request, since: dt.date | None = None):
    stats = selectors.attempts_stats(user=request.auth, since=since)
    return {"total": stats["total"],
            "by_checkpoint": [{"key": r["checkpoint_id"], "label": r["checkpoint__name"], "n": r["n"]}
                              for r in stats["by_checkpoint"]],
            "by_reason": [{"key": r["reason"], "n": r["n"]} for r in stats["by_reason"]]}


class AbroadOut(Schema):
    case_number: str
    worker_name: str
    regency: str
    country: str | None
    city: str
    employer: str
    job: str
    departed_on: dt.date
    contract_end: dt.date | None
    status: str
    returned_on: dt.date | None


def _abroad_out(a: Abroad) -> dict[str, Any]:
    return {"case_number": a.case.number, "worker_name": a.worker.name, "regency": a.regency_id,
            "country": a.country_id, "city": a.city, "employer": a.employer_name, "job": a.job,
            "departed_on": a.departed_on, "contract_end": a.contract_end, "status": a.status,
            "returned_on": a.returned_on}


class AbroadSummaryOut(Schema):
    scope: str = Field(description="region code prefix of the workers counted ('' = national)")
    total: int
    returned: int
    by_country: list[CountOut]
    by_employer: list[CountOut]
    due_home_days: int
    due_home: list[AbroadOut]


@router.get("/abroad", response={200: AbroadSummaryOut, **ERRORS},
            summary="Workers of the officer's regency abroad: by country, by employer, due home in 90 days")
def abroad(request):
    s = selectors.abroad_summary(user=request.auth)
    return {"scope": s["scope"], "total": s["total"], "returned": s["returned"],
            "by_country": [{"key": r["country_id"] or "", "label": r["country__name_en"] or "", "n": r["n"]}
                           for r in s["by_country"]],
            "by_employer": [{"key": r["employer_name"], "label": r["country_id"] or "", "n": r["n"]}
                            for r in s["by_employer"]],
            "due_home_days": s["due_days"], "due_home": [_abroad_out(a) for a in s["due_home"]]}


@router.get("/abroad/list", response={200: list[AbroadOut], **ERRORS}, summary="Workers abroad (or returned)")
def abroad_list(request, status: str = "abroad", country: str | None = None, q: str | None = None):
    return [_abroad_out(a) for a in selectors.abroad_list(user=request.auth, status=status or None,
                                                           country=country, q=q)[:1000]]


class ReturnIn(Schema):
    returned_on: dt.date | None = None
    note: str = Field("", max_length=2000)


@router.post("/abroad/{case_number}/return", response={200: AbroadOut, **ERRORS},
             summary="Mark a worker abroad as returned home")
def abroad_return(request, case_number: str, payload: ReturnIn):
    a = services.abroad_mark_returned(actor=request.auth, case_number=case_number, returned_on=payload.returned_on,
                                      note=payload.note)
    return _abroad_out(a)


class CardOut(Schema):
    number: str
    case_number: str
    status: str
    key_id: str
    issued_on: dt.date
    expires_on: dt.date
    revoked_at: dt.datetime | None
    revoked_reason: str
    token: str
    card: CardPayloadOut


def _card_out(card: Card) -> dict[str, Any]:
    return {"number": card.number, "case_number": card.case.number, "status": card.status, "key_id": card.key_id,
            "issued_on": card.issued_on, "expires_on": card.expires_on, "revoked_at": card.revoked_at,
            "revoked_reason": card.revoked_reason, "token": card.token, "card": _payload_out(card.payload)}


@router.get("/{number}", response={200: CardOut, **ERRORS}, summary="A card (staff of its office, monitors)")
def card_detail(request, number: str):
    return _card_out(selectors.card_get(user=request.auth, number=number))


class RevokeIn(Schema):
    reason: str = Field(max_length=2000)


@router.post("/{number}/revoke", response={200: CardOut, **ERRORS},
             summary="Revoke a card (issuing office's head or BP3MI desk)")
def card_revoke(request, number: str, payload: RevokeIn):
    selectors.card_get(user=request.auth, number=number)
    return _card_out(services.card_revoke(actor=request.auth, number=number, reason=payload.reason))
