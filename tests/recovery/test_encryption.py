"""Recovery data is encrypted at rest: a database dump alone does not reveal it, keys
can be rotated, and Django admin shows only that it exists and its size."""

import datetime

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from recovery.models import CheckIn, Goal, SafetyPlan, Stretch
from recovery.services import checkins, plans
from recovery.services import goals as goal_services
from tests.factories import make_staff, make_user, signed_in

pytestmark = pytest.mark.django_db

SECRET_NOTE = "Told nobody about Tuesday night"
SECRET_GOAL = "Stop the pills my cousin gives me"
SECRET_PLAN = "Call Aunt Mireille on 0123 456"


def raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column}::text FROM {table} WHERE {column} IS NOT NULL")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def private_data(db):
    member = make_user()
    three_days_ago = timezone.localdate() - datetime.timedelta(days=3)
    goal = goal_services.goal_create(acting_user=member, kind="own_words", words=SECRET_GOAL,
                                     started_on=three_days_ago)  # fmt: skip
    goal_services.goal_restart(acting_user=member, goal=goal, slipped_on=timezone.localdate(),
                               note=SECRET_NOTE)  # fmt: skip
    checkins.check_in_save(acting_user=member, mood=1, craving=9, sleep_hours=3.5,
                           tags=["lonely"], note=SECRET_NOTE)  # fmt: skip
    plans.safety_plan_save(acting_user=member, sections={"people_to_ask": SECRET_PLAN})
    return member


def test_no_column_holds_the_plaintext_of_what_a_member_wrote(private_data):
    columns = [("recovery_goal", "details"), ("recovery_stretch", "restart_note"),
               ("recovery_checkin", "answers"), ("recovery_safetyplan", "sections")]  # fmt: skip
    for table, column in columns:
        values = raw(table, column)
        assert values, (table, column)
        for value in values:
            for secret in (SECRET_NOTE, SECRET_GOAL, SECRET_PLAN, "lonely", "mood", "own_words"):
                assert secret not in value
            assert value.startswith("gAAAA")  # a Fernet token
    # ...and the app reads it back.
    assert CheckIn.objects.get(owner=private_data).answers["note"] == SECRET_NOTE
    assert SafetyPlan.objects.get(owner=private_data).sections["people_to_ask"] == SECRET_PLAN


def test_the_whole_database_dumped_as_text_does_not_reveal_it(private_data):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT string_agg(t::text, ' ') FROM recovery_goal t UNION ALL "
            "SELECT string_agg(t::text, ' ') FROM recovery_stretch t UNION ALL "
            "SELECT string_agg(t::text, ' ') FROM recovery_checkin t UNION ALL "
            "SELECT string_agg(t::text, ' ') FROM recovery_safetyplan t"
        )
        dump = " ".join(row[0] or "" for row in cursor.fetchall())
    assert SECRET_NOTE not in dump and SECRET_GOAL not in dump and SECRET_PLAN not in dump


def test_rotating_the_key_reencrypts_everything_so_the_old_key_can_be_dropped(
    private_data, settings
):
    old_key = settings.RECOVERY_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    before = raw("recovery_checkin", "answers")
    # Step 1 (README): put the new key first; the old one still decrypts.
    settings.RECOVERY_ENCRYPTION_KEYS = [new_key, old_key]
    assert CheckIn.objects.get(owner=private_data).answers["mood"] == 1
    # Step 2: re-encrypt every row with the newest key.
    call_command("recovery_reencrypt", stdout=open("/dev/null", "w"))  # noqa: SIM115
    after = raw("recovery_checkin", "answers")
    assert after != before
    Fernet(new_key.encode()).decrypt(after[0].encode())
    with pytest.raises(InvalidToken):
        Fernet(old_key.encode()).decrypt(after[0].encode())
    # Step 3: drop the old key; everything still reads.
    settings.RECOVERY_ENCRYPTION_KEYS = [new_key]
    assert CheckIn.objects.get(owner=private_data).answers["note"] == SECRET_NOTE
    assert Goal.objects.get(owner=private_data).name == SECRET_GOAL
    assert Stretch.objects.exclude(restart_note=None).get().restart_note["note"] == SECRET_NOTE
    assert SafetyPlan.objects.get(owner=private_data).sections["people_to_ask"] == SECRET_PLAN


def test_without_the_key_the_data_cannot_be_read(private_data, settings):
    settings.RECOVERY_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(InvalidToken):
        CheckIn.objects.get(owner=private_data)


def test_django_admin_shows_that_recovery_data_exists_and_its_size_never_its_content(
    private_data,
):
    staff = signed_in(make_staff())
    for model in (Goal, CheckIn, SafetyPlan):
        name = model._meta.model_name
        listing = staff.get(reverse(f"admin:recovery_{name}_changelist"))
        assert listing.status_code == 200
        assert "bytes" in listing.text
        row = model.objects.get(owner=private_data)
        detail = staff.get(reverse(f"admin:recovery_{name}_change", args=[row.pk]))
        assert detail.status_code == 200
        assert "bytes" in detail.text
        for page in (listing, detail):
            for secret in (SECRET_NOTE, SECRET_GOAL, SECRET_PLAN, "lonely", "gAAAA"):
                assert secret not in page.text
        add = staff.get(reverse(f"admin:recovery_{name}_add"))
        assert add.status_code == 403
        changed = staff.post(reverse(f"admin:recovery_{name}_change", args=[row.pk]), {})
        assert changed.status_code == 403
        deleted = staff.post(reverse(f"admin:recovery_{name}_delete", args=[row.pk]),
                             {"post": "yes"})  # fmt: skip
        assert deleted.status_code == 403
        assert model.objects.filter(pk=row.pk).exists()
