from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from groups.models import Group, Report, Topic
from groups.text import HIDDEN_CHARACTERS, without_hidden_characters

REASON_HELP = _("The member will see this. Be kind and specific.")
REPORT_THANKS = _(
    "Thank you for telling us. The group's peer leaders will look at it. Only they can see "
    "who reported."
)


def add_form_errors(form, error: ValidationError) -> None:
    """Show a service's refusal on the form, by field where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


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
            "about", "rules", "welcome_message", "held_posts_for_new_members",
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
            "held_posts_for_new_members": forms.NumberInput(attrs={"min": 0, "max": 20}),
            "about": forms.Textarea(attrs={"rows": 6}),
            "rules": forms.Textarea(attrs={"rows": 6}),
            "welcome_message": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty, the usual number applies.
        self.fields["held_posts_for_new_members"].required = False

    def clean_held_posts_for_new_members(self):
        value = self.cleaned_data.get("held_posts_for_new_members")
        return (
            Group._meta.get_field("held_posts_for_new_members").default if value is None else value
        )


class GroupEditForm(GroupForm):
    """Leaders edit the words; only the owner (or staff) changes name and access."""

    class Meta(GroupForm.Meta):
        fields = [
            "name", "short_description", "topics", "visibility", "join_policy",
            "about", "rules", "welcome_message", "held_posts_for_new_members",
        ]  # fmt: skip

    def __init__(self, *args, can_change_access: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_change_access:
            for name in ("name", "visibility", "join_policy"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Only the group's owner can change this.")


# Text members write


class CleanedTextarea(forms.Textarea):
    """Shows the member's draft back without the hidden characters we refused."""

    def format_value(self, value):
        return without_hidden_characters(super().format_value(value))


class CleanedTextInput(forms.TextInput):
    def format_value(self, value):
        return without_hidden_characters(super().format_value(value))


class MemberTextField(forms.CharField):
    """Text a member writes: kind messages, and hidden control characters refused."""

    def __init__(self, *, what: str, **kwargs):
        kwargs.setdefault("widget", CleanedTextarea(attrs={"rows": 8}))
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not _is_null_validator(v)]
        self.error_messages["required"] = _("Please write your %(what)s before sending.") % {
            "what": what
        }
        self.error_messages["max_length"] = _(
            "Your %(what)s is %(length)s characters; the most we can take is %(limit)s. "
            "Everything you wrote is still here, so you can shorten it or split it in two."
        )
        self.what = what

    def widget_attrs(self, widget):
        # No maxlength: a browser would silently cut a pasted draft short.
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs

    def to_python(self, value):
        value = super().to_python(value)
        hidden = [char for char in value if char in HIDDEN_CHARACTERS]
        if hidden:
            raise forms.ValidationError(
                _(
                    "Your %(what)s contained %(n)d hidden control character(s), which we've "
                    "taken out. Please check it reads as you meant and send it again."
                ),
                code="hidden_characters",
                params={"what": self.what, "n": len(hidden)},
            )
        return value

    def validate(self, value):
        super().validate(value)
        if self.max_length is not None and len(value) > self.max_length:
            raise forms.ValidationError(
                self.error_messages["max_length"],
                code="max_length",
                params={"what": self.what, "length": f"{len(value):,}",
                        "limit": f"{self.max_length:,}"},
            )  # fmt: skip


def _is_null_validator(validator) -> bool:
    # Our own checks give kinder messages than these.
    return isinstance(validator, ProhibitNullCharactersValidator | MaxLengthValidator)


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What's wrong?"),
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose the reason closest to what you saw.")},
    )
    note = forms.CharField(
        label=_("Anything else the leaders should know (optional)"), required=False,
        max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
