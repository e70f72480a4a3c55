"""`satuatap load_crisis_rules`: the Crisis Center's rule set versions from crisis/data/crisis_rules.json
(idempotent; a loaded version whose content changed is refused)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from satuatap.core.errors import ApplicationError
from satuatap.crisis import services


class Command(BaseCommand):
    help = (
        "Load the Crisis Center first-response targets and closure rules (Perban BP2MI 6/2024 art. 30) from "
        "crisis/data/crisis_rules.json. Running it again changes nothing; a changed version is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=None, help="another file of the same shape")
        parser.add_argument("--quiet", action="store_true", help="no summary")

    def handle(self, *args, file: Path | None = None, quiet: bool = False, **options):
        data = None
        if file is not None:
            try:
                data = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CommandError(f"{file}: {exc}") from exc
        try:
            counts = services.crisis_rules_load(data=data)
        except ApplicationError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}\n{exc.message_en}") from exc
        if not quiet:
            self.stdout.write(f"crisis rule sets: {counts['total']} in the file, {counts['created']} loaded now")
            self.stdout.write(self.style.SUCCESS("Crisis Center rules loaded."))
