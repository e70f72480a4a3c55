"""Demo data for the cards app: checkpoints, one posted officer per demo checkpoint (password as the other demo
users), the cards and whereabouts of demo cases completed before the app existed, and a few stopped attempts."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from satuatap.accounts import services as account_services
from satuatap.accounts.models import Role, User
from satuatap.cards import services
from satuatap.cards.models import DepartureAttempt
from satuatap.web.demo import DEMO_PASSWORD

DEMO_POSTS = {"cp.cgk": "CGK", "cp.sub": "SUB", "cp.etk": "PLBN-ETK", "cp.nnk": "PLB-NNK"}
DEMO_STOPPED = (
    ("CGK", "Rini Astuti", "C3344556", "SA", "SV 817", "no_card", "Visa ziarah, tujuan bekerja di Riyadh"),
    ("PLBN-ETK", "Darto", "", "MY", "BUS", "no_card", "Mengaku akan berkebun di Sarawak tanpa dokumen"),
    ("PLB-NNK", "Hasnah", "C9988776", "MY", "KM THALIA", "bad_signature", "Kartu hasil salinan, isi diubah"),
)


class Command(BaseCommand):
    help = "Load demo data for E-KPMI cards and checkpoints (safe to run again)."

    def handle(self, *args, **opts):
        counts = services.checkpoints_load()
        officers = {}
        for username, code in DEMO_POSTS.items():
            user = User.objects.filter(username=username).first() or account_services.user_create(
                username=username, password=DEMO_PASSWORD, role=Role.CHECKPOINT_OFFICER)
            services.checkpoint_member_add(actor=None, user=user, checkpoint_code=code)
            officers[code] = user
        filled = services.cards_backfill()
        stopped = 0
        if not DepartureAttempt.objects.filter(outcome="stopped").exists():
            for code, name, passport, country, flight, reason, note in DEMO_STOPPED:
                services.attempt_stop(actor=officers[code], checkpoint_code=code, reason=reason, person_name=name,
                                      passport_number=passport, destination_country=country,
                                      flight_or_vessel=flight, note=note)
                stopped += 1
        self.stdout.write(f"checkpoints {counts}; officers {', '.join(DEMO_POSTS)} (password as the demo users); "
                          f"cards issued {filled['cards']}, abroad kept {filled['abroad']}; stopped attempts {stopped}")
