"""Threads and posts: who may do what, held posts, edits and removals, reactions,
reports, mentions and notifications, rate limits, read pointers and changed rules.

Services are called directly where an invariant is checked; pages are fetched as
the people concerned where what matters is what they see."""

import dataclasses
import datetime
import html
import re
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import F
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from forum.models import Post, PostRevision, Reaction, ReadState, Thread
from forum.selectors import POSTS_PER_PAGE
from forum.services import posts as post_services
from forum.services import reactions as reaction_services
from forum.services import threads as thread_services
from forum.services.reading import READ_POINTER_EVERY
from groups import limits
from groups.models import Group, Membership, Notification, Report
from groups.services import groups as group_services
from groups.services import memberships as membership_services
from tests.factories import Community, fresh, make_staff, person, signed_in
from tests.forum.helpers import Elements


def told():
    """Replies and mentions (leaders are told of held posts too: not these tests' subject)."""
    return Notification.objects.filter(
        kind__in=[Notification.Kind.REPLY, Notification.Kind.MENTION]
    )


pytestmark = pytest.mark.django_db

AWAITING = "Awaiting approval: only you and the group's peer leaders can see this for now."


@pytest.fixture
def thread(world):
    """A thread started by the owner, with one published post."""
    return world.start(world.owner, title="Evenings are the hardest", body="How do you cope?")


def text_of(response) -> str:
    """The page as a person reads it: entities such as &#x27; turned back into text."""
    return html.unescape(response.content.decode())


def first_post(thread) -> Post:
    return thread.posts.get(number=1)


def many_posts_allowed(monkeypatch):
    monkeypatch.setattr(limits, "REPLY", dataclasses.replace(limits.REPLY, burst=10_000))


# Who may start, reply, react


def start(world, who, thread):
    return world.start(who, title="A new thread", body="Something on my mind.")


def reply(world, who, thread):
    return world.reply(thread, who, "I hear you.")


def react(world, who, thread):
    return reaction_services.reaction_toggle(
        acting_user=who, post=first_post(thread), kind="strength"
    )


SPEAKING = {"start": start, "reply": reply, "react": react}


@pytest.mark.parametrize("action", sorted(SPEAKING))
@pytest.mark.parametrize("who", ["member", "newcomer", "leader"])
def test_members_and_leaders_start_threads_reply_and_react(world, thread, who, action):
    result = SPEAKING[action](world, getattr(world, who), thread)
    assert result


def test_staff_may_post_in_any_group(world, thread):
    staff = make_staff(label="Staff")
    post = world.reply(thread, staff, "Checking in from the site team.")
    assert post.state == Post.State.PUBLISHED


@pytest.mark.parametrize("action", sorted(SPEAKING))
def test_a_muted_member_cannot_start_threads_reply_or_react(world, thread, action):
    with pytest.raises(PermissionDenied, match="muted you in this group until"):
        SPEAKING[action](world, world.muted, thread)
    assert not Post.objects.filter(author=world.muted).exists()
    assert not Reaction.objects.filter(user=world.muted).exists()


@pytest.mark.parametrize("action", sorted(SPEAKING))
@pytest.mark.parametrize("who", ["banned", "outsider"])
def test_banned_people_and_outsiders_cannot_start_threads_reply_or_react(
    world, thread, who, action
):
    with pytest.raises(PermissionDenied) as refused:
        SPEAKING[action](world, getattr(world, who), thread)
    if who == "banned":
        assert "You have been banned from this group." in str(refused.value)
    assert not Post.objects.filter(author=getattr(world, who)).exists()


@pytest.mark.parametrize("action", sorted(SPEAKING))
def test_outsiders_of_a_hidden_group_are_told_nothing(action):
    world = Community(visibility=Group.Visibility.HIDDEN)
    thread = world.start(world.owner)
    with pytest.raises(Http404):
        SPEAKING[action](world, world.outsider, thread)


def test_a_muted_member_can_still_read_and_report_but_sees_no_reply_form(world, thread):
    client = signed_in(world.muted)
    page = client.get(world.thread_url(thread))
    assert page.status_code == 200
    assert "How do you cope?" in page.text
    assert "You are muted until" in page.text
    assert 'name="body"' not in page.text
    assert "Start a thread" not in client.get(world.threads_url()).text

    report = reaction_services.post_report(
        acting_user=world.muted, post=first_post(thread), reason="spam"
    )
    assert report.reporter == world.muted
    assert client.get(world.url("forum:report", first_post(thread).pk)).status_code == 200


@pytest.mark.parametrize("who", ["banned", "outsider"])
def test_banned_people_and_outsiders_cannot_report(world, thread, who):
    with pytest.raises(PermissionDenied):
        reaction_services.post_report(acting_user=getattr(world, who), post=first_post(thread),
                             reason="spam")  # fmt: skip
    assert not Report.objects.exists()


# Pinning and locking


@pytest.mark.parametrize("who", ["leader", "owner"])
def test_leaders_pin_a_thread_to_the_top_of_the_list(world, who):
    older = world.start(world.member, title="Older thread about sleep")
    newer = world.start(world.other, title="Newer thread about cravings")
    Thread.objects.filter(pk=older.pk).update(
        last_activity_at=timezone.now() - datetime.timedelta(days=2)
    )
    listing = signed_in(world.member).get(world.threads_url()).text
    assert listing.index(newer.title) < listing.index(older.title)

    pinned = thread_services.thread_set_pinned(
        acting_user=getattr(world, who), thread=older, pinned=True
    )

    assert pinned.is_pinned
    listing = signed_in(world.member).get(world.threads_url()).text
    assert listing.index(older.title) < listing.index(newer.title)
    assert "Pinned" in listing
    thread_services.thread_set_pinned(acting_user=getattr(world, who), thread=older, pinned=False)
    assert not Thread.objects.get(pk=older.pk).is_pinned


@pytest.mark.parametrize("who", ["member", "newcomer", "muted", "banned", "outsider"])
@pytest.mark.parametrize("change", ["pin", "lock"])
def test_only_leaders_pin_and_lock_threads(world, thread, who, change):
    with pytest.raises(PermissionDenied):
        if change == "pin":
            thread_services.thread_set_pinned(
                acting_user=getattr(world, who), thread=thread, pinned=True
            )
        else:
            thread_services.thread_set_locked(
                acting_user=getattr(world, who), thread=thread, locked=True
            )
    thread.refresh_from_db()
    assert thread.pinned_at is None
    assert thread.locked_at is None


def test_a_locked_thread_refuses_replies_with_a_message(world, thread):
    thread_services.thread_set_locked(acting_user=world.leader, thread=thread, locked=True)

    with pytest.raises(PermissionDenied, match="This thread is locked"):
        world.reply(thread, world.member, "One more thing.")

    client = signed_in(world.member)
    response = client.post(world.url("forum:reply", thread.pk), {"body": "My draft reply."})
    assert response.status_code == 400
    assert "This thread is locked, so no new replies can be added." in response.text
    assert "My draft reply." in response.text
    page = client.get(world.thread_url(thread)).text
    assert "This thread is locked. You can still read it." in page
    assert 'name="body"' not in page
    assert thread.posts.count() == 1


def test_a_locked_thread_refuses_edits_with_a_message(world, thread):
    post = world.reply(thread, world.member, "What I first wrote.")
    thread_services.thread_set_locked(acting_user=world.leader, thread=thread, locked=True)

    with pytest.raises(PermissionDenied, match="so its posts can't be edited"):
        post_services.post_edit(acting_user=world.member, post=post, body="What I wish I wrote.")

    response = signed_in(world.member).post(
        world.url("forum:post_edit", post.pk), {"body": "What I wish I wrote."}
    )
    assert response.status_code in (200, 400)
    assert "This thread is locked, so its posts can&#x27;t be edited." in response.text
    post.refresh_from_db()
    assert post.body == "What I first wrote."
    assert not post.revisions.exists()


def test_unlocking_a_thread_lets_members_reply_again(world, thread):
    thread_services.thread_set_locked(acting_user=world.leader, thread=thread, locked=True)
    thread_services.thread_set_locked(acting_user=world.owner, thread=thread, locked=False)
    assert world.reply(thread, world.member, "Back again.").number == 2


# Held posts


def test_a_new_members_first_posts_are_held_without_a_number(world, thread):
    assert world.group.held_posts_for_new_members == 2
    first = world.reply(thread, world.newcomer, "My first words here.")
    second = world.reply(thread, world.newcomer, "And my second.")
    for post in (first, second):
        post.refresh_from_db()
        assert post.state == Post.State.HELD
        assert post.number is None
        assert post.rendered_html  # ready for when it is approved


def test_held_posts_are_seen_only_by_their_author_and_the_leaders(world, thread):
    world.reply(thread, world.newcomer, "My first words here.")

    other = signed_in(world.other).get(world.thread_url(thread)).text
    assert "My first words here." not in other
    assert "Awaiting approval" not in other
    outsider = signed_in(world.outsider).get(world.thread_url(thread)).text
    assert "My first words here." not in outsider

    mine = text_of(signed_in(world.newcomer).get(world.thread_url(thread)))
    assert "My first words here." in mine
    assert AWAITING in mine

    held_page = signed_in(world.leader).get(world.url("forum:held"))
    assert "My first words here." in held_page.text
    assert signed_in(world.other).get(world.url("forum:held")).status_code == 403


def test_a_held_new_thread_is_invisible_to_other_members(world):
    thread = world.start(world.newcomer, title="My very first thread", body="Hello, I'm new.")

    assert not thread.is_published
    assert first_post_of_any_state(thread).state == Post.State.HELD
    assert signed_in(world.other).get(world.thread_url(thread)).status_code == 404
    assert "My very first thread" not in signed_in(world.other).get(world.threads_url()).text
    mine = signed_in(world.newcomer)
    assert "My very first thread" in mine.get(world.threads_url()).text
    assert AWAITING in text_of(mine.get(world.thread_url(thread)))
    assert signed_in(world.leader).get(world.thread_url(thread)).status_code == 200


def test_approving_a_held_thread_publishes_it_for_everyone(world):
    thread = world.start(world.newcomer, title="My very first thread", body="Hello, I'm new.")

    post_services.post_approve(acting_user=world.leader, post=first_post_of_any_state(thread))

    thread.refresh_from_db()
    assert thread.is_published
    assert (thread.last_post_number, thread.published_post_count) == (1, 1)
    other = signed_in(world.other)
    assert "Hello, I'm new." in text_of(other.get(world.thread_url(thread)))
    assert "My very first thread" in other.get(world.threads_url()).text
    assert not told().exists()


def first_post_of_any_state(thread) -> Post:
    return Post.objects.get(thread=thread)


def test_held_posts_notify_nobody_and_change_no_counts_or_unread_markers(world, thread):
    other = signed_in(world.other)
    other.get(world.thread_url(thread))  # read up to post 1
    before = Thread.objects.get(pk=thread.pk)
    group_activity = Group.objects.get(pk=world.group.pk).last_activity_at

    world.reply(thread, world.newcomer, f"Hello @{world.other.display_name} and everyone.")

    assert not told().exists()
    after = Thread.objects.get(pk=thread.pk)
    assert after.last_post_number == before.last_post_number == 1
    assert after.published_post_count == before.published_post_count == 1
    assert after.last_activity_at == before.last_activity_at
    assert Group.objects.get(pk=world.group.pk).last_activity_at == group_activity
    listing = other.get(world.threads_url()).text
    assert "?unread=1" not in listing
    assert ">New<" not in listing
    assert signed_in(world.owner).get(world.threads_url()).text.count("1 post") == 1


def test_approving_a_held_post_numbers_it_counts_it_and_then_notifies(world, thread):
    other = signed_in(world.other)
    other.get(world.thread_url(thread))
    held = world.reply(thread, world.newcomer, f"Hello @{world.other.display_name}.")
    held_at = Thread.objects.get(pk=thread.pk).last_activity_at

    approved = post_services.post_approve(acting_user=world.leader, post=held)

    assert approved.state == Post.State.PUBLISHED
    assert approved.number == 2
    after = Thread.objects.get(pk=thread.pk)
    assert (after.last_post_number, after.published_post_count) == (2, 2)
    assert after.last_activity_at > held_at
    membership = Membership.objects.get(group=world.group, user=world.newcomer)
    assert membership.approved_post_count == 1
    notes = {(n.user_id, n.kind) for n in told().all()}
    assert notes == {
        (world.other.pk, Notification.Kind.MENTION),
        (world.owner.pk, Notification.Kind.REPLY),
    }
    assert "?unread=1" in other.get(world.threads_url()).text
    assert "Hello @" in other.get(world.thread_url(thread)).text
    with pytest.raises(ValidationError, match="not waiting for approval"):
        post_services.post_approve(acting_user=world.leader, post=held)


def test_only_leaders_approve_held_posts(world, thread):
    held = world.reply(thread, world.newcomer, "Please let me in.")
    for who in (world.member, world.newcomer, world.muted):
        with pytest.raises(PermissionDenied):
            post_services.post_approve(acting_user=who, post=held)
    held.refresh_from_db()
    assert held.state == Post.State.HELD


def test_once_the_first_posts_are_approved_the_next_post_is_published(world, thread):
    for body in ("First.", "Second."):
        held = world.reply(thread, fresh(world.newcomer), body)
        assert held.state == Post.State.HELD
        post_services.post_approve(acting_user=world.leader, post=held)

    third = world.reply(thread, fresh(world.newcomer),
                        f"Third, and hello @{world.other.display_name}.")  # fmt: skip

    assert third.state == Post.State.PUBLISHED
    assert third.number == 4
    assert told().filter(target_key=f"post:{third.pk}", user=world.other).exists()


@pytest.mark.parametrize("quota", [0, 1, 3])
def test_the_number_of_held_posts_follows_the_group_setting(quota):
    world = Community(held_posts_for_new_members=quota)
    thread = world.start(world.owner)
    states = []
    for n in range(quota + 1):
        # Each post comes in a new request, as the user loaded afresh.
        post = world.reply(thread, fresh(world.newcomer), f"Post {n}.")
        states.append(post.state)
        if post.state == Post.State.HELD:
            post_services.post_approve(acting_user=world.owner, post=post)
    assert states == [Post.State.HELD] * quota + [Post.State.PUBLISHED]


@pytest.mark.parametrize("who", ["leader", "owner", "staff"])
def test_leaders_posts_are_never_held(world, who):
    author = make_staff(label="Staff") if who == "staff" else getattr(world, who)
    assert not Membership.objects.filter(user=author, approved_post_count__gt=0).exists()
    thread = world.start(author, title="Welcome, everyone")
    post = world.reply(thread, author, "A second note.")
    assert thread.is_published
    assert post.state == Post.State.PUBLISHED
    assert post.number == 2


def test_post_numbers_are_stable_and_contiguous_when_held_posts_are_approved_later(world, thread):
    second_newcomer = world.join(person("Fresh Start"))
    third_newcomer = world.join(person("Early Days"))
    held_a = world.reply(thread, world.newcomer, "Held A.")
    two = world.reply(thread, world.member, "Published two.")
    held_b = world.reply(thread, second_newcomer, "Held B.")
    three = world.reply(thread, world.other, "Published three.")
    held_c = world.reply(thread, third_newcomer, "Held C, to be rejected.")
    assert (two.number, three.number) == (2, 3)

    post_services.post_approve(acting_user=world.leader, post=held_b)
    post_services.post_reject(acting_user=world.leader, post=held_c, reason="Off topic.")
    post_services.post_approve(acting_user=world.owner, post=held_a)
    six = world.reply(thread, world.member, "Published after the approvals.")

    numbers = dict(Post.objects.filter(thread=thread).values_list("body", "number"))
    assert numbers == {
        "How do you cope?": 1, "Published two.": 2, "Published three.": 3, "Held B.": 4,
        "Held A.": 5, "Held C, to be rejected.": None, "Published after the approvals.": 6,
    }  # fmt: skip
    assert six.number == 6
    published = Post.objects.filter(thread=thread, state=Post.State.PUBLISHED)
    assert sorted(published.values_list("number", flat=True)) == list(range(1, 7))
    thread.refresh_from_db()
    assert thread.last_post_number == thread.published_post_count == 6
    page = signed_in(world.other).get(world.thread_url(thread)).text
    in_order = ["Published two.", "Published three.", "Held B.", "Held A.",
                "Published after the approvals."]  # fmt: skip
    order = [page.index(body) for body in in_order]
    assert order == sorted(order)
    assert "Held C" not in page


# Editing and removing


def test_editing_keeps_the_earlier_version_and_marks_the_post_edited(world, thread):
    post = world.reply(thread, world.member, "I had a rough day.")

    edited = post_services.post_edit(acting_user=world.member, post=post,
                                body="I had a rough day, but I called my sponsor.")  # fmt: skip

    assert edited.edited_at is not None
    assert "called my sponsor" in edited.rendered_html
    revision = PostRevision.objects.get(post=post)
    assert revision.body == "I had a rough day."
    member_page = signed_in(world.other).get(world.thread_url(thread)).text
    assert "called my sponsor" in member_page
    assert "edited" in member_page
    history_url = world.url("forum:post_history", post.pk)
    assert history_url not in member_page
    assert history_url in signed_in(world.leader).get(world.thread_url(thread)).text
    history = signed_in(world.leader).get(history_url).text
    assert "I had a rough day.</p>" in history
    assert "called my sponsor" in history
    assert signed_in(world.other).get(history_url).status_code == 403


def test_saving_a_post_unchanged_keeps_no_revision(world, thread):
    post = world.reply(thread, world.member, "Same words.")
    post_services.post_edit(acting_user=world.member, post=post, body="Same words.")
    post.refresh_from_db()
    assert post.edited_at is None
    assert not post.revisions.exists()


@pytest.mark.parametrize("who", ["other", "leader", "owner"])
def test_only_the_author_edits_or_removes_a_post(world, thread, who):
    post = world.reply(thread, world.member, "My own words.")
    with pytest.raises(PermissionDenied, match="only change your own posts"):
        post_services.post_edit(acting_user=getattr(world, who), post=post, body="Other words.")
    with pytest.raises(PermissionDenied):
        post_services.post_delete(acting_user=getattr(world, who), post=post)
    post.refresh_from_db()
    assert (post.body, post.state) == ("My own words.", Post.State.PUBLISHED)


def test_a_removed_post_leaves_a_tombstone_but_leaders_can_still_read_it(world, thread):
    post = world.reply(thread, world.member, "Something I regret sharing.")

    post_services.post_delete(acting_user=world.member, post=post)

    post.refresh_from_db()
    assert post.state == Post.State.REMOVED_BY_AUTHOR
    assert post.body == "Something I regret sharing."
    assert post.number == 2
    for viewer in (world.other, world.newcomer, world.outsider):
        page = signed_in(viewer).get(world.thread_url(thread)).text
        assert "Removed by the author." in page
        assert "Something I regret sharing." not in page
        assert world.url("forum:report", post.pk) not in page
    history = signed_in(world.leader).get(world.url("forum:post_history", post.pk))
    assert history.status_code == 200
    assert "Something I regret sharing." in history.text
    with pytest.raises(PermissionDenied):
        post_services.post_edit(acting_user=world.member, post=post, body="Back again.")


# Reactions


def test_there_are_four_kinds_of_reaction():
    assert set(Reaction.Kind.values) == {"strength", "me_too", "thank_you", "proud"}


def test_a_member_gives_each_kind_of_reaction_once_and_toggling_takes_it_back(world, thread):
    post = first_post(thread)
    for kind in Reaction.Kind.values:
        assert (
            reaction_services.reaction_toggle(acting_user=world.member, post=post, kind=kind)
            is True
        )
    assert Reaction.objects.filter(post=post, user=world.member).count() == 4

    assert (
        reaction_services.reaction_toggle(acting_user=world.member, post=post, kind="strength")
        is False
    )
    assert set(Reaction.objects.filter(post=post).values_list("kind", flat=True)) == {
        "me_too", "thank_you", "proud",
    }  # fmt: skip
    assert (
        reaction_services.reaction_toggle(acting_user=world.member, post=post, kind="strength")
        is True
    )
    assert Reaction.objects.filter(post=post, user=world.member, kind="strength").count() == 1


def test_reactions_are_counted_per_member_on_the_thread_page(world, thread):
    post = first_post(thread)
    for who in (world.member, world.other, world.newcomer):
        reaction_services.reaction_toggle(acting_user=who, post=post, kind="me_too")
    reaction_services.reaction_toggle(acting_user=world.member, post=post, kind="proud")

    page = signed_in(world.member).get(world.thread_url(thread)).text
    me_too = re.search(r'aria-pressed="(\w+)">Me too <span class="reaction__count">(\d+)<', page)
    assert me_too.groups() == ("true", "3")
    strength = re.search(r'aria-pressed="(\w+)">Sending strength</button>', page)
    assert strength.group(1) == "false"
    assert 'aria-pressed="true">Proud of you <span class="reaction__count">1<' in page


@pytest.mark.parametrize("kind", ["", "love", "STRENGTH", "strength "])
def test_an_unknown_reaction_is_refused(world, thread, kind):
    with pytest.raises(ValidationError, match="not one of the reactions"):
        reaction_services.reaction_toggle(
            acting_user=world.member, post=first_post(thread), kind=kind
        )
    assert not Reaction.objects.exists()


def test_an_unknown_reaction_through_the_page_says_so(world, thread):
    client = signed_in(world.member)
    response = client.post(world.url("forum:react", first_post(thread).pk), {"kind": "love"},
                           follow=True)  # fmt: skip
    assert response.status_code == 200
    assert "That is not one of the reactions." in response.text
    assert not Reaction.objects.exists()


def test_nobody_reacts_to_a_held_post(world, thread):
    held = world.reply(thread, world.newcomer, "Waiting.")
    with pytest.raises(ValidationError):
        reaction_services.reaction_toggle(acting_user=world.leader, post=held, kind="strength")


# Reports


def test_a_member_reports_a_post_once(world, thread):
    post = world.reply(thread, world.member, "Buy from my guy.")
    reaction_services.post_report(acting_user=world.other, post=post, reason="sourcing")

    with pytest.raises(ValidationError, match="already reported") as second:
        reaction_services.post_report(
            acting_user=world.other, post=post, reason="spam", note="Again."
        )

    assert second.value.code == "already_reported"
    assert Report.objects.filter(target_key=f"post:{post.pk}").count() == 1
    # Another member's report of the same post still counts.
    reaction_services.post_report(acting_user=world.newcomer, post=post, reason="sourcing")
    assert Report.objects.filter(target_key=f"post:{post.pk}").count() == 2


def test_reporting_twice_through_the_page_says_it_is_already_reported(world, thread):
    post = world.reply(thread, world.member, "Buy from my guy.")
    client = signed_in(world.other)
    first = client.post(world.url("forum:report", post.pk), {"reason": "sourcing"}, follow=True)
    assert "Only they can see who reported." in first.text
    second = client.post(world.url("forum:report", post.pk), {"reason": "spam"}, follow=True)
    assert second.status_code == 200
    assert "You&#x27;ve already reported this post." in second.text
    assert Report.objects.get().reason == "sourcing"


def test_nobody_reports_their_own_post(world, thread):
    post = world.reply(thread, world.member, "My words.")
    with pytest.raises(ValidationError, match="can't report your own post"):
        reaction_services.post_report(acting_user=world.member, post=post, reason="spam")
    assert not Report.objects.exists()


def test_only_leaders_see_who_reported(world, thread):
    post = world.reply(thread, world.member, "Harsh words.")
    reporter = world.newcomer  # has not written anything in the thread
    client = signed_in(reporter)
    client.post(world.url("forum:report", post.pk), {"reason": "harassment", "note": "Unkind."})
    assert Report.objects.filter(reporter=reporter).exists()
    name = reporter.display_name

    reports = signed_in(world.leader).get(world.url("forum:reports"))
    assert reports.status_code == 200
    assert name in reports.text
    assert "Harassment" in reports.text

    for viewer in (world.member, world.other, world.muted):
        viewer_client = signed_in(viewer)
        assert name not in viewer_client.get(world.thread_url(thread)).text
        assert name not in viewer_client.get(world.threads_url()).text
        refused = viewer_client.get(world.url("forum:reports"))
        assert refused.status_code == 403
        assert name not in refused.text
    assert name not in signed_in(world.member).get(reverse("forum:notifications")).text


# Mentions and notifications


def test_mentioning_a_display_name_with_spaces_notifies_that_member_once(world, thread):
    name = world.other.display_name
    assert " " in name
    post = world.reply(thread, world.member, f"@{name} thank you. Really, @{name.lower()}!")

    mention = told().get(user=world.other)
    assert (mention.kind, mention.actor, mention.target_key) == (
        Notification.Kind.MENTION, world.member, f"post:{post.pk}",
    )  # fmt: skip

    post_services.post_edit(acting_user=world.member, post=post, body=f"@{name} thanks again.")
    assert told().filter(user=world.other).count() == 1


def test_the_thread_author_gets_a_reply_notification(world, thread):
    post = world.reply(thread, world.member, "You're not alone.")
    note = told().get(user=world.owner)
    assert (note.kind, note.actor, note.target_key) == (
        Notification.Kind.REPLY, world.member, f"post:{post.pk}",
    )  # fmt: skip
    assert told().count() == 1


def test_a_thread_author_who_is_also_mentioned_is_notified_once(world, thread):
    world.reply(thread, world.member, f"@{world.owner.display_name} I agree.")
    assert list(told().values_list("user", "kind")) == [(world.owner.pk, Notification.Kind.MENTION)]


def test_nobody_is_notified_about_their_own_words(world, thread):
    world.reply(thread, world.owner, f"Replying to myself, @{world.owner.display_name}.")
    world.start(world.member, body=f"Me, @{world.member.display_name}, starting a thread.")
    assert not told().exists()


def test_the_longest_matching_name_is_the_one_mentioned(world, thread):
    short = world.join(person("Sam"))
    long = world.join(person(f"{short.display_name} Smith"))
    assert long.display_name.startswith(short.display_name + " ")
    world.reply(thread, world.owner, f"Hello @{long.display_name}!")
    assert set(told().values_list("user", flat=True)) == {long.pk}


@pytest.mark.parametrize("who", ["outsider", "banned"])
def test_people_outside_the_group_are_not_notified_when_mentioned(world, thread, who):
    world.reply(thread, world.owner, f"Hello @{getattr(world, who).display_name}.")
    assert not told().filter(user=getattr(world, who)).exists()


def test_the_bell_counts_unread_notifications_until_the_member_opens_them(world, thread):
    client = signed_in(world.owner)
    assert 'class="badge"' not in client.get(world.threads_url()).text
    world.reply(thread, world.member, "First reply.")
    world.reply(thread, world.other, f"Second reply, @{world.owner.display_name}.")

    page = client.get(world.threads_url()).text
    assert '<span class="badge">2<span class="visually-hidden"> unread</span></span>' in page

    notifications = client.get(reverse("forum:notifications"))
    assert notifications.status_code == 200
    assert "replied to your thread" in notifications.text
    assert "mentioned you" in notifications.text
    assert notifications.text.count('<span class="new">New</span>') == 2
    assert "Mark all as read" in notifications.text
    # Looking at the list marks nothing read: the member opens one, or marks all.
    assert told().filter(user=world.owner, read_at__isnull=True).count() == 2

    mention = told().get(user=world.owner, kind="mention")
    opened = client.get(reverse("forum:notification_open", args=[mention.pk]))
    assert opened.status_code == 302
    assert opened["Location"] == mention.link
    mention.refresh_from_db()
    assert mention.read_at is not None
    page = client.get(world.threads_url()).text
    assert '<span class="badge">1<span class="visually-hidden"> unread</span></span>' in page

    done = client.post(reverse("forum:notifications_read_all"), follow=True)
    assert "All your notifications are marked read." in done.text
    assert not told().filter(user=world.owner, read_at__isnull=True).exists()
    assert 'class="badge"' not in client.get(world.threads_url()).text
    assert '<span class="new">New</span>' not in done.text
    assert "Mark all as read" not in done.text
    again = client.post(reverse("forum:notifications_read_all"), follow=True)
    assert "There was nothing unread." in again.text


def test_a_member_cannot_open_someone_elses_notification(world, thread):
    world.reply(thread, world.member, "A reply for the owner.")
    note = told().get(user=world.owner)
    client = signed_in(world.other)
    assert client.get(reverse("forum:notification_open", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_opening_a_notification_without_a_link_marks_it_read_and_returns_to_the_centre(world):
    from groups.services import notifications as notification_services

    [note] = notification_services.notify(user_ids=[world.member.pk], kind="warning",
                                          group=world.group)  # fmt: skip
    client = signed_in(world.member)
    opened = client.get(reverse("forum:notification_open", args=[note.pk]))
    assert opened["Location"] == f"{reverse('forum:notifications')}#notification-{note.pk}"
    note.refresh_from_db()
    assert note.read_at is not None


# Rate limits


def test_posting_too_quickly_is_refused_by_the_service(world, thread, monkeypatch):
    monkeypatch.setattr(limits, "REPLY", dataclasses.replace(limits.REPLY, every=0.5))
    for n in range(limits.REPLY.burst):
        world.reply(thread, world.member, f"Quick post {n}.")
    with pytest.raises(limits.RateLimited) as refused:
        world.reply(thread, world.member, "One too many.")
    assert refused.value.code == "rate_limited"
    assert 0 < refused.value.retry_after <= 0.5
    assert not Post.objects.filter(body="One too many.").exists()

    time.sleep(refused.value.retry_after)
    assert world.reply(thread, world.member, "A moment later.").state == Post.State.PUBLISHED


def test_starting_too_many_threads_is_refused_by_the_service(world):
    for n in range(limits.THREAD_START.burst):
        world.start(world.member, title=f"Thread {n}")
    with pytest.raises(limits.RateLimited):
        world.start(world.member, title="One too many")
    assert Thread.objects.filter(author=world.member).count() == limits.THREAD_START.burst


def test_starting_too_many_threads_shows_a_kind_error_and_keeps_the_draft(world):
    for n in range(limits.THREAD_START.burst):
        world.start(world.member, title=f"Thread {n}")

    response = signed_in(world.member).post(
        world.url("forum:thread_create"),
        {"title": "One more thought", "body": "Words I don't want to lose."},
    )

    assert response.status_code == 200
    text = text_of(response)
    assert f"You've started {limits.THREAD_START.burst} threads in the last hour" in text
    assert "Your draft is still here" in text
    assert 'value="One more thought"' in response.text
    assert "Words I don&#x27;t want to lose.</textarea>" in response.text
    assert Thread.objects.filter(author=world.member).count() == limits.THREAD_START.burst


def test_replying_too_quickly_shows_a_kind_error_and_keeps_the_draft(world, thread):
    for n in range(limits.REPLY.burst):
        world.reply(thread, world.member, f"Quick post {n}.")

    response = signed_in(world.member).post(
        world.url("forum:reply", thread.pk), {"body": "Please keep this draft."}
    )

    assert response.status_code in (200, 400)
    assert "You&#x27;re posting very quickly." in response.text
    assert "Please keep this draft.</textarea>" in response.text
    assert not Post.objects.filter(body="Please keep this draft.").exists()


# Read pointers


def minutes_pass() -> None:
    """Long enough for read pointers to move again within a page."""
    ReadState.objects.update(moved_at=F("moved_at") - READ_POINTER_EVERY)


def test_the_thread_list_marks_new_threads_and_threads_with_new_posts(world, thread):
    client = signed_in(world.other)
    new_link = f"{world.thread_url(thread)}?unread=1"
    listing = client.get(world.threads_url()).text
    assert '<span class="new">New</span>' in listing

    client.get(world.thread_url(thread))
    listing = client.get(world.threads_url()).text
    assert '<span class="new">New</span>' not in listing
    assert new_link not in listing

    world.reply(thread, world.member, "A new reply.")
    listing = client.get(world.threads_url()).text
    assert f'<a class="new" href="{new_link}">New posts</a>' in listing

    minutes_pass()
    client.get(world.thread_url(thread))
    assert new_link not in client.get(world.threads_url()).text


def test_the_thread_page_marks_posts_that_are_new_since_the_last_visit(world, thread):
    client = signed_in(world.other)
    first_visit = client.get(world.thread_url(thread)).text
    assert "New since your last visit" not in first_visit

    world.reply(thread, world.member, "Reply two.")
    world.reply(thread, world.newcomer, "Held, not new for anyone else.")
    world.reply(thread, world.leader, "Reply three.")

    minutes_pass()
    page = client.get(world.thread_url(thread)).text
    assert page.count("New since your last visit") == 2
    marked = re.findall(r'id="post-(\d+)".*?(New since your last visit|</article>)', page,
                        flags=re.DOTALL)  # fmt: skip
    assert [n for n, what in marked if what.startswith("New")] == ["2", "3"]
    assert ReadState.objects.get(user=world.other, thread=thread).last_read_number == 3
    assert "New since your last visit" not in client.get(world.thread_url(thread)).text


def test_reading_a_thread_again_writes_nothing_when_there_is_nothing_new(world, thread):
    client = signed_in(world.other)
    client.get(world.thread_url(thread))  # the first visit sets the pointer
    with CaptureQueriesContext(connection) as queries:
        assert client.get(world.thread_url(thread)).status_code == 200
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in {"INSERT", "UPDATE"}]
    assert [sql for sql in writes if "readstate" in sql] == []
    assert sum("readstate" in q["sql"] for q in queries) == 1  # read once, not twice

    world.reply(thread, world.member, "Something new.")
    minutes_pass()
    client.get(world.thread_url(thread))
    assert ReadState.objects.get(user=world.other, thread=thread).last_read_number == 2


def test_within_a_page_the_read_pointer_moves_at_most_every_few_minutes(world, thread):
    client = signed_in(world.other)
    client.get(world.thread_url(thread))
    world.reply(thread, world.member, "A reply a minute later.")

    with CaptureQueriesContext(connection) as queries:
        page = client.get(world.thread_url(thread)).text
    assert "A reply a minute later." in page
    assert not [q for q in queries if q["sql"].startswith("UPDATE") and "readstate" in q["sql"]]
    assert ReadState.objects.get(user=world.other, thread=thread).last_read_number == 1

    minutes_pass()
    client.get(world.thread_url(thread))
    assert ReadState.objects.get(user=world.other, thread=thread).last_read_number == 2


def test_reading_on_to_a_later_page_moves_the_read_pointer_at_once(world, thread, monkeypatch):
    many_posts_allowed(monkeypatch)
    for n in range(2, POSTS_PER_PAGE + 3):
        world.reply(thread, world.member, f"Post number {n}.")
    client = signed_in(world.other)
    url = world.thread_url(thread)
    client.get(url)
    assert ReadState.objects.get(user=world.other, thread=thread).last_read_number == POSTS_PER_PAGE

    client.get(f"{url}?page=2")
    assert ReadState.objects.get(user=world.other, thread=thread).last_read_number == (
        POSTS_PER_PAGE + 2
    )


def test_one_reaction_form_serves_every_post_and_each_button_names_its_post(world, thread):
    world.reply(thread, world.member, "A reply to react to.")
    page = Elements(signed_in(world.other).get(world.thread_url(thread)).text)
    forms = [f for f in page.named("form") if f.get("id") == "reactions-form"]
    assert len(forms) == 1 and forms[0]["method"] == "post"
    buttons = [b for b in page.named("button") if b.get("name") == "kind"]
    assert len(buttons) == 2 * len(Reaction.Kind.choices)
    assert {b["form"] for b in buttons} == {"reactions-form"}
    posts = thread.posts.order_by("number")
    assert {b["formaction"] for b in buttons} == {
        world.url("forum:react", post.pk) for post in posts
    }
    assert {b["value"] for b in buttons} == set(Reaction.Kind.values)


def test_the_unread_link_goes_to_the_first_unread_post(world, thread, monkeypatch):
    many_posts_allowed(monkeypatch)
    for n in range(2, POSTS_PER_PAGE + 6):
        world.reply(thread, world.member, f"Post number {n}.")
    last = POSTS_PER_PAGE + 5
    url = world.thread_url(thread)

    never_visited = signed_in(world.newcomer).get(f"{url}?unread=1")
    assert never_visited.status_code == 302
    assert never_visited["Location"] == f"{url}?page=1#post-1"

    client = signed_in(world.other)
    client.get(url)  # page 1: read up to the last post on it
    unread = client.get(f"{url}?unread=1")
    assert unread["Location"] == f"{url}?page=2#post-{POSTS_PER_PAGE + 1}"
    page_two = client.get(unread["Location"]).text
    assert f'id="post-{POSTS_PER_PAGE + 1}"' in page_two
    assert f"Post number {last}." in page_two

    assert client.get(f"{url}?unread=1")["Location"] == f"{url}?page=2#post-{last}"


# Changed rules


def test_changed_rules_stop_posting_until_the_member_accepts_them(world, thread):
    new_rules = "Be kind. Never name a dealer or a place to buy."
    group_services.group_update(acting_user=world.leader, group=world.group, rules=new_rules)
    world.group.refresh_from_db()
    assert world.group.rules_version == 2
    member = fresh(world.member)

    with pytest.raises(PermissionDenied, match="rules have changed"):
        world.reply(thread, member, "Hello.")
    with pytest.raises(PermissionDenied, match="rules have changed"):
        world.start(fresh(world.member), title="New thread")

    client = signed_in(world.member)
    response = client.post(world.url("forum:reply", thread.pk), {"body": "My waiting draft."})
    assert response.status_code == 400
    assert "The group&#x27;s rules have changed." in response.text
    assert "My waiting draft.</textarea>" in response.text
    page = client.get(world.thread_url(thread)).text
    assert world.url("groups:accept_rules") in page
    assert thread.posts.count() == 1

    membership_services.membership_accept_rules(acting_user=fresh(world.member),
                                                group=world.group)  # fmt: skip
    assert world.reply(thread, fresh(world.member), "Hello again.").number == 2
    assert world.url("groups:accept_rules") not in client.get(world.thread_url(thread)).text
