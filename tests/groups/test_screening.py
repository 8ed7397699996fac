"""Automatic checks on what members write (groups/automod.py): contact details and
off-platform handles, links from new members, and watched words (per group and
site-wide; hold, flag or block). A table of what must be caught and of ordinary
recovery talk that must not be, then the same rules through the posting services."""

import pytest
from django.core.exceptions import ValidationError

from forum.models import Post
from forum.services import posts as post_services
from groups.models import ReviewItem, WatchedWord
from groups.services import screening as automod
from tests.factories import Community, fresh, make_staff, signed_in
from tests.moderation.helpers import IN_MEMORY_LAYER, live_item, text_of

Kind = ReviewItem.Kind

# (text, the CONTACT_PATTERNS entry that must catch it)
CONTACT_DETAILS = [
    ("Call me on 07700 900123", "phone number"),
    ("+44 7700 900123", "phone number"),
    ("text 555-123-4567 tonight", "phone number"),
    ("my cell is 555.123.4567", "phone number"),
    ("ring (555) 123-4567 after work", "phone number"),
    ("+1 (555) 123-4567", "phone number"),
    ("mail me: jo.bloggs+recovery@example.co.uk", "email address"),
    ("SUNNY_HILL@MAIL.ORG", "email address"),
    ("add me on WhatsApp", "messenger handle"),
    ("whats app me", "messenger handle"),
    ("I'm on telegram", "messenger handle"),
    ("my snapchat is jo99", "messenger handle"),
    ("snap chat me", "messenger handle"),
    ("find me on insta", "messenger handle"),
    ("instagram.com/jo", "messenger handle"),
    ("kik me", "messenger handle"),
    ("t.me/jobloggs", "messenger handle"),
    ("wa.me/447700900123", "messenger handle"),
    ("signal: jo_99", "messenger handle"),
    ("Signal @jo99", "messenger handle"),
    ("discord: jo#1234", "messenger handle"),
    ("session: 05a1b2c3", "messenger handle"),
    ("@jo99 dm me", "messenger handle"),
    ("cash app me", "payment handle"),
    ("CashApp $jobloggs", "payment handle"),
    ("send it to $sunnyday", "payment handle"),
    ("venmo works", "payment handle"),
    ("Zelle is fine", "payment handle"),
    ("paypal.me/jobloggs", "payment handle"),
    ("1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "crypto address"),
    ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "crypto address"),
    ("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "crypto address"),
    ("0x52908400098527886E0F7030069857D2E4169EE7", "crypto address"),
]

# Ordinary recovery talk: none of the contact patterns may match.
ORDINARY_TALK = [
    "I have 365 days",
    "Day 1234",
    "16 mg of buprenorphine",
    "I signal that I need help",
    "discord in my family",
    "$200",
    "It cost me $200 a week back then.",
    "12 steps, 12 traditions, 1 day at a time",
    "I was 24 in 2019 and I'm 30 now",
    "Down from 100 mg to 20 mg over 6 weeks",
    "Meeting at 7:30 in room 101",
    "Sober since 03/14/2023",
    "My clean date is 2023-03-14",
    "Clean since 14.03.2023",
    "Therapy session: it went better than I feared",
    "Online sessions help me",
    "I had to draw the line: no more excuses",
    "We hit a wall, then we talked it through",
    "@Sunny Hill thank you for your message yesterday",
    "@Quiet River I hit 90 days today!",
    "Signal fires of hope",
    "The line at the clinic was long",
    "Instant coffee and a walk",
    "Whatsoever happens, I keep going",
    "My cash flow is a mess since I quit",
    "I email my sponsor every morning",
    "Call my sponsor? Yes, daily.",
]


@pytest.mark.parametrize("text, pattern", CONTACT_DETAILS)
def test_contact_details_and_handles_are_caught_by_their_pattern(text, pattern):
    assert automod.CONTACT_PATTERNS[pattern].search(text), f"{pattern} missed {text!r}"


@pytest.mark.parametrize("text", ORDINARY_TALK)
def test_ordinary_recovery_talk_matches_no_contact_pattern(text):
    matched = [name for name, found in automod.CONTACT_PATTERNS.items() if found.search(text)]
    assert matched == []


LINKS = ["see https://example.org", "http://bit.ly/x", "go to www.example.org", "HTTPS://X.IO"]
NOT_LINKS = ["whatsoever", "www is short for world wide web", "http is a protocol", "wwwhat"]


@pytest.mark.parametrize("text", LINKS)
def test_links_are_recognised(text):
    assert automod.LINK_PATTERN.search(text)


@pytest.mark.parametrize("text", NOT_LINKS)
def test_words_that_only_look_like_links_are_not_links(text):
    assert not automod.LINK_PATTERN.search(text)


# Watched words: whole words, * for any letters, ignoring case, phrases across spaces.
WATCHED = [
    ("pill", "Got a pill?", True),
    ("pill", "GOT A PILL?", True),
    ("pill", "Got any pills?", False),
    ("pill", "my pillow is damp", False),
    ("pill", "spill the tea", False),
    ("pill*", "Got any pills?", True),
    ("pill*", "pill", True),
    ("pill*", "a spill", False),
    ("deal*", "the dealer came by", True),
    ("deal*", "Dealing with it", True),
    ("deal*", "an ideal day", False),
    ("*coke", "no more coke", True),
    ("*coke", "a cokehead", False),
    ("c*ke", "cake or coke", True),
    ("c*ke", "c ke", False),
    ("plug for", "my plug for weed", True),
    ("plug for", "my PLUG   FOR weed", True),
    ("plug for", "my plug\nfor weed", True),
    ("plug for", "plugged for hours", False),
    ("plug for", "the plug, for now", False),
    ("plug for", "plug", False),
    ("pm me", "just pm me", True),
    ("pm me", "5pm meeting", False),
    ("a.b", "axb", False),
    ("a.b", "see a.b now", True),
    ("café", "the CAFÉ downstairs", True),
]


@pytest.mark.parametrize("phrase, text, matches", WATCHED)
def test_watched_phrases_match_whole_words_ignoring_case(phrase, text, matches):
    assert bool(automod._phrase_pattern(phrase).search(text)) is matches


# Through check_text and the posting services


@pytest.fixture(autouse=True)
def in_memory_channel_layer(settings):
    settings.CHANNEL_LAYERS = IN_MEMORY_LAYER


@pytest.fixture
def thread(world):
    return world.start(world.owner, title="Small wins", body="Share one from today.")


def verdict(text, group, *, leader=False, new=False):
    return automod.check_text(text, group=group, is_leader=leader, is_new_member=new)


@pytest.mark.parametrize("text, pattern", CONTACT_DETAILS[:3] + CONTACT_DETAILS[6:9])
def test_check_text_holds_contact_details_from_members_naming_why(world, text, pattern):
    result = verdict(text, world.group)

    assert f"possible {pattern}" in result.hold_reasons
    assert result.block_message == ""


@pytest.mark.parametrize("text", ORDINARY_TALK[:6])
def test_check_text_holds_nothing_in_ordinary_recovery_talk(world, text):
    result = verdict(text, world.group)

    assert (result.hold_reasons, result.flag_reasons, result.block_message) == ([], [], "")


@pytest.mark.parametrize(
    "text",
    ["I have 365 days", "Day 1234", "16 mg of buprenorphine", "I signal that I need help",
     "discord in my family", "$200"],
)  # fmt: skip
def test_ordinary_recovery_talk_is_published_not_held(world, thread, text):
    post = world.reply(thread, world.member, text)

    assert post.state == Post.State.PUBLISHED
    assert not ReviewItem.objects.filter(kind=Kind.HELD_POST).exists()
    assert text in text_of(signed_in(world.other).get(world.thread_url(thread)))


def test_thanking_a_member_by_mention_for_their_message_is_not_held(world, thread):
    body = f"@{world.other.display_name} thank you for your message, I hit 30 days today!"

    post = world.reply(thread, world.member, body)

    assert post.state == Post.State.PUBLISHED
    assert not ReviewItem.objects.filter(kind=Kind.HELD_POST).exists()


@pytest.mark.parametrize(
    "body, reason",
    [
        ("Text me: 07700 900123", "possible phone number"),
        ("Write to sunny.hill@example.org", "possible email address"),
        ("I'm on telegram, find me", "possible messenger handle"),
        ("Venmo me for the ride", "possible payment handle"),
    ],
)
def test_a_members_contact_details_are_held_for_a_leader(world, thread, body, reason):
    post = world.reply(thread, world.member, body)

    assert (post.state, post.number) == (Post.State.HELD, None)
    assert live_item(Kind.HELD_POST, f"post:{post.pk}").reasons == [reason]
    assert body not in text_of(signed_in(world.other).get(world.thread_url(thread)))


def test_leaders_and_owners_are_not_held_for_contact_details(world, thread):
    admin = make_staff(label="Admin")
    assert verdict("Call 07700 900123", world.group, leader=True).hold_reasons == []

    for who in (world.leader, world.owner, admin):
        post = world.reply(thread, who, "Our warmline is 0800 123 4567, email help@example.org")
        assert post.state == Post.State.PUBLISHED

    assert not ReviewItem.objects.filter(kind=Kind.HELD_POST).exists()


def test_watched_words_still_apply_to_leaders(world, thread):
    WatchedWord.objects.create(group=world.group, phrase="score", action=WatchedWord.Action.HOLD)

    post = world.reply(thread, world.leader, "Did anyone score tickets?")

    assert post.state == Post.State.HELD


def test_a_link_from_a_new_member_is_held_but_not_from_a_settled_member(world, thread):
    assert verdict("see www.example.org", world.group, new=True).hold_reasons == [
        "a link from a new member"
    ]
    assert verdict("see www.example.org", world.group, new=False).hold_reasons == []

    held = world.reply(thread, world.newcomer, "This helped me: https://example.org/guide")
    published = world.reply(thread, world.member, "This helped me: https://example.org/guide")

    assert held.state == Post.State.HELD
    assert live_item(Kind.HELD_POST, f"post:{held.pk}").reasons == ["a link from a new member"]
    assert published.state == Post.State.PUBLISHED


def test_group_watched_words_apply_in_their_group_and_site_wide_words_everywhere(world):
    elsewhere = Community()
    WatchedWord.objects.create(group=world.group, phrase="plug", action=WatchedWord.Action.HOLD)
    WatchedWord.objects.create(group=None, phrase="script*", action=WatchedWord.Action.FLAG)

    here = verdict("my plug has scripts", world.group)
    there = verdict("my plug has scripts", elsewhere.group)

    assert here.hold_reasons == ["watched word “plug”"]
    assert here.flag_reasons == ["watched word “script*”"]
    assert there.hold_reasons == []
    assert there.flag_reasons == ["watched word “script*”"]


def test_hold_flag_and_block_each_do_what_they_say(world, thread):
    WatchedWord.objects.create(group=world.group, phrase="plug", action=WatchedWord.Action.HOLD)
    WatchedWord.objects.create(group=world.group, phrase="relapse", action=WatchedWord.Action.FLAG)
    WatchedWord.objects.create(group=None, phrase="pm me", action=WatchedWord.Action.BLOCK)

    held = world.reply(thread, world.member, "Ask my plug")
    flagged = world.reply(thread, world.other, "A relapse is not the end")
    with pytest.raises(ValidationError) as blocked:
        world.reply(thread, world.member, "PM me for more")

    assert held.state == Post.State.HELD
    assert live_item(Kind.HELD_POST, f"post:{held.pk}").reasons == ["watched word “plug”"]
    assert flagged.state == Post.State.PUBLISHED
    assert live_item(Kind.AUTO_FLAG, f"post:{flagged.pk}").reasons == ["watched word “relapse”"]
    message = blocked.value.message_dict["body"][0]
    assert "“pm me”" in message
    assert "your text is still in the box" in message
    assert not Post.objects.filter(body="PM me for more").exists()


def test_a_blocked_new_thread_is_refused_whole_with_the_custom_message(world):
    WatchedWord.objects.create(
        group=world.group, phrase="for sale", action=WatchedWord.Action.BLOCK,
        message="Selling isn't allowed here.",
    )  # fmt: skip

    with pytest.raises(ValidationError) as blocked:
        world.start(world.member, title="For sale", body="Spare tickets.")

    assert blocked.value.message_dict == {"body": ["Selling isn't allowed here."]}
    assert not world.group.threads.filter(title="For sale").exists()


def test_editing_a_post_to_add_contact_details_does_not_slip_past_the_hold(world, thread):
    post = world.reply(thread, world.member, "Happy to talk any time.")

    # A published post can't wait for review, so the edit is refused, kindly.
    with pytest.raises(ValidationError) as refused:
        post_services.post_edit(
            acting_user=fresh(world.member), post=post, body="Happy to talk: call 07700 900123"
        )

    assert "possible phone number" in str(refused.value)
    assert "07700 900123" not in text_of(signed_in(world.other).get(world.thread_url(thread)))
    post.refresh_from_db()
    assert post.body == "Happy to talk any time."


def test_editing_a_post_to_add_a_blocked_word_is_refused(world, thread):
    WatchedWord.objects.create(group=None, phrase="pm me", action=WatchedWord.Action.BLOCK)
    post = world.reply(thread, world.member, "Happy to talk here.")

    with pytest.raises(ValidationError):
        post_services.post_edit(acting_user=fresh(world.member), post=post, body="pm me")

    post.refresh_from_db()
    assert post.body == "Happy to talk here."
