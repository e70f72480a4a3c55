from django.core.management.base import BaseCommand

from satuatap.cards import services


class Command(BaseCommand):
    help = "Load the immigration checkpoints (airports, seaports, land border posts); safe to run again."

    def handle(self, *args, **opts):
        counts = services.checkpoints_load()
        self.stdout.write(f"checkpoints: {counts['created']} created, {counts['updated']} updated, "
                          f"{counts['unchanged']} unchanged")
