"""Admin for groups and memberships. Every change goes through the same services as
the app, so the log and open sockets follow; what a service owns is read-only here."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from groups.models import (
    Group,
    Invite,
    Membership,
    ModerationLogEntry,
    SiteSettings,
    Topic,
    WatchedWord,
)
from groups.services import groups as group_services
from groups.services import memberships as membership_services


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


class MembershipInline(admin.TabularInline):
    """Read-only here; change a membership on its own page, where the change is logged."""

    model = Membership
    extra = 0
    fields = ["user", "role", "state", "muted_until", "joined_at"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that change only through the app's services: look, don't touch."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _refusal(error) -> str:
    return " ".join(getattr(error, "messages", [str(error)]))


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    """Edits go through group_create and group_update: the rules version moves and the
    change is logged exactly as when a leader edits the group."""

    list_display = ["name", "visibility", "join_policy", "status", "active_members",
                    "last_activity_at"]  # fmt: skip
    list_filter = ["status", "visibility", "join_policy", "topics"]
    search_fields = ["name", "slug", "short_description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["topics"]
    fields = ["name", "slug", *group_services.EDITABLE_BY_LEADERS, "visibility", "join_policy",
              "status", "rules_version", "rules_updated_at", "created_at",
              "proposed_by"]  # fmt: skip
    inlines = [MembershipInline]
    actions = ["approve_proposals"]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["status", "rules_version", "rules_updated_at", "created_at", "proposed_by"]
        return [*fixed, "slug"] if obj is not None else fixed

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if obj is None else {}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(active_count=Count("memberships", filter=Q(memberships__state="active")))
        )

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            editable = [*group_services.EDITABLE_BY_LEADERS, *group_services.EDITABLE_BY_OWNER]
            group_services.group_update(
                acting_user=request.user, group=obj,
                **{name: data[name] for name in form.changed_data if name in editable},
            )  # fmt: skip
        else:
            fields = {name: data[name] for name in form.fields if name != "topics"}
            group = group_services.group_create(acting_user=request.user, topics=data["topics"],
                                                **fields)  # fmt: skip
            obj.pk = group.pk

    def save_related(self, request, form, formsets, change):
        # Topics were saved by the service; the membership inline only shows.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

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
                self.message_user(request, f"{group}: {_refusal(error)}", messages.ERROR)
        self.message_user(request, _("%(n)d group(s) approved.") % {"n": approved})


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "group", "role", "state", "muted_until", "joined_at"]
    list_filter = ["role", "state", "group"]
    search_fields = ["user__display_name", "user__email", "group__name"]
    raw_id_fields = ["user", "group"]
    list_select_related = ["user", "group"]
    actions = ["approve_requests", "appoint_leaders", "remove_leaders"]

    def has_add_permission(self, request):
        return False  # members join, ask or are invited; admins answer requests here

    def has_change_permission(self, request, obj=None):
        # Role, state and mutes change only through the actions below and the queue's
        # sanctions, which log the change and tell the member's open sockets.
        return obj is None

    def has_delete_permission(self, request, obj=None):
        return False

    def _run(self, request, queryset, service, done_message):
        done = 0
        for membership in queryset.select_related("group", "user"):
            try:
                service(acting_user=request.user, membership=membership)
                done += 1
            except (PermissionDenied, ValidationError) as error:
                self.message_user(request, f"{membership}: {_refusal(error)}", messages.WARNING)
        self.message_user(request, done_message % {"n": done})

    @admin.action(description=_("Approve the selected join requests"))
    def approve_requests(self, request, queryset):
        self._run(request, queryset, membership_services.membership_approve,
                  _("%(n)d request(s) approved."))  # fmt: skip

    @admin.action(description=_("Make the selected members peer leaders"))
    def appoint_leaders(self, request, queryset):
        self._run(request, queryset, membership_services.leader_appoint,
                  _("%(n)d peer leader(s) appointed."))  # fmt: skip

    @admin.action(description=_("Stop the selected peer leaders leading"))
    def remove_leaders(self, request, queryset):
        self._run(request, queryset, membership_services.leader_remove,
                  _("%(n)d peer leader(s) no longer lead."))  # fmt: skip


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected invite links"))
    def revoke(self, request, queryset):
        for invite in queryset.select_related("group"):
            membership_services.invite_revoke(acting_user=request.user, invite=invite)
        self.message_user(request, _("The links no longer work."))

    list_display = ["group", "created_by", "created_at", "expires_at", "use_count", "max_uses",
                    "revoked_at"]  # fmt: skip
    list_filter = ["group"]
    readonly_fields = ["token", "created_at", "use_count"]
    raw_id_fields = ["created_by"]
    list_select_related = ["group", "created_by"]


@admin.register(ModerationLogEntry)
class ModerationLogEntryAdmin(ReadOnlyAdmin):
    """Read-only: the log is append-only, for staff as for everyone."""

    list_display = ["created_at", "group", "actor", "action", "target_user", "reason"]
    list_filter = ["action", "group"]
    search_fields = ["actor__display_name", "target_user__display_name", "reason"]
    list_select_related = ["group", "actor", "target_user"]
    date_hierarchy = "created_at"


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "members_can_propose_groups"]

    def has_add_permission(self, request):
        return not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WatchedWord)
class WatchedWordAdmin(admin.ModelAdmin):
    list_display = ["phrase", "action", "group", "created_at"]
    list_filter = ["action", ("group", admin.EmptyFieldListFilter), "group"]
    search_fields = ["phrase"]
    raw_id_fields = ["group"]
