"""The moderation app takes its models over from the groups app (label peergroups). The
tables and their rows stay where they are: each model keeps its table name, so this
changes only Django's state, and the content types (admin history, permissions) follow."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


MODELS = ['appeal']


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="peergroups", model__in=MODELS).update(
        app_label="moderation"
    )


def return_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="moderation", model__in=MODELS).update(
        app_label="peergroups"
    )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('peergroups', '0012_apps_of_their_own'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='Appeal',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('message', models.TextField(max_length=2000, verbose_name='your appeal')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('sanction', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='appeal', to='peergroups.sanction')),
                ],
                options={
                    'db_table': 'peergroups_appeal',
                },
            ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, return_content_types),
    ]
