from django.db import migrations


def seed(apps, schema_editor):
    from safety.helplines import from_file

    CountryHelp = apps.get_model("safety", "CountryHelp")
    CrisisResource = apps.get_model("safety", "CrisisResource")
    for code, entry in from_file().items():
        country, created = CountryHelp.objects.get_or_create(
            code=code,
            defaults={"country_name": entry.country_name,
                      "emergency_number": entry.emergency_number},
        )  # fmt: skip
        if created:
            for position, resource in enumerate(entry.resources):
                CrisisResource.objects.create(
                    country=country, name=resource.name, detail=resource.detail,
                    phone=resource.phone, sms=resource.sms, url=resource.url, position=position,
                )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("safety", "0001_crisis_help")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
