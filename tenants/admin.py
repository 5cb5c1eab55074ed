"""Organisations and their domains in the platform console (registered in config/admin.py)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from accounts.admin import MembershipInline

from . import services
from .models import Domain, Tenant, TenantStatus


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


# TranslationAdmin shows one input per language for translated fields (name, description).
class TenantAdmin(TranslationAdmin):
    list_display = ["name", "slug", "status", "region", "plan", "created_at"]
    list_filter = ["status", "region", "plan"]
    search_fields = ["name", "slug"]
    # The plan and currency change through billing (Subscriptions), audited there.
    readonly_fields = ["schema_name", "plan", "currency", "created_at"]
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


class DomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "tenant", "is_primary"]
    search_fields = ["domain", "tenant__name"]
