from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tenants.admin import TenantAdminMixin

from apps.accounts.models import ApiKey, ExternalIdentity, Invitation, Membership, User
from apps.accounts.services import auth_locks_clear
from apps.audit.services import audit_operator_action
from apps.tenants.models import Domain, Tenant
from apps.tenants.policies import is_public_tenant
from apps.tenants.services import tenant_restore


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["tenant"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "language", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "time_zone", "language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined", "email_verified_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = [MembershipInline]
    actions = ["lift_sign_in_locks"]

    @admin.action(description=_("Lift sign-in locks (from every address)"), permissions=["change"])
    def lift_sign_in_locks(self, request, queryset):
        for user in queryset:
            auth_locks_clear(email=user.email)
        audit_operator_action(request=request, name="lift_sign_in_locks", objects=queryset)
        self.message_user(
            request, _("Sign-in locks lifted for %(count)d people.") % {"count": len(queryset)}
        )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "tenant", "role", "suspended_until", "created_at"]
    list_filter = ["role", "tenant"]
    search_fields = ["user__email", "tenant__name"]
    list_select_related = ["user", "tenant"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "tenant", "role", "invited_by", "expires_at", "accepted_at"]
    list_filter = ["role", "tenant"]
    search_fields = ["email", "tenant__name"]
    list_select_related = ["tenant", "invited_by"]
    readonly_fields = ["token_hash"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Operators see every tenant's keys and can revoke them; secrets are never shown."""

    list_display = ["name", "tenant", "prefix", "scope", "created_by", "last_used_at", "revoked_at"]
    list_filter = ["scope", "tenant", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "tenant__name"]
    list_select_related = ["tenant", "created_by"]
    readonly_fields = ["prefix", "tenant", "created_by", "created_at", "last_used_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # keys are created by the tenant's admins, who see the secret once

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        keys = list(queryset.filter(revoked_at__isnull=True).select_related("tenant"))
        count = ApiKey.objects.filter(pk__in=[key.pk for key in keys]).update(
            revoked_at=timezone.now()
        )
        audit_operator_action(request=request, name="revoke", objects=keys)
        self.message_user(request, _("%(count)d keys revoked.") % {"count": count})


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    """Links are made by OpenID Connect sign-ins. Operators can only delete one (say, the
    provider gave the subject to someone else): the next sign-in links by verified email again.
    """

    list_display = ["user", "issuer", "subject", "created_at", "last_used_at"]
    list_filter = ["issuer"]
    search_fields = ["user__email", "subject"]
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Companies: their rows and hosts are apps.tenants'; restoring a deleted one, and its member
# count, are the accounts' side of them.
class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0

    def has_delete_permission(self, request, obj=None):
        return not is_public_tenant(obj) and super().has_delete_permission(request, obj)


@admin.register(Tenant)
class TenantAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "schema_name",
        "plan",
        "is_active",
        "deleted_at",
        "created_at",
        "member_count",
    ]
    list_filter = ["is_active", "plan"]
    list_select_related = ["plan"]
    search_fields = ["name", "slug", "domains__domain"]
    readonly_fields = ["schema_name", "created_at", "deleted_at"]
    inlines = [DomainInline]
    actions = ["restore"]

    @admin.action(description=_("Restore deleted companies (their data is kept)"))
    def restore(self, request, queryset):
        restored = [tenant_restore(tenant=t) for t in queryset.filter(deleted_at__isnull=False)]
        audit_operator_action(request=request, name="restore", objects=restored)
        self.message_user(
            request,
            ngettext(
                "%(count)d company restored; its people sign in again.",
                "%(count)d companies restored; their people sign in again.",
                len(restored),
            )
            % {"count": len(restored)},
        )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_total=Count("memberships"))

    @admin.display(description=_("members"), ordering="member_total")
    def member_count(self, obj: Tenant) -> int:
        return obj.member_total

    def has_add_permission(self, request):
        # Tenants are created with `manage.py tenant_create` or signup, which clone the schema.
        return False

    def get_readonly_fields(self, request, obj=None):
        # The slug names the host and the schema, which do not follow a change of it.
        return [*self.readonly_fields, "slug"] if obj is not None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # The public tenant is the public site itself (and the admin being used).
        return not is_public_tenant(obj) and super().has_delete_permission(request, obj)
