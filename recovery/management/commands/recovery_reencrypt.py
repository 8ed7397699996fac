"""Encrypt every member's recovery data again with the newest key (the first of
RECOVERY_ENCRYPTION_KEYS), so that an older key can then be removed. Rerunnable: a
value already under the newest key is simply encrypted again."""

from django.core.management.base import BaseCommand
from django.db import models, transaction
from django.db.models.functions import Cast

from recovery import crypto
from recovery.models import CheckIn, Goal, SafetyPlan, Stretch

COLUMNS = [(Goal, "details"), (Stretch, "restart_note"), (CheckIn, "answers"),
           (SafetyPlan, "sections")]  # fmt: skip
BATCH = 500


def raw_tokens(model, column):
    """(pk, token) pairs, read as text so the plaintext is never decrypted here."""
    return (
        model.objects.exclude(**{f"{column}__isnull": True})
        .annotate(token=Cast(column, models.TextField()))
        .values_list("pk", "token")
    )


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        for model, column in COLUMNS:
            done = 0
            pks = list(raw_tokens(model, column).values_list("pk", flat=True))
            for start in range(0, len(pks), BATCH):
                with transaction.atomic():
                    batch = raw_tokens(model, column).filter(pk__in=pks[start : start + BATCH])
                    for pk, token in batch.select_for_update(of=("self",)):
                        rotated = models.Value(crypto.rotate(token), models.TextField())
                        model.objects.filter(pk=pk).update(**{column: rotated})
                        done += 1
            self.stdout.write(f"{model._meta.label}.{column}: {done} encrypted with the newest key")
