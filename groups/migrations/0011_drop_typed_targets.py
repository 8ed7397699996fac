"""The typed target columns go, now that every report and item names its target by
key (0010 carried the rows over)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('peergroups', '0010_one_target_reference'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveField(
            model_name='reviewitem',
            name='chat_message',
        ),
        migrations.RemoveField(
            model_name='reviewitem',
            name='post',
        ),
        migrations.RemoveField(
            model_name='reviewitem',
            name='membership',
        ),
        migrations.RemoveField(
            model_name='reviewitem',
            name='sanction',
        ),
        migrations.RemoveField(
            model_name='report',
            name='chat_message',
        ),
        migrations.RemoveField(
            model_name='report',
            name='post',
        ),
        migrations.AlterField(
            model_name='moderationlogentry',
            name='action',
            field=models.CharField(choices=[('group_created', 'created the group'), ('group_proposed', 'proposed the group'), ('group_approved', 'approved the proposed group'), ('group_edited', 'edited the group'), ('rules_changed', 'changed the group rules'), ('request_approved', 'approved a join request'), ('request_declined', 'declined a join request'), ('member_removed', 'removed a member'), ('member_banned', 'banned a member'), ('leader_appointed', 'appointed a peer leader'), ('leader_removed', 'removed a peer leader'), ('ownership_transferred', 'transferred ownership'), ('invite_created', 'created an invite link'), ('invite_revoked', 'revoked an invite link'), ('admin_changed_membership', 'changed a membership in admin'), ('thread_pinned', 'pinned a thread'), ('thread_unpinned', 'unpinned a thread'), ('thread_locked', 'locked a thread'), ('thread_unlocked', 'unlocked a thread'), ('post_approved', 'approved a held post'), ('post_rejected', 'did not approve a held post'), ('post_hidden', 'hid a post'), ('content_warning_added', 'added a content warning'), ('chat_message_deleted', 'deleted a chat message'), ('chat_slow_mode', "changed the chat's slow mode"), ('chat_locked', 'locked the chat'), ('chat_unlocked', 'unlocked the chat'), ('member_warned', 'warned a member'), ('member_muted', 'muted a member'), ('member_suspended', 'suspended a member site-wide'), ('sanction_lifted', 'lifted a sanction'), ('item_claimed', 'claimed a queue item'), ('item_released', 'released a queue item'), ('item_dismissed', 'dismissed a queue item'), ('item_escalated', 'escalated a queue item to administrators'), ('item_resolved', 'resolved a queue item')], max_length=40),
        ),
        migrations.AddIndex(
            model_name='report',
            index=models.Index(fields=['target_key', 'created_at'], name='report_target'),
        ),
        migrations.AddConstraint(
            model_name='report',
            constraint=models.UniqueConstraint(fields=('target_key', 'reporter'), name='one_report_per_target_and_reporter'),
        ),
    ]
