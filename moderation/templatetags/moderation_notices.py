from django import template

from groups.selectors import sanctions_in_force

register = template.Library()


@register.inclusion_tag("moderation/_sanctions.html", takes_context=True)
def sanctions_notice(context, group):
    """The member's sanctions in force in this group, each with its appeal."""
    user = context["request"].user
    return {"sanctions": list(sanctions_in_force(user, group).select_related("appeal"))}
