from django import template

from recovery import selectors
from recovery.days import local_today

register = template.Library()


@register.inclusion_tag("recovery/_home_card_body.html", takes_context=True)
def recovery_home_card(context):
    """For the member's home: today's check-in, their goals' days, the plan a tap away."""
    user = context["request"].user
    today = local_today(user)
    return {
        "goals": selectors.goals_with_progress(user, today),
        "today_check_in": selectors.check_in_for(user, today),
    }
