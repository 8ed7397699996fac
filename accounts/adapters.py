from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import timezone

from safety.rules import CURRENT_RULES_VERSION


@dataclass(frozen=True)
class MailSite:
    """What allauth's mail templates call current_site: our name and our address, not
    the host a request happened to arrive on (127.0.0.1:8000 behind the proxy)."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        site = MailSite(name=settings.SITE_NAME, domain=settings.SITE_URL)
        super().send_mail(template_prefix, email, {**context, "current_site": site})

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        now = timezone.now()
        user.set_display_name(form.cleaned_data["display_name"])
        user.confirmed_adult_at = now
        user.rules_version_accepted = CURRENT_RULES_VERSION
        user.rules_accepted_at = now
        if commit:
            user.save()
        return user
