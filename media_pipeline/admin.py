"""The console staff see on an organisation's own host: that organisation's data only."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Movie


class TenantAdminSite(admin.AdminSite):
    site_header = _("Movie Recap organisation console")
    site_title = _("Organisation console")
    index_title = _("This organisation's data")


tenant_admin = TenantAdminSite(name="tenant_admin")


@admin.register(Movie, site=tenant_admin)
class MovieAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "duration", "size_bytes", "created_at"]
    list_filter = ["status", "language"]
    search_fields = ["title"]
    readonly_fields = ["checksum", "probe", "size_bytes", "created_at"]
