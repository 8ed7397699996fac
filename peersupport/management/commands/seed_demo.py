"""Demo data for `make run`. Safe to run again: it only adds what is missing."""

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from forum.models import ContentWarning, Thread
from forum.services import reactions
from forum.services import threads as thread_services
from groups.models import Group, Membership, Topic
from safety.rules import CURRENT_RULES_VERSION

DEMO_PASSWORD = "recovery-demo-2026"  # noqa: S105 - printed for anyone running the demo
DEMO_PEOPLE = [
    # key, email, display name, staff
    ("admin", "admin@demo.peersupport.invalid", "Site Keeper", True),
    ("leader", "leader@demo.peersupport.invalid", "Harbor Light", False),
    ("member", "member@demo.peersupport.invalid", "Quiet Morning", False),
    ("newcomer", "newcomer@demo.peersupport.invalid", "First Steps", False),
]
RULES = """1. What is shared here stays here.
2. Speak from your own experience: no advice about doses or medication changes.
3. Be gentle with lapses and relapses. Everyone is welcome back.
"""
DEMO_GROUPS = [
    {
        "slug": "sober-mornings",
        "name": "Sober Mornings",
        "short_description": "Starting each day without alcohol, with depression in the mix.",
        "about": "A daily check-in group for people **quitting or cutting down on alcohol** "
        "who also live with low mood. Post your morning intention, cheer each other on.",
        "visibility": Group.Visibility.PUBLIC,
        "join_policy": Group.JoinPolicy.OPEN,
        "topics": ["alcohol", "depression", "newcomers"],
        "welcome_message": "Welcome! Introduce yourself when you feel ready. "
        "There's no right way to start.",
        "members": {"leader": "owner", "member": "member"},
    },
    {
        "slug": "opioid-recovery-mat",
        "name": "Opioid Recovery & MAT",
        "short_description": "Recovery from opioids, on or off medication-assisted treatment.",
        "about": "Methadone, buprenorphine, naltrexone or none: every path is respected here.",
        "visibility": Group.Visibility.PRIVATE,
        "join_policy": Group.JoinPolicy.REQUEST,
        "topics": ["opioids", "medication-assisted-treatment", "anxiety"],
        "welcome_message": "Glad you found us. Read the pinned threads to see how we work.",
        "members": {"leader": "owner", "member": "leader", "newcomer": "requested"},
    },
    {
        "slug": "trauma-recovery-circle",
        "name": "Trauma Recovery Circle",
        "short_description": "A closed circle for survivors of trauma in recovery.",
        "about": "Invitation only, to keep the circle small and safe.",
        "visibility": Group.Visibility.HIDDEN,
        "join_policy": Group.JoinPolicy.INVITE,
        "topics": ["trauma-and-ptsd", "women"],
        "welcome_message": "You are safe here. Take what helps and leave the rest.",
        "members": {"leader": "owner", "member": "member"},
    },
    {
        "slug": "family-and-friends",
        "name": "Family & Friends",
        "short_description": "For the people who love someone with a dual diagnosis.",
        "about": "Support for partners, parents, children and friends.",
        "visibility": Group.Visibility.PUBLIC,
        "join_policy": Group.JoinPolicy.REQUEST,
        "topics": ["family-and-friends", "parents"],
        "welcome_message": "Welcome. Caring for someone is hard; you matter too.",
        "members": {"member": "owner"},
    },
]


class Command(BaseCommand):
    help = "Create demo members and groups (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        people = {key: self.person(email, name, staff) for key, email, name, staff in DEMO_PEOPLE}
        for spec in DEMO_GROUPS:
            self.group(spec, people)
        self.conversations(people)
        self.stdout.write(self.style.SUCCESS("demo data is in place"))
        self.stdout.write(f"demo logins (password for all: {DEMO_PASSWORD}):")
        for _key, email, display_name, is_staff in DEMO_PEOPLE:
            role = "admin (staff powers need two-factor authentication set up)" if is_staff else ""
            self.stdout.write(f"  {email:38} {display_name:15} {role}")

    def person(self, email, display_name, is_staff):
        now = timezone.now()
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email, DEMO_PASSWORD, display_name=display_name, is_staff=is_staff,
                is_superuser=is_staff, confirmed_adult_at=now,
                rules_version_accepted=CURRENT_RULES_VERSION, rules_accepted_at=now,
            )  # fmt: skip
            self.stdout.write(f"created {display_name} <{email}>")
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def group(self, spec, people):
        spec = dict(spec)
        topics = Topic.objects.filter(slug__in=spec.pop("topics"))
        members = spec.pop("members")
        group, created = Group.objects.get_or_create(
            slug=spec.pop("slug"), defaults={**spec, "rules": RULES}
        )
        if created:
            group.topics.set(topics)
            self.stdout.write(f"created group {group.name}")
        for key, role in members.items():
            state = Membership.State.REQUESTED if role == "requested" else Membership.State.ACTIVE
            Membership.objects.get_or_create(
                user=people[key], group=group,
                defaults={
                    "state": state,
                    "role": Membership.Role.MEMBER if role == "requested" else role,
                    "joined_at": None if role == "requested" else timezone.now(),
                    "accepted_rules_version": group.rules_version,
                    # Established members: their posts are not held for approval.
                    "approved_post_count": 0 if role == "requested" else 10,
                    "request_message": "I'd like to join, please." if role == "requested" else "",
                },
            )  # fmt: skip

    def conversations(self, people):
        group = Group.objects.get(slug="sober-mornings")
        if Thread.objects.filter(group=group).exists():
            return
        leader, member = people["leader"], people["member"]
        welcome = thread_services.thread_create(
            acting_user=leader, group=group, title="Welcome, and how this group works",
            body="Say hello, share your morning intention, and be gentle with yourself.\n\n"
            "- Post once a day, or whenever you need to\n- Use a content warning for hard topics",
        )  # fmt: skip
        thread_services.thread_set_pinned(acting_user=leader, thread=welcome, pinned=True)
        hard_day = thread_services.thread_create(
            acting_user=member, group=group, title="Day 12 and a hard night",
            body="Last night the cravings came back with the low mood. I didn't drink, "
            "but I didn't sleep either. Writing it here so I don't carry it alone.",
            content_warning=ContentWarning.RELAPSE, content_warning_note="cravings",
        )  # fmt: skip
        reply = thread_services.post_create(
            acting_user=leader, thread=hard_day,
            body="@Quiet Morning twelve days is real. Thank you for writing it here. "
            "What helped the last time a night like that passed?",
        )  # fmt: skip
        reactions.reaction_toggle(acting_user=leader, post=hard_day.posts.first(),
                                        kind="strength")  # fmt: skip
        reactions.reaction_toggle(acting_user=member, post=reply, kind="thank_you")
        self.stdout.write("created demo conversations")
