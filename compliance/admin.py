"""The audit trail in the platform console (registered in config/admin.py): read only."""

from __future__ import annotations

from web.admin import ReadOnlyAdmin


class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "tenant", "actor", "target"]
    list_filter = ["action"]
    search_fields = ["action", "target", "actor__email"]
    date_hierarchy = "created_at"
