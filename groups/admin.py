from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, Q, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.models import (
    Appeal,
    Group,
    Invite,
    Membership,
    ModerationLogEntry,
    ReviewEvent,
    ReviewItem,
    Sanction,
    SiteSettings,
    Topic,
    WatchedWord,
)
from groups.services import groups as group_services
from groups.services import memberships as membership_services
from groups.services import moderation as moderation_services
from groups.services.audit import log_action


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

    def save_model(self, request, obj, form, change):
        rules_changed = change and "rules" in form.changed_data
        if rules_changed:
            # Members accept the new version before they next post, as for leaders' edits.
            obj.rules_version += 1
            obj.rules_updated_at = timezone.now()
        super().save_model(request, obj, form, change)
        if rules_changed:
            log_action(actor=request.user, action=ModerationLogEntry.Action.RULES_CHANGED,
                       group=obj, version=obj.rules_version)  # fmt: skip
        if not change:
            log_action(actor=request.user, action=ModerationLogEntry.Action.GROUP_CREATED,
                       group=obj)  # fmt: skip
        elif form.changed_data:
            log_action(actor=request.user, action=ModerationLogEntry.Action.GROUP_EDITED,
                       group=obj, fields=form.changed_data)  # fmt: skip

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
    actions = ["approve_requests", "appoint_leaders"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            log_action(
                actor=request.user, action=ModerationLogEntry.Action.ADMIN_CHANGED_MEMBERSHIP,
                group=obj.group, target_user=obj.user, fields=form.changed_data,
                values={name: str(form.cleaned_data[name]) for name in form.changed_data},
            )  # fmt: skip

    def _run(self, request, queryset, service, done_message):
        done = 0
        for membership in queryset.select_related("group", "user"):
            try:
                service(acting_user=request.user, membership=membership)
                done += 1
            except (PermissionDenied, ValidationError) as error:
                message = " ".join(getattr(error, "messages", [str(error)]))
                self.message_user(request, f"{membership}: {message}", messages.WARNING)
        self.message_user(request, done_message % {"n": done})

    @admin.action(description=_("Approve the selected join requests"))
    def approve_requests(self, request, queryset):
        self._run(request, queryset, membership_services.membership_approve,
                  _("%(n)d request(s) approved."))  # fmt: skip

    @admin.action(description=_("Make the selected members peer leaders"))
    def appoint_leaders(self, request, queryset):
        self._run(request, queryset, membership_services.leader_appoint,
                  _("%(n)d peer leader(s) appointed."))  # fmt: skip


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


@admin.register(WatchedWord)
class WatchedWordAdmin(admin.ModelAdmin):
    list_display = ["phrase", "action", "group", "created_at"]
    list_filter = ["action", ("group", admin.EmptyFieldListFilter), "group"]
    search_fields = ["phrase"]
    raw_id_fields = ["group"]


class ReviewEventInline(admin.TabularInline):
    model = ReviewEvent
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "actor", "action", "note"]

    def has_add_permission(self, request, obj=None):
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

    def save_model(self, request, obj, form, change):
        sanction = moderation_services.sanction_suspend(
            acting_user=request.user, user=obj.user, reason=obj.reason, until=obj.ends_at
        )
        obj.pk = sanction.pk


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = ["sanction", "created_at"]
    readonly_fields = ["sanction", "message", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
