"""`satuatap yearly-report --year 2026`: the yearly statistics report as a PDF file."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from satuatap.monitoring import exports, selectors, services


class Command(BaseCommand):
    help = "Write the yearly report (placements by country, job, province, sex, scheme; complaints) as a PDF."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--output", default=None, help="file (default: var/reports/laporan-<year>.pdf)")
        parser.add_argument("--english", action="store_true")
        parser.add_argument("--no-rollup", action="store_true", help="do not update the rollups first")

    def handle(self, *args, year, output, english, no_rollup, **options):
        if not no_rollup:
            services.rollup_run()
        path = Path(output) if output else Path(settings.VAR_DIR) / "reports" / f"laporan-{year}.pdf"
        path.parent.mkdir(parents=True, exist_ok=True)
        title = (f"Indonesian migrant worker placements and complaints {year}" if english
                 else f"Penempatan dan pengaduan Pekerja Migran Indonesia {year}")
        pdf = exports.pdf_report(
            title=title, subtitle="satuatap", footer="Penempatan = keberangkatan (langkah DEP).",
            sections=selectors.yearly_report_sections(year=year, english=english),
        )
        path.write_bytes(pdf)
        self.stdout.write(f"{path} ({len(pdf)} bytes)")
