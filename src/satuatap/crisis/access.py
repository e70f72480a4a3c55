"""Who is a Crisis Center agent, and who answers for a placement company (shared by services, selectors, views
and the API).

accounts.User has no crisis role: desk officers of the complaints & information desk ("INFO", BP3MI/KP2MI)
and of BP3MI act as crisis agents, and admins do. The Crisis Center is national, so an agent sees every
complaint, whatever office they sit in.
"""

from __future__ import annotations

from satuatap.accounts.models import User
from satuatap.accounts.selectors import CRISIS_AGENCIES, user_is_crisis_desk
from satuatap.core.errors import NotAuthenticated, PermissionDenied
from satuatap.placement import access as placement_access

__all__ = ["CRISIS_AGENCIES", "require_crisis_agent", "user_company_id", "user_is_crisis_agent"]


def user_company_id(user: User | None) -> int | None:
    """The placement company of a company user (active membership), or None for everyone else.

    A company user answers the clarification requests addressed to their company in the company portal, and is
    never a crisis agent, whatever their role (as in placement).
    """
    return placement_access.user_company_id(user)


def user_is_crisis_agent(user: User | None) -> bool:
    return user_is_crisis_desk(user) and user_company_id(user) is None


def require_crisis_agent(user: User | None) -> User:
    """The user, if a crisis agent; NotAuthenticated / PermissionDenied otherwise."""
    if user is None or not user.is_authenticated:
        raise NotAuthenticated("Silakan masuk terlebih dahulu.", "Authentication required.")
    if not user_is_crisis_agent(user):
        raise PermissionDenied(
            "Hanya petugas Crisis Center (loket pengaduan BP3MI/KP2MI) yang dapat menangani pengaduan.",
            "Only Crisis Center agents (BP3MI/KP2MI complaints desk) may handle complaints.",
            code="forbidden_not_crisis_agent",
        )
    return user
