"""A member's recovery data as a whole: for their data export, and for erasing it
with their account (settings.ACCOUNT_ERASERS)."""

from django.db import transaction

from recovery.models import CheckIn, Goal, SafetyPlan


def recovery_data_export(*, user) -> dict:
    goals = Goal.objects.filter(owner=user).prefetch_related("stretches__celebrations")
    plan = SafetyPlan.objects.filter(owner=user).first()
    return {
        "goals": [
            {
                "goal": goal.details,
                "created_at": goal.created_at.isoformat(),
                "stretches": [
                    {
                        "started_on": stretch.started_on.isoformat(),
                        "ended_on": stretch.ended_on.isoformat() if stretch.ended_on else None,
                        "restart_note": (stretch.restart_note or {}).get("note", ""),
                        "milestones_marked": [
                            {"days": c.days, "shared": c.shared} for c in stretch.celebrations.all()
                        ],
                    }
                    for stretch in goal.stretches.all()
                ],
            }
            for goal in goals
        ],
        "check_ins": [
            {"day": check_in.day.isoformat(), **check_in.answers}
            for check_in in CheckIn.objects.filter(owner=user).order_by("day")
        ],
        "safety_plan": plan.sections if plan else None,
    }


@transaction.atomic
def recovery_data_erase(*, user) -> None:
    Goal.objects.filter(owner=user).delete()
    CheckIn.objects.filter(owner=user).delete()
    SafetyPlan.objects.filter(owner=user).delete()
