"""Getting a human to a member who may be at risk: crisis language in what they send,
and the "I need support now" button."""

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from groups import permissions
from groups.models import ChatMessage, ChatRoom, Group, Report, ReviewItem
from groups.permissions import Capability
from groups.services import chat
from groups.services import moderation as queue
from safety.crisis import crisis_categories

CRISIS_REASON = Report.Reason.RISK


def flag_if_crisis(*, author, group: Group, text: str, target_key: str, **target) -> None:
    """When what a member sent reads like crisis, their group's leaders get an urgent
    item at once. Only a reference is kept, not a copy of the words."""
    categories = crisis_categories(text)
    if not categories:
        return
    queue.open_item(
        kind=ReviewItem.Kind.AUTO_FLAG, target_key=target_key, group=group, urgent=True,
        reason=CRISIS_REASON, subject=author, **target,
    )  # fmt: skip


@transaction.atomic
def support_request(*, acting_user, group: Group, message: str = "") -> ReviewItem:
    """A member asks the group's leaders for support: an urgent queue item, and a
    quiet notice in the leaders' room (never in the members' chat)."""
    permissions.check(acting_user, Capability.READ, group)
    if not permissions.can(acting_user, Capability.SEE_MEMBERS, group):
        raise ValidationError(_("Only members of this group can ask its leaders for support."))
    message = (message or "").strip()[:1000]
    item = queue.open_item(
        kind=ReviewItem.Kind.SUPPORT, target_key=f"support:{acting_user.pk}:{group.pk}",
        group=group, urgent=True, reason=CRISIS_REASON, actor=acting_user, subject=acting_user,
        snapshot=message,
    )  # fmt: skip
    room = ChatRoom.objects.select_for_update(of=("self",)).get(
        pk=chat.room_for(group, ChatRoom.Kind.LEADERS).pk
    )
    room.last_seq += 1
    room.save(update_fields=["last_seq"])
    notice = ChatMessage.objects.create(
        room=room, seq=room.last_seq, author=acting_user, client_msg_id=uuid.uuid4(),
        is_notice=True,
        body=_("%(name)s is asking for support. Please open the moderation queue.")
        % {"name": acting_user.public_name},
    )  # fmt: skip
    chat.broadcast(room.pk, {"type": "chat.message", "message": chat.payload(notice)})
    return item
