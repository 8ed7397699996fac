"""Every minute: email the leaders again about urgent queue items nobody has claimed,
escalate those still unclaimed later, tell members whose timed mute or suspension
came to its end, and ask for the summary emails that are due.
Run it from cron every minute, or with --every to keep it going (make run does)."""

import time

from django.core.management.base import BaseCommand

from groups.services.sanctions import sanctions_tell_ended
from groups.tasks import digests_enqueue
from moderation.services.escalation import escalate_overdue, remind_leaders_of_unclaimed


class Command(BaseCommand):
    help = "Escalate overdue urgent moderation items to administrators."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds")

    def handle(self, *args, every=0, **options):
        while True:
            for item in remind_leaders_of_unclaimed():
                self.stdout.write(f"reminded the leaders of queue item {item.pk}")
            for item in escalate_overdue():
                self.stdout.write(f"escalated queue item {item.pk}")
            for sanction in sanctions_tell_ended():
                self.stdout.write(f"told a member sanction {sanction.pk} ended")
            if count := digests_enqueue():
                self.stdout.write(f"asked for {count} summary emails")
            if not every:
                return
            time.sleep(every)
