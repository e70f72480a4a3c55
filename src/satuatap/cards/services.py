"""Every write of the cards app: issuing and revoking cards, checkpoint posts, departures and stopped attempts,
and where departed workers are. Each change writes its history row in the same transaction."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from satuatap.accounts import selectors as account_selectors
from satuatap.accounts import services as account_services
from satuatap.accounts.models import AuditAction, User
from satuatap.cards import keys, signing
from satuatap.cards.access import (
    card_mobile_code,
    card_verify,
    checkpoint_of_officer,
    user_abroad_scope,
    user_may_revoke_card,
)
from satuatap.cards.models import (
    Abroad,
    AbroadStatus,
    AttemptOutcome,
    Card,
    CardEvent,
    CardStatus,
    Checkpoint,
    CheckpointMembership,
    DepartureAttempt,
)
from satuatap.core import fastsql
from satuatap.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied, ValidationFailed
from satuatap.core.masking import mask_nik
from satuatap.core.timeutil import local_date
from satuatap.journey import services as journey_services
from satuatap.journey.models import Case, CaseStatus, Step
from satuatap.notify import services as notify_services
from satuatap.placement import selectors as placement_selectors
from satuatap.placement import services as placement_services
from satuatap.reference import selectors as reference_selectors
from satuatap.registry import selectors as registry_selectors

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
ISSUER = "satuatap"


# --- reference data -------------------------------------------------------------------------------------

@transaction.atomic
def checkpoints_load(*, path: Path | None = None) -> dict[str, int]:
    """Load the checkpoints file idempotently (created / updated / unchanged)."""
    data = json.loads((path or DATA_DIR / "checkpoints.json").read_text(encoding="utf-8"))
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for row in data["checkpoints"]:
        values = {"name": row["name"], "kind": row["kind"], "city": row["city"],
                  "province_id": row.get("province") or None, "active": row.get("active", True)}
        existing = Checkpoint.objects.filter(pk=row["code"]).first()
        if existing is None:
            Checkpoint.objects.create(code=row["code"], **values)
            counts["created"] += 1
        elif any(getattr(existing, k) != v for k, v in values.items()):
            Checkpoint.objects.filter(pk=row["code"]).update(**values)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts


@transaction.atomic
def checkpoint_member_add(*, actor: User | None, user: User, checkpoint_code: str) -> CheckpointMembership:
    """An admin posts a checkpoint officer at a checkpoint (idempotent)."""
    if actor is not None and not account_selectors.user_is_admin(actor):
        raise PermissionDenied("Hanya admin yang dapat menugaskan petugas.", "Only an admin can post officers.",
                               code="forbidden_not_admin")
    if not account_selectors.user_is_checkpoint_officer(user):
        raise ValidationFailed("Pengguna bukan petugas tempat pemeriksaan.", "The user is not a checkpoint officer.",
                               code="not_checkpoint_officer")
    checkpoint = Checkpoint.objects.filter(pk=checkpoint_code, active=True).first()
    if checkpoint is None:
        raise NotFound("Tempat pemeriksaan tidak ditemukan.", "Checkpoint not found.", code="checkpoint_not_found")
    member, _ = CheckpointMembership.objects.update_or_create(user=user, checkpoint=checkpoint,
                                                              defaults={"active": True})
    return member


# --- issuance ----------------------------------------------------------------------------------------------

def _add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _outcomes(case: Case, *outcome_types: str, steps: tuple[Step, ...] | None = None) -> dict[str, dict[str, Any]]:
    """The outcomes of the case's done steps of these types ({} for a type not done): from `steps` when the caller
    holds them (the journey's change hands them over, in order), else read in one statement."""
    found: dict[str, dict[str, Any]] = {t: {} for t in outcome_types}
    if steps is not None:
        rows = [(s.definition.outcome_type, s.state, s.outcome) for s in steps]
    else:
        # Filtered by case only (its dozen steps, through the case's index) and the rest here: a filter on state
        # or outcome type lets the planner pick the state index when few steps are done yet, and scan them all.
        rows = (Step.objects.filter(case=case).order_by("sort_order", "pk")
                .values_list("definition__outcome_type", "state", "outcome"))
    for outcome_type, state, outcome in rows:
        if state == "done" and outcome_type in found and not found[outcome_type]:
            found[outcome_type] = dict(outcome or {})
    return found


def _outcome(case: Case, outcome_type: str) -> dict[str, Any]:
    return _outcomes(case, outcome_type)[outcome_type]


@dataclass(frozen=True)
class CardFacts:
    """What goes on a card, gathered from the case, the worker and the job order."""

    name: str
    masked_nik: str
    passport_number: str
    passport_expiry: dt.date | None
    country: str
    employer: str
    city: str
    job: str
    contract_months: int


def case_card_facts(case: Case, *, steps: tuple[Step, ...] | None = None) -> CardFacts:
    # the case's worker when the caller read it with the case (card_issue does), else one plain read
    worker = case.worker
    outcomes = _outcomes(case, "passport", "contract", steps=steps)
    passport, contract = outcomes["passport"], outcomes["contract"]
    job_order = placement_selectors.job_order_for_case(case_ref=case.number)
    employer = city = job = ""
    months = int(contract.get("contract_months") or 0)
    if job_order is not None:
        employer = job_order.employer.name
        city = job_order.city or job_order.employer.city
        job = job_order.job_title.name_id
        months = months or job_order.contract_months
    expiry = passport.get("expiry")
    return CardFacts(
        name=worker.name, masked_nik=mask_nik(worker.nik), passport_number=passport.get("passport_number", ""),
        passport_expiry=dt.date.fromisoformat(expiry) if expiry else None,
        country=(case.destination_country or (job_order.employer.country_id if job_order else "")).upper(),
        employer=(employer or contract.get("employer_name", ""))[:80], city=city, job=job[:80],
        contract_months=months or 24,
    )


_CARDS_OF_CASE = fastsql.Statement(
    lambda q: f"SELECT {_CARD.sql} FROM {_CARD.table} k WHERE k.{q('case_id')} = %s "  # noqa: S608
              f"ORDER BY k.{q('issued_at')} DESC{fastsql.for_update()}"
)


def _cards_of_case_locked(case_id: int) -> list[Card]:
    """Every card the case has had, newest first, locked for this transaction (each card issuance asks: one
    statement written once, core.fastsql)."""
    return _CARD.load_all(fastsql.fetch(_CARDS_OF_CASE.sql, [case_id]))


def _card_number(case: Case, issued_before: int) -> str:
    base = "KPMI-" + case.number.removeprefix("LTSA-")
    return base if issued_before == 0 else f"{base}-{issued_before + 1}"


def card_issue(*, case_id: int | None = None, actor: User | None, blank_serial: str = "", case: Case | None = None,
               steps: tuple[Step, ...] | None = None) -> Card:
    """Sign and store the card of a case whose CARD step has just been completed (the journey engine completes CARD
    only when OPP and every prerequisite are done and the card-stage placement rules pass). Runs inside the
    step's transaction: if signing fails, the completion is undone too.

    `case` and `steps`: the case row the caller holds locked for this transaction and its steps (the journey's
    change), so neither is read again and no other issuance for the case can run at the same time."""
    locked = case is not None
    if case is None:
        case = Case.objects.select_related("worker").get(pk=case_id)
    ring = keys.keyring()
    now = timezone.now()
    issued = local_date(now)
    facts = case_card_facts(case, steps=steps)
    contract_end = _add_months(issued, facts.contract_months)
    expires = min(contract_end, facts.passport_expiry) if facts.passport_expiry else contract_end
    # every card the case ever had: how many there were (the new number) and the active one, replaced
    earlier = _cards_of_case_locked(case.pk)
    for old in earlier:
        if old.status == CardStatus.ACTIVE:
            _revoke(old, actor=actor, reason="Diganti kartu baru / replaced by a new card", now=now)
    number = _card_number(case, len(earlier))
    payload = {
        "v": signing.FORMAT_VERSION, "n": number, "nm": facts.name, "nik": facts.masked_nik,
        "pp": facts.passport_number, "c": facts.country, "e": facts.employer, "j": facts.job,
        "ce": contract_end.isoformat(), "i": issued.isoformat(), "x": expires.isoformat(),
    }
    token = signing.sign(payload, private_key=ring.signing_key, key_id=ring.signing_key_id)
    card = Card(
        number=number, case=case, worker_id=case.worker_id, office_id=case.office_id,
        blank_serial=blank_serial[:60], key_id=ring.signing_key_id, token=token,
        payload={**payload, "k": ring.signing_key_id}, issued_on=issued, expires_on=expires,
        issued_at=now, issued_by=actor,
    )
    if locked:
        fastsql.insert(Card, [card])  # nothing can race it under the case lock: no savepoint needed
    else:
        try:
            with transaction.atomic():
                card.save(force_insert=True)
        except IntegrityError as exc:
            raise Conflict("Kartu untuk kasus ini sedang diterbitkan.", "A card for this case is being issued.",
                           code="card_issue_conflict") from exc
    fastsql.insert(CardEvent, [CardEvent(card=card, kind="issued", actor=actor, office_id=case.office_id,
                                         to_state=card.status, created_at=now,
                                         payload={"key_id": card.key_id, "expires_on": expires.isoformat()})])
    _card_sms(card, case)
    return card


def _card_sms(card: Card, case: Case) -> None:
    # The worker's link to their card, in the same transaction (outbox); a bad number never undoes the card.
    phone = case.worker.phone
    if not phone:
        return
    link = (getattr(settings, "SATUATAP_PUBLIC_URL", "") or "http://127.0.0.1:8000").rstrip("/") + reverse(
        "cards:mobile_short", args=[card.number, card_mobile_code(card)])
    try:
        notify_services.message_queue(
            channel="sms", recipient=phone, template="card_issued",
            context={"name": case.worker.name.split(" ")[0][:40], "number": card.number, "link": link,
                     "valid_until": card.expires_on.strftime("%d-%m-%Y")},
            language="id", ref=f"case:{case.number}", dedupe_key=f"card-issued:{card.number}:sms",
        )
    except ApplicationError:
        log.warning("card %s: SMS to the worker not queued", card.number, exc_info=True)


# --- revocation ------------------------------------------------------------------------------------------

def _revoke(card: Card, *, actor: User | None, reason: str, now: dt.datetime) -> None:
    before = card.status
    card.status = CardStatus.REVOKED
    card.revoked_at = now
    card.revoked_reason = reason
    card.save(update_fields=["status", "revoked_at", "revoked_reason"])
    CardEvent.objects.create(card=card, kind="revoked", actor=actor,
                             office_id=actor.office_id if actor is not None and actor.office_id else card.office_id,
                             from_state=before, to_state=card.status, reason=reason, created_at=now)


@transaction.atomic
def card_revoke(*, actor: User | None, number: str, reason: str) -> Card:
    """Revoke an active card with a reason (the issuing office's head or BP3MI desk, or an admin; `actor=None`
    for the system). It appears on the next revocation list; revoking twice is refused."""
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise ValidationFailed("Alasan pencabutan wajib diisi.", "A reason is required to revoke a card.",
                               code="reason_required")
    card = Card.objects.select_for_update().filter(number=number).first()
    if card is None:
        raise NotFound("Kartu tidak ditemukan.", "Card not found.", code="card_not_found")
    if actor is not None and not user_may_revoke_card(actor, card):
        raise PermissionDenied("Hanya kepala kantor atau loket BP3MI kantor penerbit yang dapat mencabut kartu.",
                               "Only the issuing office's head or BP3MI desk can revoke a card.",
                               code="forbidden_card_revoke")
    if card.status != CardStatus.ACTIVE:
        raise Conflict("Kartu sudah dicabut.", "The card is already revoked.", code="card_already_revoked")
    _revoke(card, actor=actor, reason=reason[:2000], now=timezone.now())
    return card


def cards_revoke_for_case(*, case_id: int, actor: User | None, reason: str) -> int:
    """Revoke every active card of a case (its cancellation); inside the caller's transaction."""
    now = timezone.now()
    cards = list(Card.objects.select_for_update().filter(case_id=case_id, status=CardStatus.ACTIVE))
    for card in cards:
        _revoke(card, actor=actor, reason=reason, now=now)
    return len(cards)


def cards_recheck(*, on: dt.date | None = None) -> list[str]:
    """Evaluate the card-stage placement rules again for every active card of a case not yet departed, and revoke
    the cards a block is now found for (e.g. the company's licence was revoked); returns the revoked numbers."""
    on = on or local_date()
    revoked: list[str] = []
    cards = Card.objects.filter(status=CardStatus.ACTIVE, case__status=CaseStatus.READY_TO_DEPART)
    for card in cards.select_related("case", "worker").order_by("pk").iterator():
        case = card.case
        visa = _outcome(case, "visa")
        decision = placement_services.case_rules_evaluate(
            stage="card", case_ref=case.number, worker=card.worker, scheme=case.scheme,
            destination_country=case.destination_country,
            office_regency_code=reference_selectors.office_info(case.office_id).regency_code,
            job_order=placement_selectors.job_order_for_case(case_ref=case.number), on=on,
            has_family_consent=registry_selectors.worker_has_consent(worker=card.worker),
            active_case_elsewhere=False, visa_type=visa.get("visa_type"), office_code=case.office_id,
        )
        if decision.verdict == "blocked":
            reasons = "; ".join(f["reason_id"] for f in decision.fired if f.get("severity") == "block")
            try:
                card_revoke(actor=None, number=card.number,
                            reason=f"Pemeriksaan ulang aturan penempatan: {reasons}"[:2000] or "rules_blocked")
            except Conflict:
                continue
            revoked.append(card.number)
    return revoked


def revocation_list_token(*, now: dt.datetime | None = None) -> str:
    """The signed, dated list of revoked card numbers whose cards have not expired yet (for offline checkpoints)."""
    now = now or timezone.now()
    today = local_date(now)
    numbers = sorted(Card.objects.filter(status=CardStatus.REVOKED, expires_on__gte=today)
                     .values_list("number", flat=True))
    ring = keys.keyring()
    payload = {"t": "rl", "iss": ISSUER, "at": now.replace(microsecond=0).isoformat(), "d": today.isoformat(),
               "r": numbers}
    return signing.sign(payload, private_key=ring.signing_key, key_id=ring.signing_key_id)


# --- departure at the checkpoint -------------------------------------------------------------------------

@dataclass(frozen=True)
class DepartureResult:
    departed: bool
    verdict: signing.Verdict
    attempt: DepartureAttempt
    reason: str
    message: str
    message_en: str


def _attempt(*, checkpoint: Checkpoint, actor: User, outcome: str, reason: str, token: str, card: Card | None,
             person_name: str, passport_number: str, flight_or_vessel: str, note: str, on: dt.date) -> DepartureAttempt:
    claimed = signing.read_unverified(token) or {} if token else {}
    return DepartureAttempt.objects.create(
        checkpoint=checkpoint, officer=actor, outcome=outcome, reason=reason[:30], note=note[:2000], card=card,
        case_id=card.case_id if card is not None else None,
        person_name=(person_name or str(claimed.get("nm", "")))[:150],
        passport_number=(passport_number or str(claimed.get("pp", "")))[:20].upper(),
        destination_country=str(claimed.get("c", ""))[:2].upper(),
        card_number_claimed=str(claimed.get("n", ""))[:40], flight_or_vessel=flight_or_vessel[:30],
        occurred_on=on, created_at=timezone.now(),
    )


def departure_record(*, actor: User, checkpoint_code: str, token: str, flight_or_vessel: str,
                     departed_on: dt.date | None = None, person_name: str = "", passport_number: str = "",
                     note: str = "") -> DepartureResult:
    """A checkpoint officer records a departure: the card must verify (signature, dates, not revoked) and the
    departure-stage placement rules must pass; then the case's DEP step is completed. Otherwise the attempt is
    recorded as a stopped non-procedural departure with who, where and why."""
    checkpoint = checkpoint_of_officer(user=actor, checkpoint_code=checkpoint_code)
    today = local_date()
    departed_on = departed_on or today
    if abs((departed_on - today).days) > 1:
        raise ValidationFailed("Tanggal keberangkatan harus hari ini.", "The departure date must be today.",
                               code="departure_date_not_today")
    flight_or_vessel = (flight_or_vessel or "").strip().upper()
    if len(flight_or_vessel) < 2:
        raise ValidationFailed("Nomor penerbangan atau kapal wajib diisi.", "The flight or vessel is required.",
                               code="flight_required")

    def stopped(reason: str, verdict: signing.Verdict, card: Card | None, msg: str, msg_en: str) -> DepartureResult:
        attempt = _attempt(checkpoint=checkpoint, actor=actor, outcome=AttemptOutcome.STOPPED, reason=reason,
                           token=token, card=card, person_name=person_name, passport_number=passport_number,
                           flight_or_vessel=flight_or_vessel, note=note, on=departed_on)
        return DepartureResult(False, verdict, attempt, reason, msg, msg_en)

    if not (token or "").strip():
        verdict = signing.Verdict(signing.Status.INVALID, "malformed")
        return stopped("no_card", verdict, None, "Tidak ada kartu E-KPMI.", "No E-KPMI card presented.")
    verdict = card_verify(token=token, on=departed_on)
    if not verdict.valid:
        return stopped(verdict.reason, verdict, None, verdict.message, verdict.message_en)
    card = Card.objects.select_related("case").filter(number=verdict.payload["n"]).first()
    if card is None:  # signed by us but unknown here (e.g. restored database): never let it pass silently
        return stopped("unknown_card", verdict, None, "Kartu tidak terdaftar di sistem.", "Card not in the register.")
    if card.case.status == CaseStatus.DEPARTED:  # a card shown twice: someone else travelling on it
        return stopped("already_departed", verdict, card, "Kartu ini sudah dipakai berangkat.",
                       "This card has already been used for a departure.")
    try:
        journey_services.step_complete(
            actor=actor, case_number=card.case.number, step_code="DEP",
            outcome={"checkpoint": f"{checkpoint.code} {checkpoint.name}"[:100], "departed_on": departed_on.isoformat(),
                     "flight_or_vessel": flight_or_vessel},
            note=note[:500],
        )
    except Conflict as exc:
        card.case.refresh_from_db(fields=["status"])
        if card.case.status == CaseStatus.DEPARTED:  # shown at two desks at once: the other one departed
            return stopped("already_departed", verdict, card, "Kartu ini sudah dipakai berangkat.",
                           "This card has already been used for a departure.")
        if exc.code in ("rules_blocked", "rules_flagged", "case_not_clear", "case_closed", "card_not_valid"):
            return stopped(exc.code, verdict, card, exc.message, exc.message_en)
        raise
    attempt = _attempt(checkpoint=checkpoint, actor=actor, outcome=AttemptOutcome.DEPARTED, reason="ok",
                       token=token, card=card, person_name=person_name, passport_number=passport_number,
                       flight_or_vessel=flight_or_vessel, note=note, on=departed_on)
    return DepartureResult(True, verdict, attempt, "ok", "Keberangkatan dicatat.", "Departure recorded.")


@transaction.atomic
def attempt_stop(*, actor: User, checkpoint_code: str, reason: str, person_name: str, passport_number: str = "",
                 destination_country: str = "", flight_or_vessel: str = "", note: str = "") -> DepartureAttempt:
    """Record a person stopped at the checkpoint with no card at all (non-procedural attempt, for statistics)."""
    checkpoint = checkpoint_of_officer(user=actor, checkpoint_code=checkpoint_code)
    if len((person_name or "").strip()) < 2:
        raise ValidationFailed("Nama orang yang dicegah wajib diisi.", "The stopped person's name is required.",
                               code="name_required")
    attempt = _attempt(checkpoint=checkpoint, actor=actor, outcome=AttemptOutcome.STOPPED, reason=reason or "no_card",
                       token="", card=None, person_name=person_name.strip(), passport_number=passport_number.strip(),
                       flight_or_vessel=(flight_or_vessel or "").strip().upper(), note=note, on=local_date())
    if destination_country:
        attempt.destination_country = destination_country.strip().upper()[:2]
        attempt.save(update_fields=["destination_country"])
    return attempt


# --- where our citizens are ------------------------------------------------------------------------------

def departure_require_card(*, case_id: int, on: dt.date | None = None) -> Card:
    """No departure without a valid card, whatever path completes DEP (checkpoint, case page, API): the case must
    hold an active, unexpired card; otherwise the completion is refused (409 `card_not_valid`)."""
    on = on or local_date()
    card = _active_card(case_id)
    if card is None or card.expires_on < on:
        raise Conflict("Keberangkatan ditolak: kasus ini tidak memiliki kartu E-KPMI yang sah (dicabut atau "
                       "kedaluwarsa).", "Departure refused: the case holds no valid E-KPMI card (revoked or expired).",
                       code="card_not_valid", details={"card": card.number if card else None})
    return card


_CARD = fastsql.Columns(Card, "k")
_ACTIVE_CARD = fastsql.Statement(
    lambda q: f"SELECT {_CARD.sql} FROM {_CARD.table} k WHERE k.{q('case_id')} = %s AND k.{q('status')} = %s "  # noqa: S608
              f"ORDER BY k.{q('issued_at')} DESC LIMIT 1"
)


def _active_card(case_id: int) -> Card | None:
    """The case's newest active card (every departure asks: one statement written once)."""
    rows = fastsql.fetch(_ACTIVE_CARD.sql, [case_id, CardStatus.ACTIVE])
    return _CARD.load(rows[0]) if rows else None


_CHECKPOINT = fastsql.Columns(Checkpoint, "p")
_CHECKPOINTS = fastsql.Statement(
    lambda q: f"SELECT {_CHECKPOINT.sql} FROM {_CHECKPOINT.table} p ORDER BY p.{q('kind')}, p.{q('name')}"  # noqa: S608
)
_ABROAD = fastsql.Columns(Abroad, "a")
_ABROAD_OF_CASE = fastsql.Statement(
    lambda q: f"SELECT {_ABROAD.sql} FROM {_ABROAD.table} a WHERE a.{q('case_id')} = %s"  # noqa: S608
)


def _checkpoint_for_text(text: str) -> Checkpoint | None:
    """The checkpoint a DEP outcome names: "CGK Bandara …" (checkpoint page), or free text typed on the case page
    such as "Bandara Soekarno-Hatta" when exactly one checkpoint matches its last word (case-insensitive)."""
    text = (text or "").strip()
    if not text:
        return None
    # a few dozen rows of reference data: read once, matched here (one statement instead of up to three)
    checkpoints = _CHECKPOINT.load_all(fastsql.fetch(_CHECKPOINTS.sql, []))  # in the model's order (kind, name)
    code, upper, last = text.split(" ", 1)[0], text.upper(), text.split()[-1].upper()
    for found in ([c for c in checkpoints if c.code == code], [c for c in checkpoints if c.name.upper() == upper]):
        if found:
            return found[0]
    candidates = [c for c in checkpoints if last in c.name.upper()]
    return candidates[0] if len(candidates) == 1 else None


def abroad_record(*, case_id: int | None = None, outcome: dict[str, Any], case: Case | None = None,
                  steps: tuple[Step, ...] | None = None) -> Abroad:
    """Keep where a worker is from their departure (inside the DEP step's transaction; idempotent per case).
    `case` and `steps` as for `card_issue`: the case locked by the caller and its steps, not read again."""
    locked = case is not None
    if case is None:
        case = Case.objects.select_related("worker").get(pk=case_id)
    facts = case_card_facts(case, steps=steps)
    departed_on = dt.date.fromisoformat(str(outcome.get("departed_on"))) if outcome.get("departed_on") else local_date()
    text = str(outcome.get("checkpoint", ""))[:100]
    checkpoint = _checkpoint_for_text(text)
    values = {
        "worker_id": case.worker_id, "office_id": case.office_id, "regency_id": case.worker.regency_id,
        "country_id": (facts.country or case.destination_country or "").upper() or None, "city": facts.city[:100],
        "employer_name": facts.employer[:200], "job": facts.job[:150], "departed_on": departed_on,
        "contract_end": _add_months(departed_on, facts.contract_months), "checkpoint": checkpoint,
        "checkpoint_text": text, "flight_or_vessel": str(outcome.get("flight_or_vessel", ""))[:30],
    }
    if locked:
        # under the case lock nobody else records this case: a plain read, then an insert without a savepoint
        found = fastsql.fetch(_ABROAD_OF_CASE.sql, [case.pk])  # one row at most: case is unique
        abroad = _ABROAD.load(found[0]) if found else None
        created = abroad is None
        if created:
            (abroad,) = fastsql.insert(Abroad, [Abroad(case=case, **values, created_at=timezone.now())])
    else:
        abroad, created = Abroad.objects.get_or_create(case=case, defaults={**values, "created_at": timezone.now()})
    if not created:
        for k, v in values.items():
            setattr(abroad, k, v)
        abroad.save()
    return abroad


def _may_mark_returned(actor: User, abroad: Abroad) -> bool:
    if account_selectors.user_is_admin(actor):
        return True
    scope = user_abroad_scope(actor)
    return scope is not None and actor.role != "monitor" and abroad.regency_id.startswith(scope)


@transaction.atomic
def abroad_mark_returned(*, actor: User, case_number: str, returned_on: dt.date | None = None,
                         note: str = "") -> Abroad:
    """An officer of the worker's home regency marks a worker abroad as returned home."""
    abroad = Abroad.objects.select_for_update().select_related("case").filter(case__number=case_number).first()
    if abroad is None:
        raise NotFound("Data keberangkatan tidak ditemukan.", "No departure on record for this case.",
                       code="abroad_not_found")
    if not _may_mark_returned(actor, abroad):
        raise PermissionDenied("Hanya petugas kabupaten/kota asal pekerja yang dapat mencatat kepulangan.",
                               "Only officers of the worker's home regency may record a return.",
                               code="forbidden_abroad_return")
    if abroad.status == AbroadStatus.RETURNED:
        raise Conflict("Pekerja sudah dicatat pulang.", "The worker is already recorded as returned.",
                       code="already_returned")
    returned_on = returned_on or local_date()
    if returned_on < abroad.departed_on or returned_on > local_date():
        raise ValidationFailed("Tanggal pulang tidak masuk akal.", "The return date must be between the departure "
                               "and today.", code="invalid_return_date")
    abroad.status = AbroadStatus.RETURNED
    abroad.returned_on = returned_on
    abroad.returned_by = actor
    abroad.return_note = (note or "")[:2000]
    abroad.save(update_fields=["status", "returned_on", "returned_by", "return_note"])
    account_services.audit_record(actor=actor, action=AuditAction.UPDATE, object_type="cards.abroad",
                                  object_id=abroad.case_id, subject_worker_id=abroad.worker_id,
                                  reason=abroad.return_note,
                                  details={"from": AbroadStatus.ABROAD, "to": AbroadStatus.RETURNED,
                                           "returned_on": returned_on.isoformat()})
    return abroad


def cards_backfill(*, actor: User | None = None) -> dict[str, int]:
    """Issue the missing cards of cases whose CARD step is done and keep where departed workers are, for cases
    completed before the cards app existed (cut-over, demo data); safe to run again."""
    counts = {"cards": 0, "abroad": 0}
    done_card = Step.objects.filter(definition__outcome_type="card", state="done",
                                    case__status__in=(CaseStatus.READY_TO_DEPART, CaseStatus.DEPARTED))
    for step in done_card.exclude(case__cards__isnull=False).select_related("case").order_by("case_id"):
        with transaction.atomic():
            card_issue(case_id=step.case_id, actor=actor, blank_serial=str(step.outcome.get("card_number", "")))
        counts["cards"] += 1
    departed = Step.objects.filter(definition__outcome_type="departure", state="done",
                                   case__status=CaseStatus.DEPARTED).exclude(case__abroad__isnull=False)
    for step in departed.order_by("case_id"):
        with transaction.atomic():
            abroad_record(case_id=step.case_id, outcome=step.outcome)
        counts["abroad"] += 1
    # whereabouts recorded before the checkpoints were loaded: link them now
    for abroad in Abroad.objects.filter(checkpoint__isnull=True).exclude(checkpoint_text=""):
        checkpoint = _checkpoint_for_text(abroad.checkpoint_text)
        if checkpoint is not None:
            Abroad.objects.filter(pk=abroad.pk).update(checkpoint=checkpoint)
    return counts
