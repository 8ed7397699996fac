"""Reaching out from the craving SOS, when the member chooses to: a short message in
a group's chat, or a support request to its leaders (limited by SUPPORT_REQUEST in
moderation's own service, which never turns away a person asking for help when the
counter can't be reached)."""

from django.utils.translation import gettext as _

from chat.models import ChatMessage
from chat.services import chat_message_send, room_for
from groups import limits
from groups.models import Group
from moderation.services.support import support_request


def sos_post_to_chat(*, acting_user, group: Group, body: str, client_msg_id) -> ChatMessage:
    # A resend of a message already saved (a double tap) is never counted.
    if not ChatMessage.objects.filter(author=acting_user, client_msg_id=client_msg_id).exists():
        limits.take(limits.SOS_CHAT_POST, acting_user.pk, _(
            "You've reached out to a group's chat a few times just now, so we've paused "
            "sending there for a little while: your group has your messages. You can still "
            "ask its peer leaders for support below, and if you need help right now, please "
            "use a helpline on “Get help now”."
        ))  # fmt: skip
    message, _created = chat_message_send(
        acting_user=acting_user, room=room_for(group), body=body, client_msg_id=client_msg_id
    )
    return message


def sos_ask_leaders(*, acting_user, group: Group, message: str = ""):
    return support_request(acting_user=acting_user, group=group, message=message)
