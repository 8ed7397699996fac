"""Creating, proposing, approving and editing groups, from the app and from admin."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groups import permissions
from groups.models import Group, Membership, ModerationLogEntry
from groups.permissions import Capability
from groups.services.audit import log_action

Action = ModerationLogEntry.Action
EDITABLE_BY_LEADERS = [
    "short_description", "about", "rules", "welcome_message", "topics",
    "held_posts_for_new_members",
]  # fmt: skip
EDITABLE_BY_OWNER = ["name", "visibility", "join_policy"]


@transaction.atomic
def group_create(*, acting_user, topics=(), **fields) -> Group:
    """Staff create groups directly; trusted members propose them for approval. The
    creator becomes the owner either way."""
    if not permissions.can_propose_groups(acting_user):
        raise PermissionDenied(_("Only trusted members can propose new groups."))
    opens = permissions.can_open_groups_without_approval(acting_user)
    status = Group.Status.ACTIVE if opens else Group.Status.PROPOSED
    group = Group(status=status, proposed_by=acting_user, **fields)
    group.full_clean()
    group.save()
    group.topics.set(topics)
    Membership.objects.create(
        user=acting_user, group=group, role=Membership.Role.OWNER,
        state=Membership.State.ACTIVE, joined_at=timezone.now(),
        accepted_rules_version=group.rules_version,
    )  # fmt: skip
    action = Action.GROUP_CREATED if status == Group.Status.ACTIVE else Action.GROUP_PROPOSED
    log_action(actor=acting_user, action=action, group=group)
    return group


@transaction.atomic
def group_approve(*, acting_user, group: Group) -> Group:
    permissions.check_staff(acting_user, _("Only administrators can approve proposed groups."))
    group = Group.objects.select_for_update().get(pk=group.pk)
    if group.status != Group.Status.PROPOSED:
        raise ValidationError(_("This group is not waiting for approval."))
    group.status = Group.Status.ACTIVE
    group.save(update_fields=["status"])
    log_action(actor=acting_user, action=Action.GROUP_APPROVED, group=group)
    return group


@transaction.atomic
def group_update(*, acting_user, group: Group, **changes) -> Group:
    permissions.check(acting_user, Capability.EDIT_GROUP, group)
    group = Group.objects.select_for_update().get(pk=group.pk)
    owner_fields = [
        name for name in EDITABLE_BY_OWNER
        if name in changes and changes[name] != getattr(group, name)
    ]  # fmt: skip
    if owner_fields:
        permissions.check(acting_user, Capability.CHANGE_VISIBILITY, group)
    unknown = set(changes) - set(EDITABLE_BY_LEADERS) - set(EDITABLE_BY_OWNER)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    topics = changes.pop("topics", None)
    rules_changed = "rules" in changes and changes["rules"] != group.rules
    changed = [name for name, value in changes.items() if getattr(group, name) != value]
    for name, value in changes.items():
        setattr(group, name, value)
    if rules_changed:
        # Members accept the new version before they next post.
        group.rules_version += 1
        group.rules_updated_at = timezone.now()
    group.full_clean()
    group.save()
    if topics is not None and {t.pk for t in topics} != set(
        group.topics.values_list("pk", flat=True)
    ):
        group.topics.set(topics)
        changed.append("topics")
    if rules_changed:
        log_action(
            actor=acting_user, action=Action.RULES_CHANGED, group=group,
            version=group.rules_version, fields=changed,
        )  # fmt: skip
    elif changed:
        log_action(actor=acting_user, action=Action.GROUP_EDITED, group=group, fields=changed)
    return group
