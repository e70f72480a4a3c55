"""Writes for accounts: users, API tokens and the audit log."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from satuatap.accounts.models import ApiToken, AuditAction, AuditEntry, Role, User
from satuatap.core import fastsql
from satuatap.core.audit_context import current_request
from satuatap.core.errors import NotFound, ValidationFailed
from satuatap.core.ratelimit import client_address
from satuatap.reference.models import Agency, Office, Region

TOKEN_PREFIX = "sat_"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    role: str,
    office: Office | None = None,
    agency: Agency | None = None,
    region: Region | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """Create a user; a desk officer needs an office and an agency, an office head an office."""
    if role not in Role.values:
        raise ValidationFailed("Peran tidak dikenal.", "Unknown role.", code="role_unknown", details={"role": role})
    if role == Role.DESK_OFFICER and (office is None or agency is None):
        raise ValidationFailed(
            "Petugas loket harus terikat pada satu kantor dan satu instansi.",
            "A desk officer must belong to one office and one agency.",
            code="desk_officer_needs_office_agency",
        )
    if role == Role.DESK_OFFICER and not office.desks.filter(pk=agency.pk).exists():
        raise ValidationFailed(
            f"Kantor {office.name} tidak memiliki loket {agency.name_id}.",
            f"Office {office.name} has no {agency.name_en} desk.",
            code="desk_not_present",
        )
    if role == Role.OFFICE_HEAD and office is None:
        raise ValidationFailed(
            "Kepala kantor harus terikat pada satu kantor.", "An office head must belong to an office.",
            code="office_head_needs_office",
        )
    user = User(
        username=username,
        role=role,
        office=office,
        agency=agency if role == Role.DESK_OFFICER else None,
        region=region if role == Role.MONITOR else None,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue a bearer token; the secret is returned once and only its hash is kept."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=secret[:12], digest=_digest(secret))
    return token, secret


@transaction.atomic
def api_token_revoke(*, token_id: int) -> ApiToken:
    """Revoke a token; requests with it get 401 from then on."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None:
        raise NotFound("Token tidak ditemukan.", "Token not found.", code="token_not_found")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


_TOKEN = fastsql.Columns(ApiToken, "t", only=("id", "last_used_at"))  # what the check needs of the token itself
_TOKEN_USER = fastsql.Columns(User, "u")
def _token_lookup_sql(q) -> str:
    # The company of a company user rides along (placement's membership, reached through the reverse relation
    # so accounts need not import placement): every later "is this a company user?" then costs no query.
    membership = User._meta.get_field("company_membership").related_model
    return (
        f"SELECT {_TOKEN.sql}, {_TOKEN_USER.sql}, "  # noqa: S608
        f"(SELECT m.{q('company_id')} FROM {q(membership._meta.db_table)} m "
        f"WHERE m.{q('user_id')} = u.{q('id')} AND m.{q('is_active')} LIMIT 1) "
        f"FROM {_TOKEN.table} t JOIN {_TOKEN_USER.table} u ON u.{q('id')} = t.{q('user_id')} "
        f"WHERE t.{q('digest')} = %s AND t.{q('revoked_at')} IS NULL"
    )


_TOKEN_LOOKUP = fastsql.Statement(_token_lookup_sql)


def api_token_authenticate(*, secret: str) -> User | None:
    """The active user behind a bearer token, or None; records when the token was last used.

    Every API request runs this, so the token and its user are read in one hand-written statement
    (core.fastsql) instead of a compiled queryset.
    """
    if not secret.startswith(TOKEN_PREFIX):
        return None
    rows = fastsql.fetch(_TOKEN_LOOKUP.sql, [_digest(secret)])
    if not rows:
        return None
    token = _TOKEN.load(rows[0])
    user = _TOKEN_USER.load(rows[0], offset=_TOKEN.width)
    if not user.is_active:
        return None
    user._placement_company_id = rows[0][-1] or 0  # as placement.access.user_company_id keeps it: 0 is none
    now = timezone.now()
    # Write at most once a minute per token: a busy integration must not turn every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user


def audit_record(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: object,
    request=None,
    subject_worker_id: int | None = None,
    reason: str = "",
    details: dict | None = None,
) -> AuditEntry:
    """Append one audit entry: who (copied, so it outlives role changes), from where, what, about whom and why.

    Reads of a full personal record, exports and changes are recorded (UU 27/2022 art. 31: the controller keeps
    a record of processing). Written in the caller's transaction: a change that rolls back leaves no entry.
    Without `request`, the request being served (core.audit_context) gives the address and path.
    """
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    if request is None:
        request = current_request()
    known = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        user_id=actor.pk if known else None,
        username=actor.get_username() if known else "",
        role=getattr(actor, "role", "") if known else "",
        office_id=(actor.office_id or "") if known else "",
        agency_id=(actor.agency_id or "") if known else "",
        client_address=client_address(request)[:64] if request is not None else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        subject_worker_id=subject_worker_id,
        reason=(reason or "").strip()[:2000],
        method=(request.method or "")[:8] if request is not None else "",
        path=request.get_full_path()[:300] if request is not None else "",
        details=details or {},
    )
