"""Who may do what in the cards app, and the server-side verification; used by services and selectors alike."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings

from satuatap.accounts import selectors as account_selectors
from satuatap.accounts.models import Role, User
from satuatap.cards import keys, signing
from satuatap.cards.models import Card, CardStatus, Checkpoint, CheckpointMembership
from satuatap.core.errors import PermissionDenied
from satuatap.core.timeutil import local_date
from satuatap.reference import selectors as reference_selectors

OFFICER_ROLES = (Role.DESK_OFFICER, Role.OFFICE_HEAD, Role.MONITOR, Role.CHECKPOINT_OFFICER)


def user_is_officer(user: User | None) -> bool:
    """A government officer who may check cards: desks, heads, monitors, checkpoint officers, admins; never a
    placement company's user (their accounts carry a harmless role such as monitor) nor an auditor."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if account_selectors.user_is_company_user(user):
        return False
    return account_selectors.user_is_admin(user) or user.role in OFFICER_ROLES


def user_may_revoke_card(user: User, card: Card) -> bool:
    """The issuing office's head or BP3MI desk, or an admin."""
    return (account_selectors.user_is_admin(user)
            or account_selectors.user_heads_office(user, office_id=card.office_id)
            or account_selectors.user_can_act_for(user, office_id=card.office_id, agency_id="BP3MI"))


def card_verify(*, token: str, on: dt.date | None = None) -> signing.Verdict:
    """Verify a token with every valid public key, then ask the register whether its card is revoked."""
    on = on or local_date()
    verdict = signing.verify(token, keys=keys.keyring().public, today=on)
    if verdict.valid and Card.objects.filter(number=verdict.payload["n"], status=CardStatus.REVOKED).exists():
        return signing.Verdict(signing.Status.REVOKED, "revoked", verdict.payload, verdict.key_id, ("revoked",))
    return verdict


def checkpoint_of_officer(*, user: User, checkpoint_code: str) -> Checkpoint:
    """The checkpoint an officer is posted at (their membership), or 403."""
    if account_selectors.user_is_checkpoint_officer(user):
        member = (CheckpointMembership.objects.filter(user=user, checkpoint_id=checkpoint_code, active=True,
                                                      checkpoint__active=True).select_related("checkpoint").first())
        if member is not None:
            return member.checkpoint
    raise PermissionDenied("Anda tidak bertugas di tempat pemeriksaan ini.", "You are not posted at this checkpoint.",
                           code="forbidden_not_checkpoint_member", details={"checkpoint": checkpoint_code})


def user_abroad_scope(user: User) -> str | None:
    """The region code prefix whose workers a user may see abroad: the office's regency for office staff, the
    monitor's region ("" = national), everything for admins; None = no access."""
    if not user_is_officer(user) or user.role == Role.CHECKPOINT_OFFICER:
        return None
    if account_selectors.user_is_admin(user):
        return ""
    if user.role in (Role.DESK_OFFICER, Role.OFFICE_HEAD) and user.office_id:
        return reference_selectors.office_info(user.office_id).regency_code
    if user.role == Role.MONITOR:
        return user.region_id or ""
    return None


def card_mobile_code(card: Card) -> str:
    """A short secret for the worker's link to their card (SMS-sized), bound to this card's exact token."""
    mac = hmac.new(settings.SECRET_KEY.encode("utf-8"), f"card-mobile:{card.number}:{card.token}".encode(),
                   hashlib.sha256).digest()
    return signing.b64url_encode(mac[:16])
