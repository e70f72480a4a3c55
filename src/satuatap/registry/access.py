"""Who may do what with worker records (shared by services, selectors and the API).

Identity data is the manpower (Disnaker) and civil-registration (Dukcapil) desks' business (PP 59/2021
art. 31); other desks and monitors see a masked NIK (UU 27/2022 on personal data protection).
"""

from __future__ import annotations

from satuatap.accounts.models import User
from satuatap.accounts.selectors import user_sees_full_nik
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
