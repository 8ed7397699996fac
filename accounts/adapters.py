from allauth.account.adapter import DefaultAccountAdapter
from django.utils import timezone

from safety.rules import CURRENT_RULES_VERSION


class AccountAdapter(DefaultAccountAdapter):
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
