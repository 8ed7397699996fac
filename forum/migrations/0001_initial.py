"""The forum app takes its models over from the groups app (label peergroups). The
tables and their rows stay where they are: each model keeps its table name, so this
changes only Django's state, and the content types (admin history, permissions) follow."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


MODELS = ['thread', 'post', 'postrevision', 'reaction', 'readstate', 'notification']


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="peergroups", model__in=MODELS).update(
        app_label="forum"
    )


def return_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="forum", model__in=MODELS).update(
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
                name='Post',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('number', models.PositiveIntegerField(blank=True, null=True)),
                    ('body', models.TextField(max_length=20000, verbose_name='message')),
                    ('rendered_html', models.TextField(blank=True, editable=False)),
                    ('rendered_version', models.PositiveSmallIntegerField(default=0, editable=False)),
                    ('content_warning', models.CharField(blank=True, choices=[('', 'No content warning'), ('suicide_self_harm', 'Suicide or self-harm'), ('substance_use', 'Substance use detail'), ('relapse', 'Relapse'), ('trauma_abuse', 'Trauma or abuse'), ('eating', 'Eating'), ('other', 'Other')], default='', max_length=20, verbose_name='content warning')),
                    ('content_warning_note', models.CharField(blank=True, max_length=80, verbose_name='about the warning')),
                    ('state', models.CharField(choices=[('published', 'Published'), ('held', 'Awaiting approval'), ('rejected', 'Not approved'), ('removed_by_author', 'Removed by the author'), ('hidden', 'Hidden by a peer leader')], default='published', max_length=20)),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('edited_at', models.DateTimeField(blank=True, null=True)),
                    ('removed_at', models.DateTimeField(blank=True, null=True)),
                    ('moderation_reason', models.TextField(blank=True)),
                    ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='posts', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'post',
                    'verbose_name_plural': 'posts',
                    'db_table': 'peergroups_post',
                },
            ),
            migrations.CreateModel(
                name='PostRevision',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('body', models.TextField()),
                    ('content_warning', models.CharField(blank=True, max_length=20)),
                    ('content_warning_note', models.CharField(blank=True, max_length=80)),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('post', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='revisions', to='forum.post')),
                ],
                options={
                    'db_table': 'peergroups_postrevision',
                    'ordering': ['-created_at'],
                },
            ),
            migrations.CreateModel(
                name='Thread',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('title', models.CharField(max_length=140, verbose_name='title')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('last_activity_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('last_post_number', models.PositiveIntegerField(default=0)),
                    ('published_post_count', models.PositiveIntegerField(default=0)),
                    ('is_published', models.BooleanField(default=True)),
                    ('pinned_at', models.DateTimeField(blank=True, null=True)),
                    ('locked_at', models.DateTimeField(blank=True, null=True)),
                    ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='threads', to=settings.AUTH_USER_MODEL)),
                    ('group', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='threads', to='peergroups.group')),
                ],
                options={
                    'verbose_name': 'thread',
                    'verbose_name_plural': 'threads',
                    'db_table': 'peergroups_thread',
                },
            ),
            migrations.CreateModel(
                name='ReadState',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('last_read_number', models.PositiveIntegerField(default=0)),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('thread', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='read_states', to='forum.thread')),
                ],
                options={
                    'db_table': 'peergroups_readstate',
                },
            ),
            migrations.AddField(
                model_name='post',
                name='thread',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='posts', to='forum.thread'),
            ),
            migrations.CreateModel(
                name='Notification',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('mention', 'mentioned you'), ('reply', 'replied to your thread')], max_length=20)),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('read_at', models.DateTimeField(blank=True, null=True)),
                    ('actor', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                    ('post', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='forum.post')),
                ],
                options={
                    'db_table': 'peergroups_notification',
                    'ordering': ['-created_at'],
                    'indexes': [models.Index(condition=models.Q(('read_at__isnull', True)), fields=['user', 'created_at'], name='unread_notifications')],
                    'constraints': [models.UniqueConstraint(fields=('user', 'post', 'kind'), name='one_notification_per_post_and_kind')],
                },
            ),
            migrations.CreateModel(
                name='Reaction',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('strength', 'Sending strength'), ('me_too', 'Me too'), ('thank_you', 'Thank you'), ('proud', 'Proud of you')], max_length=20)),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('post', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reactions', to='forum.post')),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'peergroups_reaction',
                    'constraints': [models.UniqueConstraint(fields=('post', 'user', 'kind'), name='one_reaction_of_a_kind')],
                },
            ),
            migrations.AddIndex(
                model_name='thread',
                index=models.Index(models.F('group'), models.OrderBy(models.F('pinned_at'), descending=True, nulls_last=True), models.OrderBy(models.F('last_activity_at'), descending=True), name='thread_list_order'),
            ),
            migrations.AddConstraint(
                model_name='readstate',
                constraint=models.UniqueConstraint(fields=('user', 'thread'), name='one_read_state_per_thread'),
            ),
            migrations.AddIndex(
                model_name='post',
                index=models.Index(fields=['thread', 'number'], name='peergroups__thread__b1ae26_idx'),
            ),
            migrations.AddIndex(
                model_name='post',
                index=models.Index(fields=['author', 'created_at'], name='peergroups__author__3837af_idx'),
            ),
            migrations.AddIndex(
                model_name='post',
                index=models.Index(fields=['state', 'thread'], name='peergroups__state_7e7a81_idx'),
            ),
            migrations.AddConstraint(
                model_name='post',
                constraint=models.UniqueConstraint(condition=models.Q(('number__isnull', False)), fields=('thread', 'number'), name='one_post_per_number'),
            ),
            migrations.AddConstraint(
                model_name='post',
                constraint=models.CheckConstraint(condition=models.Q(models.Q(('number__isnull', True), ('state', 'held')), models.Q(('state', 'held'), _negated=True), _connector='OR'), name='held_posts_have_no_number'),
            ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, return_content_types),
    ]
