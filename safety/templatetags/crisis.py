from django import template

from safety.crisis import browser_script

register = template.Library()


@register.inclusion_tag("safety/_crisis_prompt.html", takes_context=True)
def crisis_prompt(context):
    """A gentle, non-blocking prompt shown while a member's draft reads like crisis.
    The phrases travel as JSON data; matching happens in the browser."""
    return {
        "phrases_script": browser_script(),
        "csp_nonce": context.get("csp_nonce", ""),
    }
