"""The four plans of the offer; limits are None where unlimited."""

from django.db import migrations

PLANS = [
    # code, name, longest movie (min), storage GB, processing h/month, price cents, order
    ("free", "Free", 120, 10, 10, 0, 1),
    ("starter", "Starter", 240, 100, 50, 2900, 2),
    ("professional", "Professional", 480, 1000, 200, 9900, 3),
    ("enterprise", "Enterprise", None, None, None, 0, 4),
]


def create_plans(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    for code, name, minutes, storage, hours, price, order in PLANS:
        Plan.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "max_movie_minutes": minutes,
                "storage_gb": storage,
                "processing_hours_per_month": hours,
                "monthly_price_cents": price,
                "sort_order": order,
            },
        )


def remove_plans(apps, schema_editor):
    apps.get_model("billing", "Plan").objects.filter(code__in=[p[0] for p in PLANS]).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(create_plans, remove_plans)]
