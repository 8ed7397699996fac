"""Email for what matters when a member is away, sent by the real background worker:
discreet subjects and bodies (never a group's name or anything said), the member's
choice per kind, quiet hours in their own time zone (urgent items excepted if a leader
wants), a daily or weekly summary, and a second email to every leader about an urgent
item nobody has claimed."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from groups.models import Group, Notification, ReviewItem
from groups.services import memberships, notification_email, notifications
from groups.tasks import digests_enqueue
from moderation.services.escalation import remind_leaders_of_unclaimed
from tests.factories import Community, person, report_post, signed_in
from tests.worker import mails_in, run_worker_batch

Kind = Notification.Kind


def queued_mail():
    return [
        row.args_kwargs["kwargs"]
        for row in DBTaskResult.objects.filter(task_path="accounts.tasks.email_send")
    ]


def named(world, name: str):
    Group.objects.filter(pk=world.group.pk).update(name=name)
    world.group.refresh_from_db()
    return world


def decline(world, asker):
    Group.objects.filter(pk=world.group.pk).update(join_policy=Group.JoinPolicy.REQUEST)
    world.group.refresh_from_db()
    membership = memberships.membership_request(acting_user=asker, group=world.group,
                                                accepted_rules=True, message="")  # fmt: skip
    memberships.membership_decline(acting_user=world.leader, membership=membership,
                                   reason="Not this time.")  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_declined_request_is_emailed_by_the_worker_without_naming_the_group(tmp_path):
    world = named(Community(), "Night Owls Opioid Recovery")
    asker = person("Away Today")
    decline(world, asker)
    [mail] = queued_mail()
    assert mail["subject"] == "You have new activity on peersupport"

    done = run_worker_batch(tmp_path)

    assert done.returncode == 0, done.stderr
    [message] = [m for m in mails_in(tmp_path) if m["To"] == asker.email]
    text = message["Subject"] + message.get_payload()
    for secret in (world.group.name, "Opioid", "Not this time"):
        assert secret not in text
    assert "http://127.0.0.1:8000/notifications/" in text
    unfolded = "".join(message["List-Unsubscribe"].split())  # a long header may be folded
    assert unfolded.startswith("<http://127.0.0.1:8000/account/unsubscribe/")


@pytest.mark.django_db
def test_replies_stay_on_the_bell_unless_the_member_asks_for_email(
    django_capture_on_commit_callbacks,
):
    world = Community()
    thread = world.start(world.member)
    with django_capture_on_commit_callbacks(execute=True):
        world.reply(thread, world.other, "Hello.")
    assert queued_mail() == []
    User.objects.filter(pk=world.member.pk).update(notification_choices={Kind.REPLY: "email"})
    with django_capture_on_commit_callbacks(execute=True):
        world.reply(thread, world.leader, "Hello too.")
    assert len(queued_mail()) == 1


@pytest.mark.django_db
def test_an_unsubscribed_member_gets_no_email(django_capture_on_commit_callbacks):
    world = Community()
    asker = person("Quiet Please")
    User.objects.filter(pk=asker.pk).update(email_unsubscribed_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        decline(world, asker)
    assert queued_mail() == []


@pytest.mark.django_db
def test_quiet_hours_in_the_members_time_zone_hold_email_until_they_end():
    member = person("Night Sleeper")
    User.objects.filter(pk=member.pk).update(
        time_zone="Asia/Tokyo", quiet_from=datetime.time(22), quiet_until=datetime.time(7)
    )
    member.refresh_from_db()
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    late = datetime.datetime(2026, 12, 7, 23, 30, tzinfo=tokyo)
    assert notification_email.quiet_until(member, late) == datetime.datetime(
        2026, 12, 8, 7, 0, tzinfo=tokyo
    )
    assert notification_email.quiet_until(member, late.replace(hour=12)) is None

    note = notifications.notify(user_ids=[member.pk], kind=Kind.WARNING, link="/")[0]
    Notification.objects.filter(pk=note.pk).update(emailed_at=None)
    notification_email.schedule([note.pk], now=late)
    task = DBTaskResult.objects.filter(task_path="accounts.tasks.email_send").latest("enqueued_at")
    assert task.run_after == datetime.datetime(2026, 12, 8, 7, 0, tzinfo=tokyo)


@pytest.mark.django_db
def test_a_leader_is_emailed_again_about_an_urgent_item_nobody_claimed_but_only_once(
    django_capture_on_commit_callbacks,
):
    world = Community()
    thread = world.start(world.member)
    with django_capture_on_commit_callbacks(execute=True):
        report_post(thread.posts.get(), world.other, reason="risk")
    item = ReviewItem.objects.get()
    first = len(queued_mail())  # the urgent item itself, by the leaders' default choice
    assert first == 2  # the leader and the owner

    soon = item.created_at + datetime.timedelta(minutes=1)
    later = item.created_at + datetime.timedelta(minutes=4)
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_leaders_of_unclaimed(now=soon) == []
        assert remind_leaders_of_unclaimed(now=later) == [item]
        assert remind_leaders_of_unclaimed(now=later) == []
    mails = queued_mail()[first:]
    assert len(mails) == 2
    assert {m["subject"] for m in mails} == {"Something in your peersupport queue needs a look"}
    assert world.group.name not in mails[0]["body"]


@pytest.mark.django_db(transaction=True)
def test_the_real_worker_builds_a_daily_summary_with_no_group_name_in_it(tmp_path):
    world = named(Community(), "Gambling Recovery Circle")
    User.objects.filter(pk=world.member.pk).update(digest="daily", time_zone="Europe/Lisbon")
    thread = world.start(world.member, title="Bad night at the casino")
    world.reply(thread, world.other, "Been there.")
    world.reply(thread, world.leader, "Proud of you for posting.")
    eight = datetime.datetime(2026, 12, 7, 8, 5, tzinfo=zoneinfo.ZoneInfo("Europe/Lisbon"))

    assert digests_enqueue(now=eight) == 1
    assert digests_enqueue(now=eight) == 0  # once a day
    done = run_worker_batch(tmp_path)

    assert done.returncode == 0, done.stderr
    [summary] = [m for m in mails_in(tmp_path) if m["Subject"] == "Your peersupport summary"]
    assert summary["To"] == world.member.email
    body = summary.get_payload()
    assert "You have 2 unread notifications on peersupport." in body
    for secret in ("Gambling", world.group.name, "casino", "Proud of you"):
        assert secret not in summary["Subject"] + body


@pytest.mark.django_db
def test_the_settings_page_saves_choices_and_explains_a_half_filled_quiet_time():
    member = person("Choosy Wren")
    client = signed_in(member)
    url = reverse("forum:notification_settings")
    page = client.get(url).text
    assert "A reply to your thread" in page
    assert "An urgent item in your queue" not in page  # only leaders see the queue's kinds

    form = {"email_on": "on", "digest": "weekly", "quiet_from": "22:00", "quiet_until": "",
            **{f"kind_{k}": "app" for k in Kind.values}}  # fmt: skip
    wrong = client.post(url, form)
    assert "<title>Error: What you are told" in wrong.text
    assert 'href="#id_quiet_until"' in wrong.text
    assert "Enter both times, or leave both empty." in wrong.text
    assert 'value="22:00"' in wrong.text  # nothing typed is lost

    form.update(quiet_until="07:00", kind_reply="off")
    assert client.post(url, form).status_code == 302
    member.refresh_from_db()
    assert member.notification_choices["reply"] == "off"
    assert (member.digest, member.quiet_from) == ("weekly", datetime.time(22))
