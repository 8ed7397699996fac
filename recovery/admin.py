"""Members' recovery data in admin: that it exists, and how big it is. Never its
content: no field of it is shown, searched, listed or editable, and nothing can be
added, changed or deleted here (a member erases their data with their account)."""

from django.contrib import admin
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from groups.admin import ReadOnlyAdmin
from recovery.models import CheckIn, Goal, SafetyPlan

ENCRYPTED = {Goal: "details", CheckIn: "answers", SafetyPlan: "sections"}


class ExistenceOnlyAdmin(ReadOnlyAdmin):
    list_display = ["pk", "owner_id", "stored_size"]
    fields = ["owner_id", "stored_size"]
    readonly_fields = fields
    list_display_links = None

    def get_queryset(self, request):
        column = ENCRYPTED[self.model]
        return super().get_queryset(request).defer(column).annotate(stored_bytes=Length(column))

    @admin.display(description=_("stored size (encrypted)"))
    def stored_size(self, obj):
        return _("%(bytes)d bytes") % {"bytes": obj.stored_bytes}


for model in ENCRYPTED:
    admin.site.register(model, ExistenceOnlyAdmin)
