"""Getting a human to a member who may be at risk: the "I need support now" button,
and reports about a member's conduct."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chat.models import ChatRoom
from chat.services import chat_notice_post, room_for
from groups import limits, permissions
from groups.models import Group, Report, ReviewItem, Target
from groups.models.queue import member_target_key, target_key
from groups.permissions import Capability
from groups.services.queue import open_item
from groups.services.reports import report_file


def support_key(user, group: Group) -> str:
    return target_key(Target.SUPPORT, user.pk, group.pk)


@transaction.atomic
def support_request(*, acting_user, group: Group, message: str = "") -> ReviewItem:
    """A member asks the group's leaders for support: an urgent queue item, and a
    quiet notice in the leaders' room (never in the members' chat)."""
    permissions.check(acting_user, Capability.READ, group)
    if not permissions.can(acting_user, Capability.SEE_MEMBERS, group):
        raise ValidationError(_("Only members of this group can ask its leaders for support."))
    message = (message or "").strip()[:1000]
    limits.take(limits.SUPPORT_REQUEST, acting_user.pk, _(
        "You've asked a few times just now, and the leaders have your request: it's at the "
        "top of their queue. If you're in danger now, please use the helplines on this page."
    ))  # fmt: skip
    item = open_item(
        kind=ReviewItem.Kind.SUPPORT, target_key=support_key(acting_user, group), group=group,
        urgent=True, reason=Report.Reason.RISK, actor=acting_user, subject=acting_user,
        snapshot=message,
    )  # fmt: skip
    chat_notice_post(
        room=room_for(group, ChatRoom.Kind.LEADERS), author=acting_user,
        body=_("%(name)s is asking for support. Please open the moderation queue.")
        % {"name": acting_user.public_name},
    )  # fmt: skip
    return item


def member_report(*, acting_user, group: Group, member, reason: str, note: str = "") -> Report:
    """A report about a member's conduct (not one post): it enters the group's queue."""
    if member.pk == acting_user.pk:
        raise ValidationError(_("You can't report yourself."))
    return report_file(
        acting_user=acting_user, group=group, target_key=member_target_key(member.pk, group.pk),
        subject=member, reason=reason, note=note, snapshot=note,
        already_reported=_("You've already reported this member. Thank you: the leaders "
                           "have it."),
    )  # fmt: skip
