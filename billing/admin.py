"""Plans in the platform console (registered in config/admin.py)."""

from __future__ import annotations

from modeltranslation.admin import TranslationAdmin


class PlanAdmin(TranslationAdmin):
    list_display = [
        "name",
        "code",
        "max_movie_minutes",
        "storage_gb",
        "processing_hours_per_month",
        "monthly_price_cents",
    ]
