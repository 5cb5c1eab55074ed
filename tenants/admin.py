"""Organisations and their domains in the platform console (registered in config/admin.py)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin
from modeltranslation.utils import build_localized_fieldname

from accounts.admin import MembershipInline
from accounts.forms import language_choices
from billing.limits import limits_of, month_started, usage_of
from billing.models import UsageRecord
from billing.selectors import meters
from web.sites import tenant_base_url

from . import console, services, suspension
from .models import Domain, Tenant, TenantStatus


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


class StatusChangeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=suspension.REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_(
            "Sent to the organisation's owners by email, and shown on its site while it is "
            "suspended."
        ),
    )


BASE_NAME = build_localized_fieldname("name", services.BASE_NAME_LANGUAGE)
OTHER_NAMES = [
    build_localized_fieldname("name", code)
    for code in settings.LANGUAGE_CODES
    if code != services.BASE_NAME_LANGUAGE
]


# TranslationAdmin shows one input per language for the name; all but the base one are folded.
class TenantAdmin(TranslationAdmin):
    list_display = [
        "name", "slug", "status", "region", "plan", "storage_used", "processing_this_month",
        "created_at",
    ]  # fmt: skip
    list_filter = ["status", "region", "plan"]
    search_fields = ["name", "slug"]
    # Address, region and schema are fixed at signup; the plan and currency change through
    # billing (Subscriptions); the status through the suspend and reactivate actions.
    readonly_fields = [
        "site", "slug", "status", "region", "schema_name", "plan", "currency", "usage",
        "created_at",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": [BASE_NAME, "default_language", "site", "status"]}),
        (_("Plan and usage"), {"fields": ["plan", "currency", "usage"]}),
        (_("Address and data"), {"fields": ["slug", "region", "schema_name", "created_at"]}),
        (_("Name in other languages"), {"classes": ["collapse"], "fields": OTHER_NAMES}),
    ]
    inlines = [DomainInline, MembershipInline]
    actions = ["suspend", "reactivate"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # organisations are created by signup or the platform API (a schema each)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tenant]:
        ledger = "usage__quantity"
        return (
            super()
            .get_queryset(request)
            .exclude(schema_name="public")
            .select_related("plan")
            .annotate(
                storage_bytes=Sum(ledger, filter=Q(usage__kind=UsageRecord.Kind.STORAGE_BYTES)),
                processing_seconds=Sum(
                    ledger,
                    filter=Q(
                        usage__kind=UsageRecord.Kind.PROCESSING_SECONDS,
                        usage__created_at__gte=month_started(),
                    ),
                ),
            )
        )

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "default_language":
            return forms.TypedChoiceField(
                label=db_field.verbose_name.capitalize(), choices=language_choices()
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("Storage used"), ordering="storage_bytes")
    def storage_used(self, tenant: Tenant) -> str:
        return filesizeformat(getattr(tenant, "storage_bytes", 0) or 0)

    @admin.display(description=_("Processing this month"), ordering="processing_seconds")
    def processing_this_month(self, tenant: Tenant) -> str:
        hours = (getattr(tenant, "processing_seconds", 0) or 0) / 3600
        return _("%(hours).1f h") % {"hours": hours}

    @admin.display(description=_("usage"))
    def usage(self, tenant: Tenant) -> str:
        rows = []
        labels = {
            UsageRecord.Kind.STORAGE_BYTES: _("Storage used"),
            UsageRecord.Kind.PROCESSING_SECONDS: _("Processing this month"),
            UsageRecord.Kind.API_CALLS: _("API calls"),
        }
        for meter in meters(usage_of(tenant), limits_of(tenant)):
            if meter.kind == UsageRecord.Kind.STORAGE_BYTES:
                used = filesizeformat(meter.used)
                limit = filesizeformat(meter.limit) if meter.limit else _("unlimited")
            elif meter.kind == UsageRecord.Kind.PROCESSING_SECONDS:
                used = _("%(hours).1f h") % {"hours": meter.used / 3600}
                limit = (
                    _("%(hours).1f h") % {"hours": meter.limit / 3600}
                    if meter.limit
                    else _("unlimited")
                )
            else:
                used, limit = str(int(meter.used)), "—"
            share = f"{meter.percent}%" if meter.percent is not None else ""
            rows.append((labels[meter.kind], used, limit, share))
        return format_html(
            '<table data-testid="usage"><tbody>{}</tbody></table>',
            format_html_join(
                "", "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td><td>{}</td></tr>", rows
            ),
        )

    @admin.display(description=_("site"))
    def site(self, tenant: Tenant) -> str:
        base = tenant_base_url(tenant)
        opened = reverse(f"{self.admin_site.name}:tenants_tenant_console", args=[tenant.pk])
        return format_html(
            '<a href="{}/" rel="noopener" target="_blank">{}</a> · <a href="{}">{}</a>',
            base, base, opened, _("Open its console"),
        )  # fmt: skip

    def save_model(self, request: HttpRequest, obj: Tenant, form, change: bool) -> None:
        """Names and the default language change through the settings service (audited)."""
        data = form.cleaned_data
        services.update_tenant_settings(
            tenant=obj,
            name=data[BASE_NAME],
            default_language=data["default_language"],
            translated_names={
                code: data.get(build_localized_fieldname("name", code)) or ""
                for code in settings.LANGUAGE_CODES
                if code != services.BASE_NAME_LANGUAGE
            },
            acting_user=request.user,
        )

    def get_urls(self) -> list:
        console_view = self.admin_site.admin_view(self.open_console)
        return [
            path("<int:pk>/console/", console_view, name="tenants_tenant_console"),
            *super().get_urls(),
        ]

    def open_console(self, request: HttpRequest, pk: int) -> HttpResponse:
        tenant = get_object_or_404(Tenant.objects.exclude(schema_name="public"), pk=pk)
        return HttpResponseRedirect(
            console.open_console(
                tenant=tenant,
                acting_user=request.user,
                next_path=request.GET.get("next", ""),
                request=request,
            )
        )

    def _change_status(
        self, request: HttpRequest, queryset: QuerySet[Tenant], *, to: str
    ) -> HttpResponse | None:
        """First the confirmation page with the reason; then the change, through the service."""
        suspending = to == TenantStatus.SUSPENDED
        form = StatusChangeForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            change = suspension.suspend_tenant if suspending else suspension.reactivate_tenant
            for tenant in queryset:
                change(tenant=tenant, reason=form.cleaned_data["reason"], acting_user=request.user)
            count = queryset.count()
            text = (
                ngettext("%d organisation suspended.", "%d organisations suspended.", count)
                if suspending
                else ngettext(
                    "%d organisation reactivated.", "%d organisations reactivated.", count
                )
            )
            self.message_user(request, text % count, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Suspend organisations") if suspending else _("Reactivate organisations"),
            "suspending": suspending,
            "form": form,
            "tenants": queryset,
            "action": "suspend" if suspending else "reactivate",
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/tenants/status_change.html", context)

    @admin.action(description=_("Suspend the selected organisations"))
    def suspend(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> HttpResponse | None:
        return self._change_status(request, queryset, to=TenantStatus.SUSPENDED)

    @admin.action(description=_("Reactivate the selected organisations"))
    def reactivate(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> HttpResponse | None:
        return self._change_status(request, queryset, to=TenantStatus.ACTIVE)


class DomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "tenant", "is_primary"]
    search_fields = ["domain", "tenant__name"]
