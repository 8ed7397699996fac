"""The chat room page: readable without JavaScript (the latest messages, paging back,
a plain form to send), then live over a websocket with static/js/chat.js."""

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from groups import permissions
from groups.forms import ReportForm
from groups.models import ChatMessage, ChatRoom
from groups.models.chat import MESSAGE_MAX_LENGTH
from groups.permissions import Capability
from groups.services import chat


class RoomSettingsForm(forms.Form):
    slow_mode_seconds = forms.IntegerField(
        label=_("Slow mode: seconds between a member's messages (0 for off)"),
        min_value=0, max_value=3600,
    )  # fmt: skip
    locked = forms.BooleanField(label=_("Pause the chat (only leaders can write)"), required=False)


def _room(request, slug, kind) -> ChatRoom:
    group = permissions.get_group_for_user(request.user, slug)
    room = chat.room_for(group, kind)
    room.group = group
    chat.check_can_read(request.user, room)
    return room


def room_url(room: ChatRoom) -> str:
    name = "groups:leaders_chat" if room.kind == ChatRoom.Kind.LEADERS else "groups:chat"
    return reverse(name, args=[room.group.slug])


@login_required
@require_http_methods(["GET", "POST"])
def chat_view(request, slug, kind=ChatRoom.Kind.MEMBERS):
    room = _room(request, slug, kind)
    draft = ""
    if request.method == "POST":
        # Sending without JavaScript: the hidden client id makes a double submit harmless.
        draft = request.POST.get("body", "")
        try:
            chat.chat_message_send(acting_user=request.user, room=room, body=draft,
                                   client_msg_id=request.POST.get("client_msg_id", ""))  # fmt: skip
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            messages.error(request, text)
        else:
            return redirect(room_url(room) + "#composer")
    try:
        before = int(request.GET["before"]) if "before" in request.GET else None
    except ValueError:
        before = None
    rows, has_earlier = chat.latest_messages(room, before_seq=before)
    can_send = True
    reason = ""
    try:
        chat.check_can_send(request.user, room)
    except (PermissionDenied, ValidationError) as error:
        can_send, reason = False, str(error)
    group = room.group
    membership = permissions.membership_of(request.user, group)
    context = {
        "group": group, "room": room, "chat_messages": rows, "has_earlier": has_earlier,
        "earliest_seq": rows[0].seq if rows else None, "paging": before is not None,
        "last_seq": rows[-1].seq if rows and before is None else room.last_seq,
        "can_send": can_send, "cannot_send_reason": reason, "draft": draft,
        "client_msg_id": uuid.uuid4(), "max_length": MESSAGE_MAX_LENGTH,
        "is_leader": permissions.can(request.user, Capability.MODERATE, group),
        "membership": membership,
        "settings_form": RoomSettingsForm(initial={
            "slow_mode_seconds": room.slow_mode_seconds, "locked": room.is_locked}),
        "socket_path": f"/ws/groups/{group.slug}/chat/"
        + ("leaders/" if room.kind == ChatRoom.Kind.LEADERS else ""),
    }  # fmt: skip
    return render(request, "groups/chat/room.html", context)


@login_required
@require_POST
def room_settings_view(request, slug, kind=ChatRoom.Kind.MEMBERS):
    room = _room(request, slug, kind)
    permissions.check(request.user, Capability.MODERATE, room.group)
    form = RoomSettingsForm(request.POST)
    if form.is_valid():
        chat.room_update(acting_user=request.user, room=room, **form.cleaned_data)
        messages.success(request, _("The chat settings are saved."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(room_url(room))


def _message(request, slug, pk) -> ChatMessage:
    group = permissions.get_group_for_user(request.user, slug)
    message = get_object_or_404(
        ChatMessage.objects.select_related("room__group", "author"), pk=pk, room__group=group
    )
    chat.check_can_read(request.user, message.room)
    return message


@login_required
@require_POST
def message_delete_view(request, slug, pk):
    message = _message(request, slug, pk)
    chat.chat_message_delete(acting_user=request.user, message=message,
                             reason=request.POST.get("reason", "")[:1000])  # fmt: skip
    return redirect(room_url(message.room))


@login_required
@require_http_methods(["GET", "POST"])
def message_report_view(request, slug, pk):
    message = _message(request, slug, pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            chat.chat_message_report(acting_user=request.user, message=message,
                                     **form.cleaned_data)  # fmt: skip
        except ValidationError as error:
            messages.info(request, " ".join(error.messages))
        else:
            messages.success(request, _("Thank you for telling us. The group's peer leaders will "
                                        "look at it. Only they can see who reported."))  # fmt: skip
        return redirect(room_url(message.room))
    context = {"group": message.room.group, "message": message, "form": form}
    return render(request, "groups/chat/report.html", context)
