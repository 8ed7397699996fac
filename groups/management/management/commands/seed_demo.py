"""Demo data for `make run`. Safe to run again: it only adds what is missing."""

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from safety.rules import CURRENT_RULES_VERSION

DEMO_PASSWORD = "recovery-demo-2026"  # noqa: S105 - printed for anyone running the demo
DEMO_PEOPLE = [
    # email, display name, staff
    ("admin@demo.peersupport.invalid", "Site Keeper", True),
    ("leader@demo.peersupport.invalid", "Harbor Light", False),
    ("member@demo.peersupport.invalid", "Quiet Morning", False),
    ("newcomer@demo.peersupport.invalid", "First Steps", False),
]


class Command(BaseCommand):
    help = "Create demo members (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        now = timezone.now()
        for email, display_name, is_staff in DEMO_PEOPLE:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email,
                    DEMO_PASSWORD,
                    display_name=display_name,
                    is_staff=is_staff,
                    is_superuser=is_staff,
                    confirmed_adult_at=now,
                    rules_version_accepted=CURRENT_RULES_VERSION,
                    rules_accepted_at=now,
                )
                self.stdout.write(f"created {display_name} <{email}>")
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
        self.stdout.write(self.style.SUCCESS("demo data is in place"))
        self.stdout.write(f"demo logins (password for all: {DEMO_PASSWORD}):")
        for email, display_name, is_staff in DEMO_PEOPLE:
            role = (
                "admin: set up two-factor authentication to open /admin/" if is_staff else "member"
            )
            self.stdout.write(f"  {email:38} {display_name:15} {role}")
