"""`satuatap crisis-channel-key NAME --channel whatsapp`: issue a key for a channel integration (shown once)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from satuatap.crisis import services
from satuatap.crisis.constants import API_CHANNELS


class Command(BaseCommand):
    help = "Create an X-Channel-Key for a WhatsApp / SMS / e-mail integration posting to /api/v1/complaints/."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--channel", choices=[str(c) for c in API_CHANNELS], required=True)

    def handle(self, *args, name, channel, **options):
        key, secret = services.channel_key_create(actor=None, name=name, channel=channel)
        self.stdout.write(f"channel key {key.pk} ({key.channel}): {secret}")
        self.stdout.write("Keep it now: only its hash is stored.")
