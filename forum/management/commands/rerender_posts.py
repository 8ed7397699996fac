"""Store every post's HTML as the current sanitizer makes it.

After SANITIZER_VERSION changes, a post whose stored HTML is older is rendered again on
every page that shows it (never shown stale, but paid for on each view). This renders
and stores them once, in batches; scripts/prod runs it at every start, where it costs
one query when nothing is stale.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from forum.models import Post
from forum.services.threads import render
from groups.markdown import SANITIZER_VERSION

BATCH = 500


class Command(BaseCommand):
    help = __doc__.split("\n\n")[0]

    def handle(self, *args, **options):
        stale = Post.objects.exclude(rendered_version=SANITIZER_VERSION).order_by("pk")
        done = 0
        last_pk = 0
        while True:
            batch = list(stale.filter(pk__gt=last_pk).only("pk", "body")[:BATCH])
            if not batch:
                break
            for post in batch:
                render(post)
            with transaction.atomic():
                Post.objects.bulk_update(batch, ["rendered_html", "rendered_version"])
            done += len(batch)
            last_pk = batch[-1].pk
            if done % (BATCH * 20) == 0:
                self.stdout.write(f"{done} posts rendered again")
        if done:
            self.stdout.write(f"{done} posts rendered again with sanitizer version "
                              f"{SANITIZER_VERSION}")  # fmt: skip
