from django.db import migrations, models


def fill_report_groups(apps, schema_editor):
    Report = apps.get_model("peergroups", "Report")
    for report in Report.objects.filter(group__isnull=True).select_related("post__thread"):
        report.group_id = report.post.thread.group_id
        report.save(update_fields=["group"])


class Migration(migrations.Migration):
    dependencies = [("peergroups", "0006_moderation_queue")]
    operations = [
        migrations.RunPython(fill_report_groups, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="report",
            name="group",
            field=models.ForeignKey(
                on_delete=models.deletion.CASCADE, related_name="+", to="peergroups.group"
            ),
        ),
    ]
