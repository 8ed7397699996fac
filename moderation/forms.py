from django import forms
from django.utils.translation import gettext_lazy as _

from forum.models import ContentWarning
from groups.forms import MemberTextField


class ItemActionForm(forms.Form):
    MUTE_FOR = [("1h", _("1 hour")), ("24h", _("24 hours")), ("7d", _("7 days")),
                ("custom", _("Until a time I choose"))]  # fmt: skip

    action = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=1000,
        help_text=_("The member sees this (except for dismissals and escalations). Be kind "
                    "and specific."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    mute_for = forms.ChoiceField(label=_("Mute for"), choices=MUTE_FOR, required=False,
                                 widget=forms.RadioSelect)  # fmt: skip
    mute_until = forms.DateTimeField(
        label=_("Mute until (for “until a time I choose”)"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )  # fmt: skip
    content_warning = forms.ChoiceField(
        label=_("Content warning to add"), choices=ContentWarning.choices[1:], required=False
    )


class AppealForm(forms.Form):
    message = MemberTextField(
        what=_("appeal"), label=_("Why should this decision change?"), max_length=2000,
        help_text=_("You can appeal each decision once. Another peer leader or an "
                    "administrator will read it."),
    )  # fmt: skip


class SupportForm(forms.Form):
    message = forms.CharField(
        label=_("Anything you'd like the leaders to know (optional)"), required=False,
        max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
