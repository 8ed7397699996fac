"""What the rules learn about a user in one request, kept on the user object: their
membership rows, whether they lead a group, whether they act with staff powers. Asked
again within the request, each costs no query; forget_memberships starts over (a
service that changed a membership, a long-lived socket's user)."""

from groups.models import Group, Membership


def facts_of(user) -> dict:
    """Where the rules remember what they learnt about a user for this request: the
    user object's own attributes (not a lazy request.user wrapper's, so what the
    backend loaded with the user is seen)."""
    return getattr(user, "_wrapped", user).__dict__


def membership_of(user, group: Group) -> Membership | None:
    """The user's membership row in the group (any state), cached on the user per
    group; no query at all once all their rows are loaded (memberships_by_group)."""
    if not user.is_authenticated:
        return None
    facts = facts_of(user)
    cache = facts.setdefault("_membership_cache", {})
    if group.pk not in cache:
        if facts.get("_memberships_complete"):
            return None
        cache[group.pk] = Membership.objects.filter(user=user, group=group).first()
    membership = cache[group.pk]
    if membership is not None and not Membership.group.is_cached(membership):
        membership.group = group  # the rules check reads it: no second fetch
    return membership


def memberships_by_group(user) -> dict[int, Membership]:
    """All the user's membership rows by group id, in one query, for a page about many
    groups; membership_of then asks nothing more."""
    if not user.is_authenticated:
        return {}
    facts = facts_of(user)
    if not facts.get("_memberships_complete"):
        _remember_memberships(user, Membership.objects.filter(user=user))
    return facts["_membership_cache"]


def _remember_memberships(user, memberships) -> None:
    """Every membership row the user has: membership_of and leads_any_group then need
    no query."""
    facts = facts_of(user)
    rows = list(memberships)
    facts["_membership_cache"] = {row.group_id: row for row in rows}
    facts["_memberships_complete"] = True
    facts["_leads_any_group"] = any(row.is_leading for row in rows)


def remember_leading(user, leads: bool) -> None:
    """Whether the user leads any group, as loaded with the user (peersupport/auth.py):
    the header's queue link then needs no query of its own."""
    facts_of(user)["_leads_any_group"] = leads


def forget_memberships(user) -> None:
    """Forget what the rules cached on the user object (memberships, staff powers), so
    a long-lived object (a socket's user) is judged on what the database says now."""
    facts = facts_of(user)
    names = ("_membership_cache", "_memberships_complete", "_leads_any_group", "_has_staff_powers")
    for name in names:
        facts.pop(name, None)
