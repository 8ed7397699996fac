"""Write the page nginx shows while the app servers don't answer (deploy/)."""

from pathlib import Path

from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand
from django.template.loader import render_to_string
from django.test import RequestFactory

from safety import helplines


class Command(BaseCommand):
    help = "Write the outage page (every helpline, no link that needs the app) to PATH."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        request = RequestFactory().get("/")
        request.user = AnonymousUser()
        countries = helplines.all_countries()
        context = {
            "countries": helplines.listed_countries(countries),
            "international": helplines.international(countries),
            # No account menu or messages: nothing on the page may need the database.
            "database_unavailable": True,
        }
        html = render_to_string("errors/outage.html", context, request=request)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
        self.stdout.write(f"outage page written to {path}")
