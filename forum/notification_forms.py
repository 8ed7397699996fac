"""The member's choices about notifications: per kind in the app, by email, or off."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Digest
from groups.models import Notification
from groups.models.notifications import LEADER_KINDS
from groups.services import notification_email

CHANNELS = [
    (notification_email.APP, _("On the site")),
    (notification_email.EMAIL, _("On the site and by email")),
    (notification_email.OFF, _("Off")),
]


class NotificationSettingsForm(forms.Form):
    email_on = forms.BooleanField(
        label=_("Send me emails"), required=False,
        help_text=_("Emails never say what happened or in which group, only that "
                    "something is waiting for you."),
    )  # fmt: skip
    digest = forms.ChoiceField(label=_("Summary email"), choices=Digest.choices,
                               widget=forms.RadioSelect)  # fmt: skip
    quiet_from = forms.TimeField(
        label=_("Quiet hours start"), required=False,
        help_text=_("No emails between these times, in your time zone. For example 22:00."),
        error_messages={"invalid": _("Enter a time like 22:00.")},
    )  # fmt: skip
    quiet_until = forms.TimeField(
        label=_("Quiet hours end"), required=False,
        help_text=_("For example 07:30."),
        error_messages={"invalid": _("Enter a time like 07:30.")},
    )  # fmt: skip
    urgent_in_quiet_hours = forms.BooleanField(
        label=_("If I lead a group, email me urgent queue items even in quiet hours"),
        required=False,
    )  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        self.user = user
        initial = {
            "email_on": user.email_unsubscribed_at is None, "digest": user.digest,
            "quiet_from": user.quiet_from, "quiet_until": user.quiet_until,
            "urgent_in_quiet_hours": user.urgent_in_quiet_hours,
        }  # fmt: skip
        for kind in Notification.Kind.values:
            initial[f"kind_{kind}"] = notification_email.choice_for(user, kind)
        super().__init__(*args, initial=initial, **kwargs)
        for kind, label in Notification.Kind.choices:
            if kind in LEADER_KINDS and not self.leads:
                continue
            self.fields[f"kind_{kind}"] = forms.ChoiceField(
                label=label, choices=CHANNELS, widget=forms.RadioSelect
            )

    @property
    def leads(self) -> bool:
        from groups import permissions

        return permissions.leads_any_group(self.user)

    def clean(self):
        data = super().clean()
        if bool(data.get("quiet_from")) != bool(data.get("quiet_until")):
            missing = "quiet_until" if data.get("quiet_from") else "quiet_from"
            self.add_error(missing, _("Enter both times, or leave both empty."))
        return data

    def choices(self) -> dict[str, str]:
        return {
            name.removeprefix("kind_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("kind_")
        }

    def kind_fields(self):
        return [self[name] for name in self.fields if name.startswith("kind_")]

    def other_fields(self):
        return [self[name] for name in self.fields if not name.startswith("kind_")]
