from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("billing", "0008_regional_prices")]

    operations = [migrations.RemoveField(model_name="plan", name="monthly_price_cents")]
