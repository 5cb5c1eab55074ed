"""Billing in the platform console (registered in config/admin.py): plans and their regional
prices, each organisation's subscription (staff set the plan and agreed limits here, through
billing.services), invoices with the failed payments, and the Stripe events received."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from . import services
from .models import Invoice, Plan, Price, Subscription

LIMIT_FIELDS = ["custom_storage_gb", "custom_processing_hours", "custom_max_movie_minutes"]


class PriceInline(admin.TabularInline):
    model = Price
    extra = 0


class PlanAdmin(TranslationAdmin):
    list_display = [
        "name",
        "code",
        "max_movie_minutes",
        "storage_gb",
        "processing_hours_per_month",
        "api_requests_per_minute",
        "contact_sales",
    ]
    inlines = [PriceInline]


class SubscriptionForm(forms.ModelForm):
    plan = forms.ModelChoiceField(label=_("plan"), queryset=Plan.objects.all())

    class Meta:
        model = Subscription
        fields = LIMIT_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["plan"].initial = self.instance.tenant.plan_id


class SubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ["tenant", "plan", "status", "current_period_end", "past_due_since"]
    list_filter = ["status", "tenant__plan"]
    search_fields = ["tenant__name", "tenant__slug", "stripe_customer_id"]
    list_select_related = ["tenant", "tenant__plan"]
    readonly_fields = [
        "tenant", "status", "stripe_customer_id", "stripe_subscription_id",
        "current_period_start", "current_period_end", "cancel_at_period_end", "scheduled_plan",
        "past_due_since", "first_paid_at", "overage_reported_seconds",
    ]  # fmt: skip
    fields = ["tenant", "plan", *LIMIT_FIELDS, *readonly_fields[1:]]

    @admin.display(description=_("plan"), ordering="tenant__plan__sort_order")
    def plan(self, subscription: Subscription) -> str:
        return str(subscription.tenant.plan or "—")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # every organisation gets its row when it is created

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Subscription, form: Any, change: bool) -> None:
        plan = form.cleaned_data["plan"]
        limits = {field: form.cleaned_data.get(field) for field in LIMIT_FIELDS}
        try:
            services.set_plan(
                tenant=obj.tenant,
                plan=plan,
                acting_user=request.user,
                custom_limits=limits if plan.contact_sales else None,
            )
        except ValidationError as exc:
            self.message_user(request, exc.messages[0], messages.ERROR)


class FailedPaymentFilter(admin.SimpleListFilter):
    title = _("payment failed")
    parameter_name = "failed"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", _("Failed payments")), ("open", _("Failed and still unpaid"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
        if self.value() == "yes":
            return queryset.filter(payment_failed=True)
        if self.value() == "open":
            return queryset.filter(payment_failed=True, status=Invoice.Status.OPEN)
        return queryset


class InvoiceAdmin(admin.ModelAdmin):
    list_display = [
        "__str__", "tenant", "status", "total", "currency", "payment_failed", "attempt_count",
        "created",
    ]  # fmt: skip
    list_filter = [FailedPaymentFilter, "status", "currency"]
    search_fields = ["number", "stripe_id", "tenant__name"]
    list_select_related = ["tenant"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # written from Stripe's webhooks only

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["stripe_id", "type", "outcome", "received_at"]
    list_filter = ["outcome", "type"]
    search_fields = ["stripe_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
