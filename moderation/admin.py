"""Admin for the queue: review items and reports (read-only: decisions are made on the
queue pages), sanctions (admins add site-wide suspensions and lift sanctions through
the service) and appeals."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, When
from django.utils.translation import gettext_lazy as _

from groups.models import Report, ReviewEvent, ReviewItem, Sanction
from groups.services import sanctions
from moderation.models import Appeal


class ReviewEventInline(admin.TabularInline):
    model = ReviewEvent
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "actor", "action", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Read-only: reports are decided on in the queue, through their review item."""

    list_display = ["created_at", "reason", "group", "target_key", "subject", "reporter"]
    list_filter = ["reason", "group"]
    list_select_related = ["group", "subject", "reporter"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Report._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReviewItem)
class ReviewItemAdmin(admin.ModelAdmin):
    """The queue as admins see it: escalated items first. Decisions are made on the
    queue page, where they are logged and enforced; here everything is read-only."""

    list_display = ["__str__", "urgency", "status", "group", "subject", "created_at",
                    "escalated_at"]  # fmt: skip
    list_filter = ["status", "urgency", "kind", "group"]
    search_fields = ["subject__display_name", "target_key"]
    list_select_related = ["group", "subject"]
    inlines = [ReviewEventInline]

    def get_ordering(self, request):
        return [Case(When(status=ReviewItem.Status.ESCALATED, then=0), default=1), "urgency",
                "created_at"]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in ReviewItem._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SanctionAdminForm(forms.ModelForm):
    class Meta:
        model = Sanction
        fields = ["user", "kind", "reason", "staff_note", "ends_at"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") != Sanction.Kind.SUSPENSION:
            raise forms.ValidationError(
                _("Group sanctions are given from the moderation queue. Here, admins add "
                  "site-wide suspensions.")
            )  # fmt: skip
        if not cleaned.get("ends_at"):
            self.add_error("ends_at", _("Please say when the suspension ends."))
        return cleaned


@admin.register(Sanction)
class SanctionAdmin(admin.ModelAdmin):
    """Sanctions are read-only records; admins add site-wide suspensions here, which go
    through the same service (and log) as everything else."""

    form = SanctionAdminForm
    list_display = ["user", "kind", "group", "created_at", "ends_at", "lifted_at", "created_by"]
    list_filter = ["kind", "group"]
    search_fields = ["user__display_name", "reason"]
    raw_id_fields = ["user"]
    list_select_related = ["user", "group", "created_by"]

    def has_change_permission(self, request, obj=None):
        return obj is None

    def has_delete_permission(self, request, obj=None):
        return False

    actions = ["lift"]

    def save_model(self, request, obj, form, change):
        sanction = sanctions.sanction_suspend(
            acting_user=request.user, user=obj.user, reason=obj.reason, until=obj.ends_at
        )
        obj.pk = sanction.pk

    @admin.action(description=_("Lift the selected sanctions"))
    def lift(self, request, queryset):
        for sanction in queryset.filter(lifted_at__isnull=True):
            try:
                sanctions.sanction_lift(acting_user=request.user, sanction=sanction)
            except (PermissionDenied, ValidationError) as error:
                self.message_user(request, f"{sanction}: {error}", messages.ERROR)
        self.message_user(request, _("The sanctions are lifted."))


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = ["sanction", "created_at"]
    readonly_fields = ["sanction", "message", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
