"""One target reference on reports and review items: a report names what it is about
by its target key (as review items already did) and whose it is (subject); review items
lose their four typed foreign keys, which only repeated the key, and gain the one
person who may not handle them (the leader whose decision is appealed). This step
adds the new columns and carries the rows over; the next drops the old columns (in a
transaction of its own, as Postgres will not alter a table with pending updates)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_targets(apps, schema_editor):
    Report = apps.get_model("peergroups", "Report")
    ReviewItem = apps.get_model("peergroups", "ReviewItem")
    for report in Report.objects.select_related("post", "chat_message").iterator():
        if report.post_id:
            report.target_key = f"post:{report.post_id}"
            report.subject_id = report.post.author_id
        elif report.chat_message_id:
            report.target_key = f"chat:{report.chat_message_id}"
            report.subject_id = report.chat_message.author_id
        else:
            report.target_key = f"member:{report.subject_id}:group:{report.group_id}"
        report.save(update_fields=["target_key", "subject"])
    appeals = ReviewItem.objects.filter(kind="appeal", sanction__isnull=False)
    for item in appeals.select_related("sanction"):
        item.recused_user_id = item.sanction.created_by_id
        item.save(update_fields=["recused_user"])


def restore_targets(apps, schema_editor):
    Report = apps.get_model("peergroups", "Report")
    for report in Report.objects.iterator():
        kind, pk = report.target_key.split(":")[:2]
        if kind == "post":
            report.post_id, report.subject_id = int(pk), None
        elif kind == "chat":
            report.chat_message_id, report.subject_id = int(pk), None
        report.save()
    ReviewItem = apps.get_model("peergroups", "ReviewItem")
    fields = {"post": "post_id", "chat": "chat_message_id", "membership": "membership_id",
              "sanction": "sanction_id"}  # fmt: skip
    for item in ReviewItem.objects.iterator():
        kind, pk = item.target_key.split(":")[:2]
        if kind in fields:
            setattr(item, fields[kind], int(pk))
            item.save()


class Migration(migrations.Migration):

    dependencies = [
        ('peergroups', '0009_support_and_notices'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='report',
            name='one_report_per_reporter',
        ),
        migrations.RemoveConstraint(
            model_name='report',
            name='one_chat_report_per_reporter',
        ),
        migrations.RemoveConstraint(
            model_name='report',
            name='one_member_report_per_reporter',
        ),
        migrations.RemoveConstraint(
            model_name='report',
            name='report_has_a_target',
        ),
        migrations.RemoveIndex(
            model_name='report',
            name='peergroups__post_id_0f3513_idx',
        ),
        migrations.RenameField(
            model_name='report',
            old_name='reported_user',
            new_name='subject',
        ),
        migrations.AddField(
            model_name='report',
            name='target_key',
            field=models.CharField(default='', max_length=60),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='reviewitem',
            name='recused_user',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(fill_targets, restore_targets),
    ]
