"""Reads for accounts, and the role rules other apps ask about a user."""

from __future__ import annotations

from satuatap.accounts.models import Role, User


def user_is_admin(user: User) -> bool:
    return user.is_authenticated and (user.role == Role.ADMIN or user.is_superuser)


def user_can_act_for(user: User, *, office_id: str, agency_id: str) -> bool:
    """A desk officer acts only for their own agency at their own office."""
    return (
        user.is_authenticated
        and user.is_active
        and user.role == Role.DESK_OFFICER
        and user.office_id == office_id
        and user.agency_id == agency_id
    )


def user_is_checkpoint_officer(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role == Role.CHECKPOINT_OFFICER


def user_heads_office(user: User, *, office_id: str) -> bool:
    return user.is_authenticated and user.is_active and user.role == Role.OFFICE_HEAD and user.office_id == office_id


def user_can_read_office(user: User, *, office_id: str, office_region_code: str) -> bool:
    """Office staff read their office; monitors read offices in their region (or all when national)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user_is_admin(user):
        return True
    if user.role in (Role.DESK_OFFICER, Role.OFFICE_HEAD):
        return user.office_id == office_id
    if user.role == Role.MONITOR:
        return user.region_id is None or office_region_code.startswith(user.region_id)
    return False


def users_list(*, office_id: str | None = None):
    qs = User.objects.select_related("office", "agency", "region").order_by("username")
    if office_id:
        qs = qs.filter(office_id=office_id)
    return qs


# Agencies whose desk work needs the full identity number (registration and civil registration).
FULL_NIK_AGENCIES = frozenset({"DISNAKER", "DUKCAPIL"})
# Health outcome details are for the health desk and the office head only (UU 27/2022: health data is specific).
HEALTH_AGENCIES = frozenset({"DINKES"})


def user_sees_full_nik(user: User) -> bool:
    if user_is_admin(user) or user.role == Role.OFFICE_HEAD:
        return True
    return user.role == Role.DESK_OFFICER and user.agency_id in FULL_NIK_AGENCIES


def user_sees_health_details(user: User) -> bool:
    if user_is_admin(user) or user.role == Role.OFFICE_HEAD:
        return True
    return user.role == Role.DESK_OFFICER and user.agency_id in HEALTH_AGENCIES


# The Crisis Center is staffed from the complaints & information desk (BP3MI/KP2MI) and BP3MI itself.
CRISIS_AGENCIES = frozenset({"INFO", "BP3MI"})


def user_is_crisis_desk(user: User | None) -> bool:
    """An active admin, or a desk officer of a Crisis Center agency (INFO or BP3MI)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user_is_admin(user) or (user.role == Role.DESK_OFFICER and user.agency_id in CRISIS_AGENCIES)
