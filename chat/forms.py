from django import forms
from django.utils.translation import gettext_lazy as _


class RoomSettingsForm(forms.Form):
    slow_mode_seconds = forms.IntegerField(
        label=_("Slow mode: seconds between a member's messages (0 for off)"),
        min_value=0, max_value=3600,
    )  # fmt: skip
    locked = forms.BooleanField(label=_("Pause the chat (only leaders can write)"), required=False)
