"""Display-name keys now ignore accents stacked on Latin-looking letters ("Sám" looks
like "Sam"). Recompute every stored key; where two existing members would now share
one, the later keeps its old key (nobody is renamed), and new names are checked
against the new keys."""

from django.db import migrations


def recompute(apps, schema_editor):
    from accounts.display_names import name_key

    User = apps.get_model("accounts", "User")
    taken = set(User.objects.exclude(display_name_key=None).values_list("display_name_key",
                                                                         flat=True))
    for user in User.objects.exclude(display_name_key=None).order_by("date_joined", "pk"):
        key = name_key(user.display_name)
        if key == user.display_name_key or key in taken:
            continue
        taken.discard(user.display_name_key)
        taken.add(key)
        user.display_name_key = key
        user.save(update_fields=["display_name_key"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_presence_opt_in")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
