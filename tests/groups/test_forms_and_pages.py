"""Bad input keeps what was typed and explains itself kindly; confirmation pages
confirm; member-written Markdown is rendered and sanitized."""

import html
import re

import pytest
from django.urls import reverse

from groups.models import Group, Invite, Membership
from groups.services import memberships as services
from tests.factories import add_member, make_group, make_staff, make_user

pytestmark = pytest.mark.django_db

State = Membership.State
Role = Membership.Role


def submit(client, url: str, data: dict, **kwargs):
    """Post a form as a browser does: the page's CSRF token always comes along, so a
    form whose only field is an unticked checkbox still arrives as a submission."""
    page = client.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, f"no form at {url}"
    return client.post(url, {"csrfmiddlewaretoken": token.group(1), **data}, **kwargs)


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def error_summary(response) -> str:
    """The GOV.UK-style error summary at the top of the form, as plain text."""
    match = re.search(r'<div class="error-summary" role="alert".*?</div>', response.text, re.S)
    assert match, "no error summary on the page"
    return html.unescape(re.sub(r"<[^>]+>", " ", match.group(0)))


def textarea_value(response, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', response.text, re.S)
    assert match, f"no textarea {name}"
    # Django writes a newline after the opening tag, which browsers drop.
    return html.unescape(match.group(1)).removeprefix("\n")


def input_value(response, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', response.text)
    assert tag, f"no input {name}"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else None


def is_checked(response, name: str) -> bool:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', response.text)
    assert tag, f"no input {name}"
    return " checked" in tag.group(0)


def field_has_error(response, field_id: str) -> bool:
    return f'id="{field_id}_error"' in response.text


@pytest.fixture
def owner(db):
    return make_user(display_name="Owner Ona")


@pytest.fixture
def open_group(owner):
    return make_group(name="Sunrise Circle", owner=owner, rules="Be kind. **No** dosing advice.")


@pytest.fixture
def request_group(owner):
    return make_group(
        name="Harbour Room", visibility=Group.Visibility.PRIVATE,
        join_policy=Group.JoinPolicy.REQUEST, owner=owner,
    )  # fmt: skip


# Joining and asking


def test_joining_without_ticking_the_rules_box_explains_why_and_creates_nothing(
    member_client, member, open_group
):
    response = submit(member_client, reverse("groups:join", args=[open_group.slug]), {})
    assert response.status_code == 200
    assert "Please read and accept the group's rules to join." in error_summary(response)
    assert 'href="#id_accept_rules"' in response.text
    assert field_has_error(response, "id_accept_rules")
    # The rules are still there to read.
    assert "<strong>No</strong> dosing advice." in response.text
    assert not Membership.objects.filter(user=member).exists()


def test_ticking_the_rules_box_joins_and_welcomes(member_client, member, open_group):
    response = submit(
        member_client, reverse("groups:join", args=[open_group.slug]), {"accept_rules": "on"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("groups:welcome", args=[open_group.slug])
    assert Membership.objects.get(user=member, group=open_group).is_active


def test_a_request_message_over_1000_characters_is_refused_and_kept(
    member_client, member, request_group
):
    message = ("I have been sober for ninety days and would like company. " * 20)[:1001]
    assert len(message) == 1001
    response = submit(
        member_client,
        reverse("groups:request", args=[request_group.slug]),
        {"message": message, "accept_rules": "on"},
    )
    assert response.status_code == 200
    summary = error_summary(response)
    assert "at most 1000 characters" in summary
    assert "it has 1001" in summary
    assert field_has_error(response, "id_message")
    assert textarea_value(response, "message") == message
    assert is_checked(response, "accept_rules")
    assert not Membership.objects.filter(user=member).exists()


def test_a_request_without_the_rules_ticked_keeps_the_message(member_client, member, request_group):
    response = submit(
        member_client,
        reverse("groups:request", args=[request_group.slug]),
        {"message": "Hello, it's me."},
    )
    assert response.status_code == 200
    assert "Please read and accept the group's rules to join." in error_summary(response)
    assert textarea_value(response, "message") == "Hello, it's me."
    assert not Membership.objects.filter(user=member).exists()


def test_a_request_of_exactly_1000_characters_is_sent(member_client, member, request_group):
    message = "x" * 1000
    response = submit(
        member_client,
        reverse("groups:request", args=[request_group.slug]),
        {"message": message, "accept_rules": "on"},
    )
    assert response.status_code == 302
    asked = Membership.objects.get(user=member, group=request_group)
    assert (asked.state, asked.request_message) == (State.REQUESTED, message)
    detail = page_text(member_client.get(response["Location"]))
    assert "Your request is sent." in detail
    assert "Your request to join is waiting for a peer leader." in detail


# Creating and editing groups


def create_data(**overrides) -> dict:
    data = {
        "name": "Tuesday Talks",
        "slug": "tuesday-talks",
        "short_description": "A weekly check-in for parents in recovery.",
        "visibility": Group.Visibility.PUBLIC,
        "join_policy": Group.JoinPolicy.OPEN,
        "about": "We talk on Tuesdays.",
        "rules": "Be kind.",
        "welcome_message": "Welcome!",
    }
    return data | overrides


@pytest.fixture
def staff_client(client):
    client.force_login(make_staff(display_name="Staff Stella"))
    return client


def test_a_group_with_the_reserved_address_new_is_refused_and_the_form_kept(staff_client):
    response = submit(staff_client, reverse("groups:create"), create_data(slug="new"))
    assert response.status_code == 200
    assert "That address is kept for the site. Please choose another." in error_summary(response)
    assert field_has_error(response, "id_slug")
    assert input_value(response, "name") == "Tuesday Talks"
    assert input_value(response, "slug") == "new"
    assert textarea_value(response, "about") == "We talk on Tuesdays."
    assert not Group.objects.filter(name="Tuesday Talks").exists()


def test_a_group_with_an_address_already_taken_is_refused_and_the_form_kept(staff_client):
    make_group(name="Tuesday Talks")
    response = submit(
        staff_client, reverse("groups:create"), create_data(name="Other Tuesday Talks")
    )
    assert response.status_code == 200
    assert "Group with this Web address already exists." in error_summary(response)
    assert field_has_error(response, "id_slug")
    assert input_value(response, "name") == "Other Tuesday Talks"
    assert not Group.objects.filter(name="Other Tuesday Talks").exists()


def test_a_hidden_group_that_anyone_could_join_is_a_form_error_not_a_crash(staff_client):
    response = submit(
        staff_client,
        reverse("groups:create"),
        create_data(visibility=Group.Visibility.HIDDEN, join_policy=Group.JoinPolicy.OPEN),
    )
    assert response.status_code == 200
    assert "A hidden group can only be joined by invitation." in error_summary(response)
    assert input_value(response, "name") == "Tuesday Talks"
    assert not Group.objects.filter(slug="tuesday-talks").exists()


def test_a_trusted_member_s_proposal_waits_and_says_so(client):
    trusted = make_user(display_name="Trusted Tomas", is_trusted=True)
    client.force_login(trusted)
    response = submit(client, reverse("groups:create"), create_data(), follow=True)
    assert response.status_code == 200
    text = page_text(response)
    assert "An administrator will look at your proposal" in text
    assert "This group is a proposal." in text
    group = Group.objects.get(slug="tuesday-talks")
    assert group.status == Group.Status.PROPOSED


def edit_data(group, **overrides) -> dict:
    data = {
        "name": group.name,
        "short_description": group.short_description,
        "visibility": group.visibility,
        "join_policy": group.join_policy,
        "about": group.about,
        "rules": group.rules,
        "welcome_message": group.welcome_message,
    }
    return data | overrides


def test_the_owner_making_an_open_group_hidden_gets_a_form_error_not_a_crash(
    client, owner, open_group
):
    client.force_login(owner)
    response = submit(
        client,
        reverse("groups:edit", args=[open_group.slug]),
        edit_data(open_group, visibility=Group.Visibility.HIDDEN, about="Changed words."),
    )
    assert response.status_code == 200
    assert "A hidden group can only be joined by invitation." in error_summary(response)
    assert textarea_value(response, "about") == "Changed words."
    open_group.refresh_from_db()
    assert open_group.visibility == Group.Visibility.PUBLIC
    assert open_group.about == ""


def test_a_leader_s_edit_form_ignores_a_forged_change_of_name_or_access(client, open_group):
    leader = make_user(display_name="Leader Lina")
    add_member(open_group, leader, role=Role.LEADER)
    client.force_login(leader)
    response = submit(client, reverse("groups:edit", args=[open_group.slug]),
        edit_data(
            open_group, name="Taken Over", visibility=Group.Visibility.PRIVATE,
            join_policy=Group.JoinPolicy.REQUEST, about="New words.",
        ),
    )  # fmt: skip
    assert response.status_code == 302
    open_group.refresh_from_db()
    assert open_group.name == "Sunrise Circle"
    assert open_group.visibility == Group.Visibility.PUBLIC
    assert open_group.join_policy == Group.JoinPolicy.OPEN
    assert open_group.about == "New words."


def test_saving_the_edit_form_unchanged_writes_no_log_row(client, owner, open_group):
    client.force_login(owner)
    response = submit(client, reverse("groups:edit", args=[open_group.slug]), edit_data(open_group))
    assert response.status_code == 302
    rows = list(open_group.moderation_log.values_list("action", "details"))
    assert rows == [], rows


# Leaders' forms


def test_an_invite_link_for_no_one_is_refused(client, owner, open_group):
    client.force_login(owner)
    response = submit(
        client,
        reverse("groups:invites", args=[open_group.slug]),
        {"expires_in_days": "30", "max_uses": "0"},
    )
    assert response.status_code == 200
    assert "greater than or equal to 1" in error_summary(response)
    assert field_has_error(response, "id_max_uses")
    assert input_value(response, "max_uses") == "0"
    assert re.search(r'<option value="30" selected>', response.text)
    assert not Invite.objects.filter(group=open_group).exists()


def test_an_invite_link_is_created_and_listed(client, owner, open_group):
    client.force_login(owner)
    response = submit(
        client,
        reverse("groups:invites", args=[open_group.slug]),
        {"expires_in_days": "7", "max_uses": "3"},
        follow=True,
    )
    invite = Invite.objects.get(group=open_group)
    assert invite.max_uses == 3
    assert reverse("groups:invite_accept", args=[invite.token]) in response.text
    assert "A new invite link is ready." in page_text(response)


def test_removing_a_member_without_a_reason_asks_for_one(client, owner, open_group):
    target = add_member(open_group, make_user(display_name="Target Tam"))
    client.force_login(owner)
    url = reverse("groups:member_action", args=[open_group.slug, target.pk, "remove"])
    response = submit(client, url, {"reason": "  "})
    assert response.status_code == 200
    assert "Please give a reason: the member will see it." in error_summary(response)
    target.refresh_from_db()
    assert target.state == State.ACTIVE


def test_a_decline_reason_that_is_too_long_is_not_silently_dropped(client, owner, request_group):
    requester = make_user(display_name="Asking Ari")
    asked = services.membership_request(
        acting_user=requester, group=request_group, message="", accepted_rules=True
    )
    client.force_login(owner)
    reason = "Please ask again when the group reopens. " * 30
    assert len(reason) > 1000
    response = client.post(
        reverse("groups:request_decide", args=[request_group.slug, asked.pk, "decline"]),
        {"reason": reason},
        follow=True,
    )
    asked.refresh_from_db()
    # The leader wrote a reason for the requester: the request must not be declined
    # without it; it waits while the leader is told about the limit.
    assert (asked.state, asked.decision_reason) == (State.REQUESTED, "")
    text = page_text(response)
    assert "The request is declined." not in text
    assert "1000" in text or "1,000" in text


# Leaving


def test_leaving_asks_first_then_leaves_on_confirmation(member_client, member, open_group):
    add_member(open_group, member)
    url = reverse("groups:leave", args=[open_group.slug])

    confirm = member_client.get(url)
    assert confirm.status_code == 200
    text = page_text(confirm)
    assert "<title>Leave Sunrise Circle · peersupport</title>" in text
    assert "Leave Sunrise Circle?" in text
    assert "What you wrote in the group stays there." in text
    assert re.search(r'<form method="post">', confirm.text)
    assert Membership.objects.get(user=member, group=open_group).is_active

    response = submit(member_client, url, {})
    assert response.status_code == 302
    assert response["Location"] == reverse("groups:directory")
    left = Membership.objects.get(user=member, group=open_group)
    assert left.state == State.LEFT
    after = page_text(member_client.get(response["Location"]))
    assert "You have left Sunrise Circle. You are welcome back any time." in after


def test_the_owner_is_told_to_hand_the_group_on_before_leaving(client, owner, open_group):
    client.force_login(owner)
    response = client.get(reverse("groups:leave", args=[open_group.slug]))
    assert response.status_code == 403
    assert "hand ownership to someone else first" in page_text(response)
    assert client.post(reverse("groups:leave", args=[open_group.slug])).status_code == 403
    assert Membership.objects.get(user=owner, group=open_group).is_active


# The welcome page


def test_the_welcome_page_renders_the_welcome_message_as_sanitized_markdown(
    member_client, member, owner
):
    group = make_group(
        name="Welcome Test",
        owner=owner,
        welcome_message=(
            "**So glad** you're here.\n\n"
            "<script>alert('welcome')</script>\n\n"
            "[Our guide](javascript:alert(1)) and [the rules](https://example.org/rules)\n\n"
            '<img src=x onerror="alert(2)">'
        ),
    )
    submit(member_client, reverse("groups:join", args=[group.slug]), {"accept_rules": "on"})
    response = member_client.get(reverse("groups:welcome", args=[group.slug]))
    assert response.status_code == 200
    body = response.text
    assert "<strong>So glad</strong>" in body
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(" in body
    assert 'href="javascript:' not in body
    assert "<img" not in body
    assert '<a href="https://example.org/rules" rel="nofollow ugc noopener noreferrer">' in body


def test_the_welcome_page_without_a_message_says_hello_kindly(member_client, owner):
    group = make_group(name="Plain Welcome", owner=owner)
    submit(member_client, reverse("groups:join", args=[group.slug]), {"accept_rules": "on"})
    text = page_text(member_client.get(reverse("groups:welcome", args=[group.slug])))
    assert "We're glad you're here." in text


def test_the_rules_acceptance_page_needs_the_box_ticked(member_client, member, open_group):
    add_member(open_group, member, accepted_rules_version=0)
    url = reverse("groups:accept_rules", args=[open_group.slug])
    response = submit(member_client, url, {})
    assert response.status_code == 200
    assert "Please read and accept the group's rules" in error_summary(response)
    assert Membership.objects.get(user=member, group=open_group).needs_to_accept_rules
    assert submit(member_client, url, {"accept_rules": "on"}).status_code == 302
    assert not Membership.objects.get(user=member, group=open_group).needs_to_accept_rules
