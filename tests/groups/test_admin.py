import asyncio
import datetime

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.urls import reverse
from django.utils import timezone

from forum.services import reactions as reaction_services
from forum.services import threads as thread_services
from groups.models import Group, Membership, ModerationLogEntry, Sanction
from groups.services import groups as group_services
from groups.sockets import user_channel
from moderation.services import escalation as escalation_services
from tests.factories import add_member, make_group, make_staff, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    staff = make_staff(display_name="Site Keeper")
    client.force_login(staff)
    client.staff = staff
    return client


def test_the_moderation_log_is_read_only_in_admin(admin_client):
    owner = make_user(is_trusted=True)
    group = group_services.group_create(
        acting_user=owner, name="Calm Seas", slug="calm-seas", short_description="Calm."
    )
    entry = ModerationLogEntry.objects.get(group=group)
    change_url = reverse("admin:peergroups_moderationlogentry_change", args=[entry.pk])
    delete_url = reverse("admin:peergroups_moderationlogentry_delete", args=[entry.pk])
    assert (
        admin_client.get(reverse("admin:peergroups_moderationlogentry_changelist")).status_code
        == 200
    )
    page = admin_client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    assert admin_client.post(change_url, {"reason": "rewritten"}).status_code == 403
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert admin_client.get(reverse("admin:peergroups_moderationlogentry_add")).status_code == 403
    entry.refresh_from_db()
    assert entry.reason == ""
    assert ModerationLogEntry.objects.filter(pk=entry.pk).exists()


def test_no_admin_user_has_change_or_delete_permission_on_the_log(admin_client, rf):
    from django.contrib.admin.sites import site

    model_admin = site._registry[ModerationLogEntry]
    request = rf.get("/")
    request.user = admin_client.staff
    assert request.user.is_superuser
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert not model_admin.has_add_permission(request)


def test_admins_approve_proposed_groups_with_an_action(admin_client):
    proposer = make_user(is_trusted=True)
    group = group_services.group_create(
        acting_user=proposer, name="New Dawn", slug="new-dawn", short_description="Dawn."
    )
    assert group.status == Group.Status.PROPOSED
    response = admin_client.post(
        reverse("admin:peergroups_group_changelist"),
        {"action": "approve_proposals", "_selected_action": [group.pk]},
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.status == Group.Status.ACTIVE
    assert ModerationLogEntry.objects.filter(
        group=group, action=ModerationLogEntry.Action.GROUP_APPROVED, actor=admin_client.staff
    ).exists()


def test_a_membership_cannot_be_edited_directly_in_admin(admin_client):
    group = make_group(owner=make_user())
    membership = add_member(group, make_user(display_name="Someone Here"))
    url = reverse("admin:peergroups_membership_change", args=[membership.pk])
    assert "Someone Here" in admin_client.get(url).text  # it can be looked at
    response = admin_client.post(url, {"role": "leader", "state": "banned"})
    assert response.status_code == 403
    membership.refresh_from_db()
    assert (membership.role, membership.state) == ("member", "active")


def test_admin_appoints_leaders_through_the_service_which_logs_it_and_tells_the_sockets(
    admin_client, django_capture_on_commit_callbacks, settings
):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    group = make_group(owner=make_user())
    membership = add_member(group, make_user(display_name="Someone Here"))
    layer = get_channel_layer()
    socket = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_channel(membership.user_id), socket)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:peergroups_membership_changelist"),
            {"action": "appoint_leaders", "_selected_action": [membership.pk]},
        )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Membership.Role.LEADER
    entry = ModerationLogEntry.objects.get(action=ModerationLogEntry.Action.LEADER_APPOINTED)
    assert (entry.actor, entry.target_user) == (admin_client.staff, membership.user)
    told = async_to_sync(asyncio.wait_for)(layer.receive(socket), timeout=2)
    assert told["type"] == "access.changed"


def test_admin_lists_and_searches_groups_and_memberships(admin_client):
    group = make_group(name="Searchable Group", owner=make_user(display_name="Findable Owner"))
    groups_page = admin_client.get(
        reverse("admin:peergroups_group_changelist"), {"q": "Searchable"}
    )
    assert "Searchable Group" in groups_page.text
    members_page = admin_client.get(
        reverse("admin:peergroups_membership_changelist"), {"q": "Findable"}
    )
    assert "Findable Owner" in members_page.text
    assert (
        admin_client.get(reverse("admin:peergroups_group_change", args=[group.pk])).status_code
        == 200
    )


def test_changing_rules_in_admin_asks_members_to_accept_them_again(admin_client):
    group = make_group(owner=make_user())
    member = add_member(group, make_user())
    url = reverse("admin:peergroups_group_change", args=[group.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {
        name: form.initial[name]
        for name in form.fields
        if form.initial.get(name) not in (None, "") and name != "topics"
    }
    data["rules"] = "Be kind. Stay on the platform."
    data["last_activity_at_0"] = timezone.localtime(group.last_activity_at).strftime("%Y-%m-%d")
    data["last_activity_at_1"] = timezone.localtime(group.last_activity_at).strftime("%H:%M:%S")
    data |= {
        "memberships-TOTAL_FORMS": 2, "memberships-INITIAL_FORMS": 2,
        "memberships-MIN_NUM_FORMS": 0, "memberships-MAX_NUM_FORMS": 1000,
        "memberships-0-id": Membership.objects.get(group=group, role="owner").pk,
        "memberships-0-group": group.pk,
        "memberships-1-id": member.pk, "memberships-1-group": group.pk,
    }  # fmt: skip
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    group.refresh_from_db()
    member.refresh_from_db()
    assert group.rules_version == 2
    assert member.needs_to_accept_rules
    assert ModerationLogEntry.objects.filter(
        group=group, action=ModerationLogEntry.Action.RULES_CHANGED
    ).exists()


def test_admins_suspend_a_member_site_wide_from_admin(admin_client):
    member = make_user(display_name="Loud Voice")
    until = timezone.localtime(timezone.now() + datetime.timedelta(days=3))
    response = admin_client.post(
        reverse("admin:peergroups_sanction_add"),
        {"user": member.pk, "kind": "suspension", "reason": "Repeated sourcing offers.",
         "staff_note": "", "ends_at_0": until.strftime("%Y-%m-%d"),
         "ends_at_1": until.strftime("%H:%M:%S")},
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    member.refresh_from_db()
    assert member.is_suspended
    assert ModerationLogEntry.objects.filter(
        action=ModerationLogEntry.Action.MEMBER_SUSPENDED, target_user=member
    ).exists()


def test_group_sanctions_are_not_added_in_admin(admin_client):
    member = make_user()
    response = admin_client.post(
        reverse("admin:peergroups_sanction_add"),
        {"user": member.pk, "kind": "mute", "reason": "x", "staff_note": ""},
    )
    assert response.status_code == 200
    assert "moderation queue" in response.text
    assert not Sanction.objects.exists()


def test_escalated_items_are_listed_first_in_admin(admin_client):

    owner = make_user()
    group = make_group(owner=owner)
    member = make_user()
    add_member(group, member, approved_post_count=10)
    thread = thread_services.thread_create(acting_user=owner, group=group, title="T", body="Hello.")
    reply = thread_services.post_create(acting_user=member, thread=thread, body="Me too.")
    reaction_services.post_report(
        acting_user=member, post=thread.posts.get(number=1), reason="spam"
    )
    urgent = reaction_services.post_report(acting_user=owner, post=reply, reason="risk").review_item
    escalation_services.escalate_overdue(now=timezone.now() + datetime.timedelta(minutes=11))
    page = admin_client.get(reverse("admin:peergroups_reviewitem_changelist"))
    items = list(page.context["cl"].result_list)
    assert items[0] == urgent
    assert items[0].status == "escalated"
