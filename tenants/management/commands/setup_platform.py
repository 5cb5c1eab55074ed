"""Bring every schema up to date: public, the template new tenants are cloned from, each tenant."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django_tenants.utils import schema_exists

from tenants.services import ensure_public_tenant


class Command(BaseCommand):
    help = "Migrate the public schema, the tenant template schema and every tenant schema."

    def handle(self, *args: object, **options: object) -> None:
        verbosity = int(options.get("verbosity", 1))
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
        if settings.TENANT_CREATION_FAKES_MIGRATIONS:
            template = settings.TENANT_BASE_SCHEMA
            if not schema_exists(template):
                with connection.cursor() as cursor:
                    cursor.execute(f'CREATE SCHEMA "{template}"')
            call_command(
                "migrate_schemas",
                tenant=True,
                schema_name=template,
                interactive=False,
                verbosity=verbosity,
            )
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=verbosity)
        ensure_public_tenant()
        self.stdout.write(self.style.SUCCESS("Every schema is up to date."))
