"""Compile the .po catalogues to .mo with Babel, so a machine without GNU gettext can still run the UI."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    requires_system_checks = []
    help = "Compile locale/*/LC_MESSAGES/*.po to .mo (no GNU gettext needed)."

    def handle(self, *args, **options):
        count = 0
        # the project catalogue and each app's own (src/satuatap/<app>/locale)
        bases = [*map(Path, settings.LOCALE_PATHS), *sorted(Path(settings.BASE_DIR).glob("*/locale"))]
        for base in bases:
            for po_path in sorted(base.glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                with po_path.open("rb") as fh:
                    catalog = read_po(fh, locale=po_path.parent.parent.name)
                with mo_path.open("wb") as fh:
                    write_mo(fh, catalog, use_fuzzy=False)
                count += 1
        self.stdout.write(f"compiled {count} catalogue(s)")
