from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.forms import DisplayNameField, check_display_name_free
from accounts.models import User


class DisplayNameAdminMixin:
    def clean_display_name(self):
        name = self.cleaned_data["display_name"]
        check_display_name_free(name, exclude_user=self.instance if self.instance.pk else None)
        return name


class UserCreationAdminForm(DisplayNameAdminMixin, AdminUserCreationForm):
    display_name = DisplayNameField()

    class Meta:
        model = User
        fields = ["email", "display_name"]


class UserChangeAdminForm(DisplayNameAdminMixin, UserChangeForm):
    display_name = DisplayNameField()

    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    ordering = ["-date_joined"]
    list_display = ["display_name", "email", "is_active", "is_staff", "date_joined", "deleted_at"]
    list_filter = ["is_active", "is_trusted", "is_staff", "is_superuser", "country"]
    search_fields = ["display_name", "email"]
    readonly_fields = [
        "display_name_key",
        "date_joined",
        "last_login",
        "deleted_at",
        "confirmed_adult_at",
        "rules_version_accepted",
        "rules_accepted_at",
    ]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Profile"),
            {"fields": ["display_name", "display_name_key", "about", "time_zone", "country"]},
        ),
        (
            _("Consent"),
            {"fields": ["confirmed_adult_at", "rules_version_accepted", "rules_accepted_at"]},
        ),
        (
            _("Permissions"),
            {
                "fields": [
                    "is_active",
                    "is_trusted",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        (_("Dates"), {"fields": ["date_joined", "last_login", "deleted_at"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "display_name", "usable_password", "password1", "password2"],
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        # Keep the look-alike key in step with a name changed here.
        obj.set_display_name(obj.display_name)
        super().save_model(request, obj, form, change)
