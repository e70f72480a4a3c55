"""Verify a card token offline: `satuatap verify-card TOKEN --keys satuatap-card-keys.json [--revocations FILE]`.

Needs no server and no database: the key file (from /.well-known/satuatap-card-keys.json) and, optionally, the
signed revocation list (from /cards/revocations.json). Exit status 0 = valid, 1 = invalid, revoked or expired.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from satuatap.cards import signing


class Command(BaseCommand):
    help = "Verify an E-KPMI card token offline with a key file (and a signed revocation list)."
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("token", help="the QR code's content; '-' reads it from standard input")
        parser.add_argument("--keys", required=True, help="key file (satuatap-card-keys.json)")
        parser.add_argument("--revocations", help="signed revocation list (JSON from /cards/revocations.json)")
        parser.add_argument("--date", help="check as of this date (YYYY-MM-DD); default today")
        parser.add_argument("--json", action="store_true", help="print the verdict as JSON")

    def handle(self, *args, **opts):
        token = sys.stdin.read().strip() if opts["token"] == "-" else opts["token"]
        try:
            keys = signing.keys_from_document(json.loads(Path(opts["keys"]).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"key file not usable: {exc}") from exc
        revoked: frozenset[str] = frozenset()
        list_date = None
        if opts["revocations"]:
            try:
                document = json.loads(Path(opts["revocations"]).read_text(encoding="utf-8"))
                revoked = signing.revocation_list_read(document["token"], keys=keys)
                list_date = signing.read_unverified(document["token"]).get("d")
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise CommandError(f"revocation list rejected: {exc}") from exc
        on = dt.date.fromisoformat(opts["date"]) if opts["date"] else dt.date.today()
        verdict = signing.verify(token, keys=keys, today=on, revoked=revoked)
        if opts["json"]:
            self.stdout.write(json.dumps({"status": verdict.status, "reason": verdict.reason,
                                          "message": verdict.message, "message_en": verdict.message_en,
                                          "key_id": verdict.key_id, "card": verdict.payload,
                                          "checked_on": on.isoformat(), "revocation_list_date": list_date},
                                         ensure_ascii=False, indent=1))
        else:
            self.stdout.write(f"{verdict.status.upper()} ({verdict.reason}): {verdict.message_en}")
            if verdict.payload:
                p = verdict.payload
                self.stdout.write(f"  {p['n']} · {p['nm']} · NIK {p['nik']} · passport {p['pp']} · {p['c']} · "
                                  f"{p['e']} · valid until {p['x']} · key {p['k']}")
            if not opts["revocations"]:
                self.stdout.write("  (no revocation list given: revocation not checked)")
            elif list_date:
                self.stdout.write(f"  revocation list dated {list_date}")
        if not verdict.valid:
            sys.exit(1)
