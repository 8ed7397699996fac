from django.db import migrations
from django.utils.text import slugify

TOPICS = [
    "Alcohol", "Opioids", "Stimulants", "Cannabis", "Benzodiazepines", "Gambling",
    "Depression", "Anxiety", "Trauma & PTSD", "Bipolar disorder", "Psychosis",
    "Eating disorders", "Self-harm", "Medication-assisted treatment", "Family & friends",
    "LGBTQ+", "Women", "Men", "Veterans", "Young adults", "Parents", "Relapse & lapses",
    "Newcomers",
]  # fmt: skip


def add_topics(apps, schema_editor):
    Topic = apps.get_model("peergroups", "Topic")
    for position, name in enumerate(TOPICS):
        slug = slugify(name.replace("&", "and").replace("+", "plus"))
        Topic.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("peergroups", "0001_initial")]
    operations = [migrations.RunPython(add_topics, migrations.RunPython.noop)]
