"""The security policy of seed 000: the allow-list keeps its networks under its new name
(`allowed_ips`), and gains a block list and country rules."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0004_alter_tenant_status"),
    ]

    operations = [
        migrations.RenameField(
            model_name="tenantsecuritypolicy",
            old_name="allowed_ip_ranges",
            new_name="allowed_ips",
        ),
        migrations.AddField(
            model_name="tenantsecuritypolicy",
            name="blocked_ips",
            field=models.JSONField(blank=True, default=list, verbose_name="blocked IP ranges"),
        ),
        migrations.AddField(
            model_name="tenantsecuritypolicy",
            name="allowed_countries",
            field=models.JSONField(blank=True, default=list, verbose_name="allowed countries"),
        ),
        migrations.AddField(
            model_name="tenantsecuritypolicy",
            name="blocked_countries",
            field=models.JSONField(blank=True, default=list, verbose_name="blocked countries"),
        ),
    ]
