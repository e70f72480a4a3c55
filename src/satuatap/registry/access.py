"""Who may do what with worker records (shared by services, selectors and the API).

Identity data is the manpower (Disnaker) and civil-registration (Dukcapil) desks' business (PP 59/2021
art. 31); other desks and monitors see a masked NIK (UU 27/2022 on personal data protection).
"""

from __future__ import annotations

from satuatap.accounts.models import Role, User
from satuatap.accounts.selectors import user_is_admin, user_is_company_user, user_sees_full_nik
from satuatap.core.masking import mask_nik


def user_handles_identity(user: User | None) -> bool:
    """Disnaker and Dukcapil desk officers, office heads and admins register workers and see the full NIK."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    # One rule for the whole system (accounts.selectors): who handles identity data also sees it in full.
    return user_sees_full_nik(user)


def nik_for(user: User | None, nik: str) -> str:
    """The NIK as this user may see it: full for identity roles, masked for everyone else."""
    return nik if user_handles_identity(user) else mask_nik(nik)


def user_reads_workers(user: User | None) -> bool:
    """Office staff (every desk officer, office heads) and admins look workers up and read their records.

    Monitors work with statistics and open named records through a case of their region (with a reason);
    company users, checkpoint officers and auditors have no business in the registry.
    """
    if user is None or not user.is_authenticated or not user.is_active or user_is_company_user(user):
        return False
    return user_is_admin(user) or user.role in (Role.DESK_OFFICER, Role.OFFICE_HEAD)
