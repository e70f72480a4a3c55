"""`satuatap demo`: demo users and candidates (idempotent), then print the logins."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from tqdm import tqdm

from satuatap.web import demo


class Command(BaseCommand):
    help = "Create demo users (one per role and desk) and 200 candidates spread over the journey; print logins."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=200)
        parser.add_argument("--quiet", action="store_true")
        parser.add_argument("--no-logins", action="store_true", help="create the data, print no logins")
        parser.add_argument("--logins", action="store_true", help="only print the logins (after the other demos)")

    def handle(self, *args, cases: int, quiet: bool, no_logins: bool, logins: bool, **options):
        demo.ensure_agencies_present()
        users = demo.ensure_users()
        made = 0
        if not logins:
            with tqdm(total=cases, desc="demo cases", disable=quiet, unit="case") as bar:
                made = demo.ensure_cases(cases, progress=bar.update)
            if made:
                demo.age_open_steps()
            if no_logins:
                return
        token = demo.demo_token()
        users += [(u.username, u.role, u.first_name or "-") for u in demo.checkpoint_officers()]
        out = self.stdout.write
        out("")
        out(f"Demo data: {made} new case(s). Logins (password for all: {demo.DEMO_PASSWORD}):")
        width = max(len(u) for u, _, _ in users)
        for username, role, where in users:
            if role.startswith("desk_officer") and not username.startswith("idm."):
                continue  # one office's desks printed in full; the others follow the same pattern
            out(f"  {username.ljust(width)}  {role:<22} {where}")
        out("  (other offices: <office>.kepala and <office>.<agency>, office = idm sby lpg nnk ltm clp)")
        if token:
            out(f"API bearer token for idm.disnaker (shown once): {token}")
        out("Open http://127.0.0.1:8000/  ·  API docs http://127.0.0.1:8000/api/docs")
