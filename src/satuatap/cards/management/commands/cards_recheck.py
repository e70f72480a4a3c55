from django.core.management.base import BaseCommand

from satuatap.cards import services


class Command(BaseCommand):
    help = ("Evaluate the card-stage placement rules again for every active card not yet used to depart, and revoke "
            "the cards a block is now found for (run daily).")

    def handle(self, *args, **opts):
        revoked = services.cards_recheck()
        self.stdout.write(f"{len(revoked)} card(s) revoked" + (": " + ", ".join(revoked) if revoked else ""))
