"""Webhook endpoints and deliveries in the organisation console (registered in config/admin.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from web.admin import ReadOnlyAdmin

from . import services, targets
from .models import SUBSCRIBABLE_EVENTS, WebhookDelivery, WebhookEndpoint


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=2000, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(event.value, event.label) for event in SUBSCRIBABLE_EVENTS],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "is_active"]

    def clean_url(self) -> str:
        return targets.check_target(self.cleaned_data["url"]).url


class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "description", "is_active", "consecutive_failures", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "description"]
    readonly_fields = [
        "secret", "disabled_reason", "disabled_at", "consecutive_failures", "failing_since",
        "created_at", "deliveries_link",
    ]  # fmt: skip
    actions = ["send_test_event", "enable", "rotate_secret"]

    @admin.display(description=_("Deliveries"))
    def deliveries_link(self, obj: WebhookEndpoint) -> str:
        if obj.pk is None:
            return "—"
        url = reverse("tenant_admin:webhooks_webhookdelivery_changelist")
        return format_html(
            '<a href="{}?endpoint__id__exact={}">{}</a>',
            url,
            obj.pk,
            _("%(count)d deliveries") % {"count": obj.deliveries.count()},
        )

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form: Any, change: bool):
        data = form.cleaned_data
        if change:
            saved = services.update_endpoint(
                endpoint=obj, acting_user=request.user, url=data["url"], events=data["events"],
                description=data["description"], is_active=data["is_active"],
            )  # fmt: skip
        else:
            saved = services.create_endpoint(
                url=data["url"], events=data["events"], description=data["description"],
                acting_user=request.user,
            )  # fmt: skip
        # The admin goes on with `obj` (log entry, redirect): give it the saved row's state.
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})

    def delete_model(self, request: HttpRequest, obj: WebhookEndpoint) -> None:
        services.delete_endpoint(endpoint=obj, acting_user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            services.delete_endpoint(endpoint=endpoint, acting_user=request.user)

    def _apply(
        self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint], action: Callable
    ) -> int:
        done = 0
        for endpoint in queryset:
            try:
                action(endpoint)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                text = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"{endpoint}: {text}", messages.WARNING)
        return done

    @admin.action(description=_("Send a test event"))
    def send_test_event(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        done = self._apply(
            request,
            queryset,
            lambda e: services.send_test_event(endpoint=e, acting_user=request.user),
        )
        if done:
            self.message_user(request, _("%(count)d test event(s) queued.") % {"count": done})

    @admin.action(description=_("Turn the selected endpoints back on"))
    def enable(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        done = self._apply(
            request,
            queryset,
            lambda e: services.update_endpoint(
                endpoint=e, acting_user=request.user, is_active=True
            ),
        )
        if done:
            self.message_user(request, _("%(count)d endpoint(s) turned on.") % {"count": done})

    @admin.action(description=_("Rotate the signing secret"))
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        done = self._apply(
            request,
            queryset,
            lambda e: services.rotate_secret(endpoint=e, acting_user=request.user),
        )
        if done:
            self.message_user(
                request,
                _("%(count)d secret(s) rotated; the old ones keep signing for 24 hours.")
                % {"count": done},
            )


class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at", "event", "endpoint", "status", "attempts", "response_status",
        "duration_ms", "next_attempt_at",
    ]  # fmt: skip
    list_filter = ["status", "event", "endpoint"]
    search_fields = ["event_id"]
    list_select_related = ["endpoint"]
    date_hierarchy = "created_at"
    actions = ["redeliver"]

    @admin.action(description=_("Send the selected deliveries again"))
    def redeliver(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        done = 0
        for delivery in queryset:
            try:
                services.redeliver(delivery=delivery, acting_user=request.user)
                done += 1
            except ValidationError as exc:
                self.message_user(request, f"#{delivery.pk}: {exc.messages[0]}", messages.WARNING)
        if done:
            self.message_user(request, _("%(count)d delivery(ies) queued again.") % {"count": done})
