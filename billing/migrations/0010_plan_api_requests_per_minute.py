"""Paid plans raise the API rate above the platform default (100 a minute per key or person)."""

from django.db import migrations, models

RATES = {"starter": 300, "professional": 1000, "enterprise": 3000}


def set_rates(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    for code, rate in RATES.items():
        Plan.objects.filter(code=code).update(api_requests_per_minute=rate)


class Migration(migrations.Migration):
    dependencies = [("billing", "0009_remove_plan_monthly_price_cents")]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="api_requests_per_minute",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="API requests per minute"
            ),
        ),
        migrations.RunPython(set_rates, migrations.RunPython.noop),
    ]
