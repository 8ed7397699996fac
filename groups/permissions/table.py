"""Standing x capability: the table at the heart of the rules, site staff, and who
leads which group.

A person's *standing* in a group (anonymous, outsider, requester, member, leader,
owner, staff) decides their capabilities through one table. Sanctions override
the table: a ban takes everything away, a mute takes away speaking.
"""

import enum

from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from groups.models import Group, Membership, Notification, SiteSettings
from groups.models.notifications import CONTENT_KINDS, LEADER_KINDS, PERSONAL_KINDS
from groups.permissions.facts import facts_of, membership_of


class Standing(enum.StrEnum):
    ANONYMOUS = "anonymous"
    OUTSIDER = "outsider"  # signed in, not a member (includes former members)
    REQUESTER = "requester"  # asked to join, waiting
    BANNED = "banned"
    MEMBER = "member"
    LEADER = "leader"
    OWNER = "owner"
    STAFF = "staff"


class Capability(enum.StrEnum):
    SEE_GROUP = "see group"  # know it exists: name, description, rules
    READ = "read"  # threads and chat
    JOIN = "join"
    REQUEST_TO_JOIN = "request to join"
    LEAVE = "leave"
    POST = "post"
    START_THREAD = "start thread"
    CHAT = "chat"
    REACT = "react"
    REPORT = "report"
    SEE_MEMBERS = "see members"
    APPROVE_JOIN = "approve join"
    REMOVE_MEMBER = "remove member"
    BAN_MEMBER = "ban member"
    MODERATE = "moderate"
    EDIT_GROUP = "edit group"
    MANAGE_INVITES = "manage invites"
    MANAGE_LEADERS = "manage leaders"
    TRANSFER_OWNERSHIP = "transfer ownership"
    CHANGE_VISIBILITY = "change visibility"


S, C = Standing, Capability
MEMBERS = {S.MEMBER, S.LEADER, S.OWNER}
LEADERS = {S.LEADER, S.OWNER, S.STAFF}

# Who may do what, before visibility and sanctions are applied.
TABLE: dict[Capability, set[Standing]] = {
    C.SEE_GROUP: {S.ANONYMOUS, S.OUTSIDER, S.REQUESTER, S.BANNED, *MEMBERS, S.STAFF},
    C.READ: {S.OUTSIDER, S.REQUESTER, *MEMBERS, S.STAFF},  # outsiders: public groups only
    C.JOIN: {S.OUTSIDER},
    C.REQUEST_TO_JOIN: {S.OUTSIDER},
    C.LEAVE: {S.MEMBER, S.LEADER},  # an owner hands the group on first
    C.POST: {*MEMBERS, S.STAFF},
    C.START_THREAD: {*MEMBERS, S.STAFF},
    C.CHAT: {*MEMBERS, S.STAFF},
    C.REACT: {*MEMBERS, S.STAFF},
    C.REPORT: {*MEMBERS, S.STAFF},
    C.SEE_MEMBERS: {*MEMBERS, S.STAFF},
    C.APPROVE_JOIN: LEADERS,
    C.REMOVE_MEMBER: LEADERS,
    C.BAN_MEMBER: LEADERS,
    C.MODERATE: LEADERS,
    C.EDIT_GROUP: LEADERS,
    C.MANAGE_INVITES: LEADERS,
    C.MANAGE_LEADERS: {S.OWNER, S.STAFF},
    C.TRANSFER_OWNERSHIP: {S.OWNER, S.STAFF},
    C.CHANGE_VISIBILITY: {S.OWNER, S.STAFF},
}
MEMBERS_ONLY_CONTENT = {C.READ, C.SEE_MEMBERS}
# What a muted member loses until the mute ends: they can still read and leave.
SILENCED_BY_MUTE = {C.POST, C.START_THREAD, C.CHAT, C.REACT}
# A site-wide suspension silences a member everywhere and stops them joining.
SILENCED_BY_SUSPENSION = SILENCED_BY_MUTE | {C.JOIN, C.REQUEST_TO_JOIN}


def standing(user, group: Group) -> Standing:
    if not user.is_authenticated:
        return S.ANONYMOUS
    if is_staff(user):
        return S.STAFF
    membership = membership_of(user, group)
    if membership is None:
        return S.OUTSIDER
    if membership.state == Membership.State.BANNED:
        return S.BANNED
    if membership.state == Membership.State.REQUESTED:
        return S.REQUESTER
    if membership.state != Membership.State.ACTIVE:
        return S.OUTSIDER
    return {
        Membership.Role.OWNER: S.OWNER,
        Membership.Role.LEADER: S.LEADER,
    }.get(membership.role, S.MEMBER)


def _visible(user, group: Group, who: Standing) -> bool:
    if group.status != Group.Status.ACTIVE:
        proposer = user.is_authenticated and group.proposed_by_id == user.pk
        return who == S.STAFF or proposer
    if group.visibility == Group.Visibility.HIDDEN:
        return who in {*MEMBERS, S.STAFF}
    return True


def can(user, capability: Capability, group: Group) -> bool:
    who = standing(user, group)
    if not _visible(user, group, who):
        return False
    if group.status != Group.Status.ACTIVE and who != S.STAFF:
        return capability == C.SEE_GROUP
    if who not in TABLE[capability]:
        return False
    if capability == C.READ and who in {S.OUTSIDER, S.REQUESTER}:
        return group.visibility == Group.Visibility.PUBLIC
    if capability in SILENCED_BY_SUSPENSION and user.is_suspended:
        return False
    if capability == C.JOIN:
        return group.join_policy == Group.JoinPolicy.OPEN
    if capability == C.REQUEST_TO_JOIN:
        return group.join_policy == Group.JoinPolicy.REQUEST
    if capability in SILENCED_BY_MUTE and who in MEMBERS:
        membership = membership_of(user, group)
        if membership.is_muted:
            return False
    return True


REFUSALS = {
    C.READ: _("Only members of this group can read it."),
    C.JOIN: _("You can't join this group right now."),
    C.REQUEST_TO_JOIN: _("You can't ask to join this group right now."),
    C.LEAVE: _("You can't leave this group: hand ownership to someone else first."),
    C.POST: _("You can't post in this group right now."),
    C.START_THREAD: _("You can't start a thread in this group right now."),
    C.CHAT: _("You can't chat in this group right now."),
    C.REACT: _("You can't react in this group right now."),
    C.REPORT: _("Only members of this group can report here."),
    C.SEE_MEMBERS: _("Only members can see who is in this group."),
    C.APPROVE_JOIN: _("Only the group's peer leaders can answer join requests."),
    C.REMOVE_MEMBER: _("Only the group's peer leaders can remove members."),
    C.BAN_MEMBER: _("Only the group's peer leaders can ban members."),
    C.MODERATE: _("Only the group's peer leaders can moderate it."),
    C.EDIT_GROUP: _("Only the group's peer leaders can edit it."),
    C.MANAGE_INVITES: _("Only the group's peer leaders can manage invite links."),
    C.MANAGE_LEADERS: _("Only the group's owner can appoint or remove peer leaders."),
    C.TRANSFER_OWNERSHIP: _("Only the group's owner can hand it on."),
    C.CHANGE_VISIBILITY: _("Only the group's owner can change who can see and join it."),
}


def check(user, capability: Capability, group: Group) -> None:
    """Raise PermissionDenied with a sentence a person can read, or Http404 when the
    user may not even know the group exists."""
    who = standing(user, group)
    if not _visible(user, group, who):
        raise Http404
    if can(user, capability, group):
        return
    if capability in MEMBERS_ONLY_CONTENT and group.visibility != Group.Visibility.PUBLIC:
        # Outsiders are not told what a members-only group holds.
        raise Http404
    membership = membership_of(user, group)
    if who == S.BANNED:
        raise PermissionDenied(_("You have been banned from this group."))
    if capability in SILENCED_BY_SUSPENSION and user.is_authenticated and user.is_suspended:
        until = timezone.localtime(user.suspended_until).strftime("%d %B %Y, %H:%M")
        raise PermissionDenied(
            _("An administrator has suspended your account until %(until)s. You can still "
              "read.") % {"until": until}
        )  # fmt: skip
    if capability in SILENCED_BY_MUTE and membership is not None and membership.is_muted:
        until = timezone.localtime(membership.muted_until).strftime("%d %B %Y, %H:%M")
        raise PermissionDenied(
            _("A peer leader has muted you in this group until %(until)s.") % {"until": until}
        )
    raise PermissionDenied(REFUSALS.get(capability, _("You can't do that in this group.")))


def check_can_act_on(actor, target_membership: Membership) -> None:
    """Leaders cannot act on the owner, on site staff, or on other leaders unless they
    own the group; nobody acts on themselves this way."""
    target = target_membership.user
    group = target_membership.group
    if target.pk == actor.pk:
        raise PermissionDenied(_("You can't do that to yourself."))
    if is_staff(target):
        raise PermissionDenied(_("Site staff can't be moderated from within a group."))
    if target_membership.role == Membership.Role.OWNER:
        raise PermissionDenied(_("The group's owner can't be moderated by its leaders."))
    who = standing(actor, group)
    if target_membership.role == Membership.Role.LEADER and who not in {S.OWNER, S.STAFF}:
        raise PermissionDenied(_("Only the owner can act on another peer leader."))


def groups_visible_to(user) -> QuerySet[Group]:
    """Every group the user may know exists."""
    groups = Group.objects.all()
    if is_staff(user):
        return groups
    listed = Q(status=Group.Status.ACTIVE) & ~Q(visibility=Group.Visibility.HIDDEN)
    if not user.is_authenticated:
        return groups.filter(listed)
    member_of = Membership.objects.filter(
        group=OuterRef("pk"), user=user, state=Membership.State.ACTIVE
    )
    return groups.filter(
        listed
        | (Q(status=Group.Status.ACTIVE) & Exists(member_of))
        | (~Q(status=Group.Status.ACTIVE) & Q(proposed_by=user))
    )


def groups_readable_by(user) -> QuerySet[Group]:
    """Every group whose threads and posts the user may read now: the READ row of the
    table as a query (public groups for anyone signed in who is not banned there, the
    groups they are an active member of, everything for staff)."""
    if is_staff(user):
        return Group.objects.all()
    if not user.is_authenticated:
        return Group.objects.none()
    mine = Membership.objects.filter(group=OuterRef("pk"), user=user)
    return Group.objects.filter(status=Group.Status.ACTIVE).filter(
        Exists(mine.filter(state=Membership.State.ACTIVE))
        | (
            Q(visibility=Group.Visibility.PUBLIC)
            & ~Exists(mine.filter(state=Membership.State.BANNED))
        )
    )


def notifications_visible_to(user) -> QuerySet[Notification]:
    """The member's notifications they may still be shown, decided when read: about a
    group's content while they may read the group (leaving, removal or a ban hides
    them, rejoining brings them back), about the queue while they lead the group, and
    about themselves (decisions, sanctions, answers) always."""
    if not user.is_authenticated:
        return Notification.objects.none()
    leading = Q(kind__in=LEADER_KINDS)
    if not is_staff(user):
        leading &= Q(group_id__in=led_group_ids(user))
    return Notification.objects.filter(user=user).filter(
        Q(kind__in=PERSONAL_KINDS)
        | Q(kind__in=CONTENT_KINDS, group__in=groups_readable_by(user))
        | leading
    )


def get_group_for_user(user, slug: str) -> Group:
    """Fetch a group the user may know exists, or 404: hidden groups stay invisible."""
    group = Group.objects.filter(slug=slug).first()
    if group is None or not _visible(user, group, standing(user, group)):
        raise Http404
    return group


# Site staff


def is_staff(user) -> bool:
    """Acts with staff powers: the one rule every staff-only power asks. A staff account
    needs two-factor authentication (an active TOTP authenticator) as well; without it,
    it is an ordinary member everywhere. Cached on the user object, so a page pays one
    query however often it asks."""
    if not (user.is_authenticated and user.is_staff and user.is_active):
        return False
    facts = facts_of(user)
    if "_has_staff_powers" not in facts:
        facts["_has_staff_powers"] = Authenticator.objects.filter(
            user_id=user.pk, type=Authenticator.Type.TOTP
        ).exists()
    return facts["_has_staff_powers"]


def needs_two_factor_for_staff_powers(user) -> bool:
    """A staff account whose powers stay off until two-factor is set up: pages tell it
    why, instead of a bare refusal."""
    return user.is_authenticated and user.is_staff and user.is_active and not is_staff(user)


def staff_with_powers() -> QuerySet[User]:
    """The people is_staff() says act with staff powers, as a query (who gets
    escalations)."""
    totp = Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
    return User.objects.filter(is_staff=True, is_active=True).filter(Exists(totp))


def check_staff(user, refusal: str) -> None:
    if not is_staff(user):
        raise PermissionDenied(refusal)


def can_open_groups_without_approval(user) -> bool:
    """Staff open groups at once; trusted members' proposals wait for approval."""
    return is_staff(user)


# Leading


def led_group_ids(user) -> QuerySet:
    """The ids of the groups the user leads or owns (a values queryset)."""
    return Membership.objects.leading().filter(user=user).values("group_id")


def leads_any_group(user) -> bool:
    if not user.is_authenticated:
        return False
    if is_staff(user):
        return True
    facts = facts_of(user)
    if "_leads_any_group" not in facts:
        facts["_leads_any_group"] = led_group_ids(user).exists()
    return facts["_leads_any_group"]


def can_propose_groups(user) -> bool:
    if not user.is_authenticated:
        return False
    if is_staff(user):
        return True
    if not SiteSettings.current().members_can_propose_groups:
        return False
    return user.is_trusted or leads_any_group(user)


def can_act_on(actor, target_membership: Membership) -> bool:
    try:
        check_can_act_on(actor, target_membership)
    except PermissionDenied:
        return False
    return True
