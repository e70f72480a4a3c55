"""Reads of the cards app: verification against the server's keys and register, checkpoints, where workers are."""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Any

from django.db.models import Count, Q, QuerySet

from satuatap.accounts import selectors as account_selectors
from satuatap.accounts.models import Role, User
from satuatap.cards import keys, signing
from satuatap.cards.access import (  # noqa: F401
    card_mobile_code,
    card_verify,
    checkpoint_of_officer,
    user_abroad_scope,
    user_is_officer,
    user_may_revoke_card,
)
from satuatap.cards.models import (
    Abroad,
    AbroadStatus,
    AttemptOutcome,
    Card,
    Checkpoint,
    CheckpointMembership,
    DepartureAttempt,
)
from satuatap.core.errors import NotFound, PermissionDenied
from satuatap.core.timeutil import local_date
from satuatap.reference import selectors as reference_selectors

ISSUER = "satuatap"
DUE_HOME_DAYS = 90


# --- verification ---------------------------------------------------------------------------------------

def keys_document() -> dict[str, Any]:
    """Public keys for /.well-known/satuatap-card-keys.json (and the offline verifiers)."""
    ring = keys.keyring()
    return signing.keys_document(ring.public, issuer=ISSUER, signing_key_id=ring.signing_key_id)


def card_revocation_of(card: Card) -> dict[str, Any]:
    return {"status": card.status, "revoked_at": card.revoked_at, "reason": card.revoked_reason}


# --- cards ----------------------------------------------------------------------------------------------

def user_reads_card(user: User, card: Card) -> bool:
    # Checkpoint officers check cards by their token (verify), not by browsing the register.
    return account_selectors.user_can_read_office(
        user, office_id=card.office_id, office_region_code=reference_selectors.office_info(card.office_id).regency_code,
    )


def card_get(*, user: User, number: str) -> Card:
    """A card for staff of its office (monitors of its region, admins); 404 otherwise."""
    card = Card.objects.select_related("case", "worker", "office").filter(number=number).first()
    if card is None or not user_reads_card(user, card):
        raise NotFound("Kartu tidak ditemukan.", "Card not found.", code="card_not_found")
    return card


def card_by_token(*, token: str) -> Card | None:
    """The card a token is the exact token of (the worker's mobile page: holding the token is the credential)."""
    payload = signing.read_unverified(token)
    if not payload or not isinstance(payload.get("n"), str):
        return None
    card = Card.objects.select_related("case", "office").filter(number=payload["n"]).first()
    return card if card is not None and card.token == token.strip() else None


def card_by_mobile_code(*, number: str, code: str) -> Card | None:
    """The card of the worker's short link (/cards/m/<number>/<code>/), or None."""
    card = Card.objects.select_related("case", "office").filter(number=number).first()
    if card is None or not hmac.compare_digest(card_mobile_code(card), code or ""):
        return None
    return card


def cards_of_case(*, case_id: int) -> QuerySet[Card]:
    return Card.objects.filter(case_id=case_id).order_by("-issued_at")


def cards_list(*, user: User, status: str | None = None, limit: int = 200) -> list[Card]:
    if not user_is_officer(user):
        return []
    qs = Card.objects.select_related("office", "worker").order_by("-issued_at")
    if status:
        qs = qs.filter(status=status)
    if not account_selectors.user_is_admin(user):
        if user.role in (Role.DESK_OFFICER, Role.OFFICE_HEAD):
            qs = qs.filter(office_id=user.office_id)
        elif user.role == Role.MONITOR:
            qs = qs if user.region_id is None else qs.filter(office__regency__code__startswith=user.region_id)
        else:
            return []
    return list(qs[:limit])


# --- checkpoints ----------------------------------------------------------------------------------------

def checkpoints_list() -> QuerySet[Checkpoint]:
    return Checkpoint.objects.filter(active=True).order_by("kind", "name")


def officer_checkpoints(*, user: User) -> list[Checkpoint]:
    if not account_selectors.user_is_checkpoint_officer(user):
        return []
    return [m.checkpoint for m in CheckpointMembership.objects.filter(user=user, active=True, checkpoint__active=True)
            .select_related("checkpoint").order_by("checkpoint__name")]


def attempts_stats(*, user: User, since: dt.date | None = None) -> dict[str, Any]:
    """Stopped non-procedural attempts, by checkpoint and reason (checkpoint officers see their posts)."""
    qs = DepartureAttempt.objects.filter(outcome=AttemptOutcome.STOPPED)
    if since:
        qs = qs.filter(occurred_on__gte=since)
    if not user_is_officer(user):
        raise PermissionDenied("Tidak berwenang.", "Not allowed.", code="forbidden")
    if account_selectors.user_is_checkpoint_officer(user):
        qs = qs.filter(checkpoint__members__user=user, checkpoint__members__active=True)
    elif not (account_selectors.user_is_admin(user) or user.role == Role.MONITOR):
        raise PermissionDenied("Tidak berwenang.", "Not allowed.", code="forbidden")
    return {
        "total": qs.count(),
        "by_checkpoint": list(qs.values("checkpoint_id", "checkpoint__name").annotate(n=Count("id"))
                              .order_by("-n", "checkpoint_id")),
        "by_reason": list(qs.values("reason").annotate(n=Count("id")).order_by("-n", "reason")),
        "recent": list(qs.select_related("checkpoint").order_by("-created_at")[:50]),
    }


# --- where our citizens are -----------------------------------------------------------------------------

def _abroad_qs(user: User) -> QuerySet[Abroad]:
    scope = user_abroad_scope(user)
    if scope is None:
        raise PermissionDenied("Tidak berwenang melihat data pekerja di luar negeri.",
                               "Not allowed to see workers abroad.", code="forbidden_abroad")
    qs = Abroad.objects.all()
    return qs.filter(regency__code__startswith=scope) if scope else qs


def abroad_summary(*, user: User, on: dt.date | None = None) -> dict[str, Any]:
    """How many workers of the user's regency are abroad, by country and by employer, and who is due home in the
    next 90 days (contract end)."""
    on = on or local_date()
    qs = _abroad_qs(user).filter(status=AbroadStatus.ABROAD)
    due = (qs.filter(contract_end__lte=on + dt.timedelta(days=DUE_HOME_DAYS))
           .select_related("worker", "country", "case").order_by("contract_end", "pk"))
    return {
        "scope": user_abroad_scope(user),
        "total": qs.count(),
        "returned": _abroad_qs(user).filter(status=AbroadStatus.RETURNED).count(),
        "by_country": list(qs.values("country_id", "country__name_id", "country__name_en").annotate(n=Count("id"))
                           .order_by("-n", "country_id")),
        "by_employer": list(qs.values("employer_name", "country_id").annotate(n=Count("id"))
                            .order_by("-n", "employer_name")[:50]),
        "due_home": list(due[:500]),
        "due_days": DUE_HOME_DAYS,
        "on": on,
    }


def abroad_list(*, user: User, status: str | None = AbroadStatus.ABROAD, country: str | None = None,
                q: str | None = None) -> QuerySet[Abroad]:
    qs = _abroad_qs(user).select_related("worker", "country", "case", "checkpoint", "regency")
    if status:
        qs = qs.filter(status=status)
    if country:
        qs = qs.filter(country_id=country.upper())
    if q:
        qs = qs.filter(Q(worker__name__icontains=q) | Q(employer_name__icontains=q) | Q(case__number__iexact=q))
    return qs.order_by("contract_end", "pk")
