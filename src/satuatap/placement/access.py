"""Who may see and do what in placement: officers by their role, company users by their company.

accounts.User has no company role, so a company user is recognised here by an active CompanyMembership; such a
user is treated as a company user whatever their role, and never as an officer.
"""

from __future__ import annotations

from satuatap.accounts import selectors as account_selectors
from satuatap.accounts.models import Role
from satuatap.placement.models import CompanyMembership

_NO_COMPANY = 0


def user_company_id(user) -> int | None:
    """The company of a company user (active membership), or None for everyone else."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_placement_company_id", None)
    if cached is None:
        cached = (
            CompanyMembership.objects.filter(user_id=user.pk, is_active=True)
            .values_list("company_id", flat=True)
            .first()
            or _NO_COMPANY
        )
        user._placement_company_id = cached
    return cached or None


def user_is_active(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def user_is_admin(user) -> bool:
    return user_is_active(user) and user_company_id(user) is None and account_selectors.user_is_admin(user)


def user_is_officer(user) -> bool:
    """Government staff: desk officers, office heads, monitors and admins (not company users)."""
    return user_is_active(user) and user_company_id(user) is None and (
        user.role in Role.values or account_selectors.user_is_admin(user)
    )


def user_manages_companies(user) -> bool:
    """Admins and office heads register companies and employers and correct their data."""
    return user_is_admin(user) or (user_is_officer(user) and user.role == Role.OFFICE_HEAD)


def user_records_fees(user) -> bool:
    """Desk officers, office heads and admins record costs in a case's fee ledger."""
    return user_is_admin(user) or (user_is_officer(user) and user.role in (Role.DESK_OFFICER, Role.OFFICE_HEAD))


def user_reads_decision(user, *, office_code: str, office_regency: str) -> bool:
    """Office staff read the decisions of their office; monitors those of their region; admins all."""
    if not user_is_officer(user):
        return False
    if user_is_admin(user):
        return True
    if user.role == Role.MONITOR:
        return user.region_id is None or office_regency.startswith(user.region_id)
    if user.office_id is None:
        return False
    if office_code:
        return user.office_id == office_code
    return bool(office_regency) and user.office.regency_id == office_regency


def user_may_override(user, *, office_code: str, office_regency: str) -> bool:
    """Only an office head, of the office (or, when the office is not recorded, the regency) of the decision."""
    if not (user_is_officer(user) and user.role == Role.OFFICE_HEAD and user.office_id):
        return False
    if office_code:
        return user.office_id == office_code
    return not office_regency or user.office.regency_id == office_regency
