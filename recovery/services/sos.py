"""Reaching out from the craving SOS, when the member chooses to: a short message in
a group's chat, or a support request to its leaders. Rate-limited, so a hard hour
can't flood a group (and a leader's queue holds one live request per member anyway)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.services import chat_message_send, room_for
from groups.models import Group
from moderation.services.support import support_request
from recovery.models import SupportShare

SHARES_PER_HOUR = 3


def _check_rate(user, now) -> None:
    since = (now or timezone.now()) - datetime.timedelta(hours=1)
    if SupportShare.objects.filter(owner=user, created_at__gte=since).count() >= SHARES_PER_HOUR:
        raise ValidationError(
            _("You've reached out %(n)d times in the last hour, so we've paused sending for "
              "a little while. Your group has your messages. If you need help right now, "
              "please use a helpline on “Get help now”.") % {"n": SHARES_PER_HOUR}
        )  # fmt: skip


@transaction.atomic
def sos_post_to_chat(*, acting_user, group: Group, body: str, client_msg_id, now=None):
    _check_rate(acting_user, now)
    message, created = chat_message_send(
        acting_user=acting_user, room=room_for(group), body=body, client_msg_id=client_msg_id
    )
    if created:
        SupportShare.objects.create(owner=acting_user, kind=SupportShare.Kind.CHAT)
    return message


@transaction.atomic
def sos_ask_leaders(*, acting_user, group: Group, message: str = "", now=None):
    _check_rate(acting_user, now)
    item = support_request(acting_user=acting_user, group=group, message=message)
    SupportShare.objects.create(owner=acting_user, kind=SupportShare.Kind.LEADERS)
    return item
