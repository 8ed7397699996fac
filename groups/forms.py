from django import forms
from django.utils.translation import gettext_lazy as _

from groups.models import Group, Topic

REASON_HELP = _("The member will see this. Be kind and specific.")


class AcceptRulesForm(forms.Form):
    accept_rules = forms.BooleanField(
        label=_("I have read the group's rules and will follow them"),
        error_messages={"required": _("Please read and accept the group's rules to join.")},
    )


class JoinRequestForm(AcceptRulesForm):
    message = forms.CharField(
        label=_("A message to the peer leaders (optional)"),
        help_text=_("Say a little about why you'd like to join. Only the leaders see this."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    field_order = ["message", "accept_rules"]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        help_text=REASON_HELP,
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RequiredReasonForm(ReasonForm):
    reason = forms.CharField(
        label=_("Reason"),
        help_text=REASON_HELP,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please give a reason: the member will see it.")},
    )


class InviteForm(forms.Form):
    EXPIRY_CHOICES = [("1", _("1 day")), ("7", _("7 days")), ("30", _("30 days")), ("", _("Never"))]
    expires_in_days = forms.TypedChoiceField(
        label=_("Link stops working after"), choices=EXPIRY_CHOICES, coerce=int,
        empty_value=None, required=False, initial="7",
    )  # fmt: skip
    max_uses = forms.IntegerField(
        label=_("Most people who can use it (optional)"),
        required=False,
        min_value=1,
        max_value=1000,
    )


class ListedForm(forms.Form):
    listed = forms.BooleanField(label=_("Show me in this group's member list"), required=False)


class GroupForm(forms.ModelForm):
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Topics"),
    )

    class Meta:
        model = Group
        fields = [
            "name", "slug", "short_description", "topics", "visibility", "join_policy",
            "about", "rules", "welcome_message",
        ]  # fmt: skip
        help_texts = {
            "slug": _("Lower-case letters, numbers and hyphens, used in the group's address."),
            "short_description": _("One sentence shown in the group directory."),
            "about": _("Who the group is for and how it works. Markdown is allowed."),
            "rules": _("What members agree to before they join. Changing them asks every "
                       "member to accept the new version."),
            "welcome_message": _("Shown to each new member when they join."),
        }  # fmt: skip
        widgets = {
            "about": forms.Textarea(attrs={"rows": 6}),
            "rules": forms.Textarea(attrs={"rows": 6}),
            "welcome_message": forms.Textarea(attrs={"rows": 4}),
        }


class GroupEditForm(GroupForm):
    """Leaders edit the words; only the owner (or staff) changes name and access."""

    class Meta(GroupForm.Meta):
        fields = [
            "name", "short_description", "topics", "visibility", "join_policy",
            "about", "rules", "welcome_message",
        ]  # fmt: skip

    def __init__(self, *args, can_change_access: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_change_access:
            for name in ("name", "visibility", "join_policy"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Only the group's owner can change this.")
