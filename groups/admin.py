from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from groups.models import Group, Invite, Membership, ModerationLogEntry, SiteSettings, Topic
from groups.services import groups as group_services


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "state", "muted_until", "joined_at"]
    readonly_fields = ["joined_at"]
    raw_id_fields = ["user"]
    show_change_link = True


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "visibility", "join_policy", "status", "active_members",
                    "last_activity_at"]  # fmt: skip
    list_filter = ["status", "visibility", "join_policy", "topics"]
    search_fields = ["name", "slug", "short_description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["topics"]
    readonly_fields = ["rules_version", "rules_updated_at", "created_at", "proposed_by"]
    inlines = [MembershipInline]
    actions = ["approve_proposals"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(active_count=Count("memberships", filter=Q(memberships__state="active")))
        )

    @admin.display(description=_("members"), ordering="active_count")
    def active_members(self, group):
        return group.active_count

    @admin.action(description=_("Approve the selected proposed groups"))
    def approve_proposals(self, request, queryset):
        approved = 0
        for group in queryset.filter(status=Group.Status.PROPOSED):
            try:
                group_services.group_approve(acting_user=request.user, group=group)
                approved += 1
            except (PermissionDenied, ValidationError) as error:
                self.message_user(request, f"{group}: {error}", messages.ERROR)
        self.message_user(request, _("%(n)d group(s) approved.") % {"n": approved})


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "group", "role", "state", "muted_until", "joined_at"]
    list_filter = ["role", "state", "group"]
    search_fields = ["user__display_name", "user__email", "group__name"]
    raw_id_fields = ["user", "group"]
    list_select_related = ["user", "group"]


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    list_display = ["group", "created_by", "created_at", "expires_at", "use_count", "max_uses",
                    "revoked_at"]  # fmt: skip
    list_filter = ["group"]
    readonly_fields = ["token", "created_at", "use_count"]
    raw_id_fields = ["created_by"]
    list_select_related = ["group", "created_by"]


@admin.register(ModerationLogEntry)
class ModerationLogEntryAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only, for staff as for everyone."""

    list_display = ["created_at", "group", "actor", "action", "target_user", "reason"]
    list_filter = ["action", "group"]
    search_fields = ["actor__display_name", "target_user__display_name", "reason"]
    list_select_related = ["group", "actor", "target_user"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "members_can_propose_groups"]

    def has_add_permission(self, request):
        return not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
