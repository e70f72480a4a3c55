from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from satuatap.cards import keys


class Command(BaseCommand):
    help = ("Generate a new Ed25519 card signing key <KEY_ID>.pem (mode 0600) in a key directory "
            "(SATUATAP_CARD_KEYS_DIR). Never commit it. Rotation: add the new key, keep the old one (or its public "
            "half as <id>.pub.pem) until its last card expires.")

    def add_arguments(self, parser):
        parser.add_argument("key_id", help="e.g. 2026-11")
        parser.add_argument("--dir", required=True, help="key directory")

    def handle(self, *args, **opts):
        directory = Path(opts["dir"])
        if (directory / f"{opts['key_id']}.pem").exists():
            raise CommandError("a key with this id exists already")
        try:
            path = keys.write_private_key(directory, opts["key_id"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"written {path}")
