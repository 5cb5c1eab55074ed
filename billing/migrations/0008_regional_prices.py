"""Each plan's monthly price in the eight currencies: regional price tiers, set per market
(not converted at a daily rate). Amounts are in Stripe's minor units: cents, whole yen.

`fill_prices` also runs against the live model registry (tests rebuild the plans after a flush).
"""

from django.db import migrations

# plan code -> {currency: amount in minor units}
PRICES = {
    "starter": {
        "USD": 2900,
        "EUR": 2900,
        "GBP": 2500,
        "JPY": 4400,
        "SGD": 3900,
        "CNY": 19900,
        "INR": 199900,
        "AED": 10900,
    },
    "professional": {
        "USD": 9900,
        "EUR": 9900,
        "GBP": 8500,
        "JPY": 14800,
        "SGD": 12900,
        "CNY": 66900,
        "INR": 699900,
        "AED": 36900,
    },
}


def fill_prices(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    Price = apps.get_model("billing", "Price")
    for code, amounts in PRICES.items():
        plan = Plan.objects.filter(code=code).first()
        if plan is None:
            continue
        for currency, amount in amounts.items():
            Price.objects.update_or_create(
                plan=plan, currency=currency, defaults={"amount": amount}
            )
    Plan.objects.filter(code="enterprise").update(contact_sales=True)


def keep_other_list_prices(apps, schema_editor):
    # Plans added by staff keep their list price, in euros as the old column counted it.
    Plan = apps.get_model("billing", "Plan")
    Price = apps.get_model("billing", "Price")
    for plan in Plan.objects.exclude(code__in=PRICES).filter(monthly_price_cents__gt=0):
        Price.objects.get_or_create(
            plan=plan, currency="EUR", defaults={"amount": plan.monthly_price_cents}
        )


class Migration(migrations.Migration):
    dependencies = [("billing", "0007_prices_subscriptions_invoices")]

    operations = [
        migrations.RunPython(fill_prices, migrations.RunPython.noop),
        migrations.RunPython(keep_other_list_prices, migrations.RunPython.noop),
    ]
