from django.core.management.base import BaseCommand, CommandError

from satuatap.accounts.models import User
from satuatap.cards import services


class Command(BaseCommand):
    help = "Post a checkpoint officer (user with role checkpoint_officer) at a checkpoint: checkpoint-post USER CODE."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("checkpoint")

    def handle(self, *args, **opts):
        user = User.objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError("no such user")
        services.checkpoint_member_add(actor=None, user=user, checkpoint_code=opts["checkpoint"])
        self.stdout.write(f"{user.username} posted at {opts['checkpoint']}")
