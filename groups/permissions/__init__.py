"""The only home of the rules about who may do what, for every domain.

- table.py: standing x capability (with sanctions on top), site staff (staff powers need
  two-factor authentication), leading;
- facts.py: what the rules learnt about a user in this request (memberships, leading),
  so asking twice costs no query;
- content.py: locks, unpublished threads and posts, authorship, chat rooms;
- queue.py: who may see and handle moderation items.

Views, websocket consumers, templates (through `can_*` values the views pass),
admin and services all ask these functions. Objects of the apps above (threads,
posts, rooms) are read through their attributes, so nothing here imports above groups.
"""

from groups.permissions.content import (
    can_edit_in_thread,
    can_read_room,
    can_reply,
    check_can_edit_post,
    check_can_read_room,
    check_can_reply,
    check_can_see_post,
    check_can_see_thread,
    check_can_send_in_room,
    check_can_write,
    check_is_author,
    is_exempt_from_slow_mode,
)
from groups.permissions.facts import (
    forget_memberships,
    membership_of,
    memberships_by_group,
    remember_leading,
)
from groups.permissions.queue import (
    can_handle_item,
    can_open_queue,
    check_can_handle_item,
    items_visible_to,
    live_items_visible_to,
)
from groups.permissions.table import (
    Capability,
    Standing,
    can,
    can_act_on,
    can_open_groups_without_approval,
    can_propose_groups,
    check,
    check_can_act_on,
    check_staff,
    get_group_for_user,
    groups_readable_by,
    groups_visible_to,
    is_staff,
    leads_any_group,
    led_group_ids,
    needs_two_factor_for_staff_powers,
    notifications_visible_to,
    staff_with_powers,
    standing,
)

__all__ = [
    "Capability",
    "Standing",
    "can",
    "can_act_on",
    "can_edit_in_thread",
    "can_handle_item",
    "can_open_groups_without_approval",
    "can_open_queue",
    "can_propose_groups",
    "can_read_room",
    "can_reply",
    "check",
    "check_can_act_on",
    "check_can_edit_post",
    "check_can_handle_item",
    "check_can_read_room",
    "check_can_reply",
    "check_can_see_post",
    "check_can_see_thread",
    "check_can_send_in_room",
    "check_can_write",
    "check_is_author",
    "check_staff",
    "forget_memberships",
    "get_group_for_user",
    "groups_readable_by",
    "groups_visible_to",
    "is_exempt_from_slow_mode",
    "is_staff",
    "items_visible_to",
    "leads_any_group",
    "led_group_ids",
    "live_items_visible_to",
    "membership_of",
    "memberships_by_group",
    "needs_two_factor_for_staff_powers",
    "notifications_visible_to",
    "remember_leading",
    "staff_with_powers",
    "standing",
]
