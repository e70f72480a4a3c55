"""Crisis Center contacts shown on the status page and printed on the registration slip.

One place to change them (no settings needed). Sources: the toll-free 24-hour line 0800-1000 has run since
1 July 2011 (BNP2TKI "Halo TKI", now the KP2MI Crisis Center); the line from abroad and the WhatsApp number
are those KP2MI published in April 2025. Check them with KP2MI before each release.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Contact:
    kind: str  # "phone" | "whatsapp" | "web"
    label: object  # lazy translated string
    display: str
    href: str


CRISIS_CENTER_NAME = "Crisis Center KP2MI"
TOLL_FREE = Contact("phone", _("Toll-free phone, 24 hours"), "0800-1000", "tel:08001000")
FROM_ABROAD = Contact("phone", _("From abroad (not toll-free)"), "+62 21 2924 4800", "tel:+622129244800")
WHATSAPP = Contact("whatsapp", _("WhatsApp"), "0811-8080-141", "https://wa.me/628118080141")

CRISIS_CENTER_CONTACTS: tuple[Contact, ...] = (TOLL_FREE, FROM_ABROAD, WHATSAPP)
