"""The chat app takes its models over from the groups app (label peergroups). The
tables and their rows stay where they are: each model keeps its table name, so this
changes only Django's state, and the content types (admin history, permissions) follow."""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


MODELS = ['chatroom', 'chatmessage']


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="peergroups", model__in=MODELS).update(
        app_label="chat"
    )


def return_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="chat", model__in=MODELS).update(
        app_label="peergroups"
    )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('peergroups', '0012_apps_of_their_own'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='ChatRoom',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('members', 'Group chat'), ('leaders', "Leaders' room")], default='members', max_length=10)),
                    ('last_seq', models.PositiveBigIntegerField(default=0)),
                    ('slow_mode_seconds', models.PositiveIntegerField(default=0, verbose_name='slow mode (seconds)')),
                    ('locked_at', models.DateTimeField(blank=True, null=True)),
                    ('group', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rooms', to='peergroups.group')),
                ],
                options={
                    'db_table': 'peergroups_chatroom',
                },
            ),
            migrations.CreateModel(
                name='ChatMessage',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('seq', models.PositiveBigIntegerField()),
                    ('client_msg_id', models.UUIDField(default=uuid.uuid4)),
                    ('body', models.TextField(max_length=2000)),
                    ('state', models.CharField(choices=[('published', 'Published'), ('deleted', 'Deleted by a peer leader')], default='published', max_length=10)),
                    ('is_notice', models.BooleanField(default=False)),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('deleted_at', models.DateTimeField(blank=True, null=True)),
                    ('deleted_reason', models.TextField(blank=True)),
                    ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('room', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='messages', to='chat.chatroom')),
                ],
                options={
                    'db_table': 'peergroups_chatmessage',
                },
            ),
            migrations.AddConstraint(
                model_name='chatroom',
                constraint=models.UniqueConstraint(fields=('group', 'kind'), name='one_room_of_each_kind'),
            ),
            migrations.AddIndex(
                model_name='chatmessage',
                index=models.Index(fields=['room', '-seq'], name='peergroups__room_id_4af9df_idx'),
            ),
            migrations.AddIndex(
                model_name='chatmessage',
                index=models.Index(fields=['author', '-created_at'], name='peergroups__author__bd659e_idx'),
            ),
            migrations.AddConstraint(
                model_name='chatmessage',
                constraint=models.UniqueConstraint(fields=('room', 'seq'), name='one_message_per_seq'),
            ),
            migrations.AddConstraint(
                model_name='chatmessage',
                constraint=models.UniqueConstraint(fields=('author', 'client_msg_id'), name='one_message_per_client_id'),
            ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, return_content_types),
    ]
