"""Create the demo organisation and its owner (once) and print how to sign in."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.models import User
from tenants.models import Tenant
from tenants.services import signup_tenant
from web.sites import public_base_url, tenant_base_url

DEMO_EMAIL = "demo@example.com"


class Command(BaseCommand):
    help = "Create the demo organisation and user if missing; print the URLs and credentials."

    def handle(self, *args: object, **options: object) -> None:
        credentials = settings.RUN_DIR / "demo-credentials.txt"
        tenant = Tenant.objects.filter(slug="demo").first()
        if tenant is None or not credentials.exists():
            password = secrets.token_urlsafe(12)
            user = User.objects.filter(email=DEMO_EMAIL).first()
            if user is None:
                tenant, user = signup_tenant(
                    slug="demo",
                    name="Demo Studio",
                    owner_email=DEMO_EMAIL,
                    owner_password=password,
                    owner_name="Demo Owner",
                )
            user.set_password(password)
            user.save(update_fields=["password"])
            credentials.parent.mkdir(parents=True, exist_ok=True)
            credentials.write_text(f"{DEMO_EMAIL}\n{password}\n")
        email, password = credentials.read_text().split()
        site = public_base_url()
        self.stdout.write(
            "\n".join(
                [
                    "",
                    f"  Movie Recap is starting on {site}/",
                    f"  Sign up a new organisation:  {site}/signup/",
                    f"  Demo organisation:           {tenant_base_url(tenant)}/",
                    f"                      or       {site}/t/demo/",
                    f"  Demo sign-in:                {email} / {password}",
                    "",
                ]
            )
        )
