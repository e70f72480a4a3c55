"""The `satuatap` console command: Django's management commands with project defaults.

    satuatap serve [ADDR:PORT]   development server (gunicorn in production: see README)
    satuatap migrate
    satuatap load-reference [--villages]
    satuatap demo
    satuatap check-deploy        Django's deployment checks plus the project's own (run with production env)
    satuatap backup [--output-dir DIR]      online dump + manifest (SQLite backup API / pg_dump)
    satuatap restore DUMP [--yes]           restore, refusing newer or damaged dumps, then verify
    satuatap <any manage.py command>
"""

from __future__ import annotations

import os
import sys

ALIASES = {"serve": "runserver", "load-reference": "load_reference"}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "satuatap.config.settings")
    if len(argv) > 1:
        argv[1] = ALIASES.get(argv[1], argv[1].replace("-", "_"))
    if len(argv) > 1 and argv[1] == "runserver" and len(argv) == 2:
        argv.append("127.0.0.1:8000")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
