"""Escalate urgent queue items nobody has claimed in time. Run it from cron every
minute, or with --every to keep it going (make run does)."""

import time

from django.core.management.base import BaseCommand

from moderation.services.escalation import escalate_overdue


class Command(BaseCommand):
    help = "Escalate overdue urgent moderation items to administrators."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds")

    def handle(self, *args, every=0, **options):
        while True:
            for item in escalate_overdue():
                self.stdout.write(f"escalated queue item {item.pk}")
            if not every:
                return
            time.sleep(every)
