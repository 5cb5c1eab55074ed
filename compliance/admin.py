"""The audit trail in the platform console (registered in config/admin.py): read only."""

from __future__ import annotations

from web.admin import ReadOnlyAdmin


class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "tenant", "actor", "target"]
    list_filter = ["action"]
    search_fields = ["action", "target", "actor__email"]
    date_hierarchy = "created_at"


class SecurityEventAdmin(AuditEventAdmin):
    """Blocked addresses, locked accounts, refused requests and two-factor changes of every
    organisation, newest first (the model's manager keeps only those actions)."""

    list_display = ["created_at", "action", "tenant", "target", "actor"]
    list_filter = ["action", "tenant"]
