"""Who may see a member's recovery tools: the member, and nobody else. Not the leaders
of their groups, not staff, not Django admin (admin.py shows only that a record
exists and its size). Refusals are 404s, so nobody learns that something exists."""

from django.http import Http404

from recovery.models import Goal


def goals_visible_to(user):
    if not user.is_authenticated:
        return Goal.objects.none()
    return Goal.objects.filter(owner=user)


def get_goal_for_user(user, pk) -> Goal:
    goal = goals_visible_to(user).filter(pk=pk).first()
    if goal is None:
        raise Http404
    return goal


def check_owns(user, obj) -> None:
    """For services: `obj` (a goal, a check-in, a plan) belongs to `user`."""
    if not user.is_authenticated or obj.owner_id != user.pk:
        raise Http404
