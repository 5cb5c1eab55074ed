"""People, memberships and invitations in the platform console (registered in config/admin.py)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import two_factor
from .models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "two_factor_on", "date_joined"]
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
    actions = ["reset_two_factor"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        devices = TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_two_factor=Exists(devices))

    @admin.display(boolean=True, description=_("Two-factor"), ordering="has_two_factor")
    def two_factor_on(self, user: User) -> bool:
        return user.has_two_factor

    @admin.action(description=_("Reset two-factor authentication (lost phone and codes)"))
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        reset = sum(two_factor.reset(user=user, acting_user=request.user) for user in queryset)
        untouched = queryset.count() - reset
        if reset:
            self.message_user(
                request,
                ngettext(
                    "Two-factor authentication was reset for %(count)d person; they set it up "
                    "again at their next sign-in.",
                    "Two-factor authentication was reset for %(count)d people; they set it up "
                    "again at their next sign-in.",
                    reset,
                )
                % {"count": reset},
                messages.SUCCESS,
            )
        if untouched:
            self.message_user(
                request,
                ngettext(
                    "%(count)d person had no two-factor authentication: nothing changed.",
                    "%(count)d people had no two-factor authentication: nothing changed.",
                    untouched,
                )
                % {"count": untouched},
                messages.WARNING,
            )


class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "tenant", "role", "created_at"]
    list_filter = ["role", "tenant"]
    search_fields = ["user__email", "tenant__name"]
    autocomplete_fields = ["user", "tenant"]


class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "tenant", "role", "status", "expires_at"]
    list_filter = ["status", "role"]
    search_fields = ["email", "tenant__name"]
    readonly_fields = ["token"]
