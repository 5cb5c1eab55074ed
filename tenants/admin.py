"""The platform console on the product's own domain: organisations, people, plans, audit trail."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from accounts.models import Invitation, Membership, User
from billing.models import Plan
from compliance.models import AuditEvent

from . import services
from .models import Domain, Tenant, TenantStatus


class PlatformAdminSite(admin.AdminSite):
    site_header = _("Movie Recap platform")
    site_title = _("Movie Recap platform")
    index_title = _("Operations")


platform_admin = PlatformAdminSite(name="platform_admin")


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


# TranslationAdmin shows one input per language for translated fields (name, description).
@admin.register(Tenant, site=platform_admin)
class TenantAdmin(TranslationAdmin):
    list_display = ["name", "slug", "status", "region", "plan", "created_at"]
    list_filter = ["status", "region", "plan"]
    search_fields = ["name", "slug"]
    readonly_fields = ["schema_name", "created_at"]
    inlines = [DomainInline, MembershipInline]
    actions = ["suspend", "reactivate"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tenant]:
        return super().get_queryset(request).exclude(schema_name="public")

    def _set_status(self, request: HttpRequest, queryset: QuerySet[Tenant], status: str) -> int:
        for tenant in queryset:
            services.set_tenant_status(tenant=tenant, status=status, acting_user=request.user)
        return queryset.count()

    @admin.action(description=_("Suspend the selected organisations"))
    def suspend(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> None:
        count = self._set_status(request, queryset, TenantStatus.SUSPENDED)
        self.message_user(
            request,
            ngettext("%d organisation suspended.", "%d organisations suspended.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Reactivate the selected organisations"))
    def reactivate(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> None:
        count = self._set_status(request, queryset, TenantStatus.ACTIVE)
        self.message_user(
            request,
            ngettext("%d organisation reactivated.", "%d organisations reactivated.", count)
            % count,
            messages.SUCCESS,
        )


@admin.register(Domain, site=platform_admin)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "tenant", "is_primary"]
    search_fields = ["domain", "tenant__name"]


@admin.register(User, site=platform_admin)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ()
    list_filter = ["is_staff", "is_active"]
    inlines = [MembershipInline]


@admin.register(Membership, site=platform_admin)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "tenant", "role", "created_at"]
    list_filter = ["role", "tenant"]
    search_fields = ["user__email", "tenant__name"]
    autocomplete_fields = ["user", "tenant"]


@admin.register(Invitation, site=platform_admin)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "tenant", "role", "status", "expires_at"]
    list_filter = ["status", "role"]
    search_fields = ["email", "tenant__name"]
    readonly_fields = ["token"]


@admin.register(Plan, site=platform_admin)
class PlanAdmin(TranslationAdmin):
    list_display = [
        "name",
        "code",
        "max_movie_minutes",
        "storage_gb",
        "processing_hours_per_month",
        "monthly_price_cents",
    ]


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records only the product writes (audit trail, webhook deliveries): view and filter,
    never add, edit or delete by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditEvent, site=platform_admin)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "tenant", "actor", "target"]
    list_filter = ["action"]
    search_fields = ["action", "target", "actor__email"]
    date_hierarchy = "created_at"
