"""Billing fixtures: Stripe configured against the local fake, and price ids for the plans."""

from __future__ import annotations

import pytest

from tests.billing.stripe_fake import WEBHOOK_SECRET, FakeStripe

PRICE_IDS = {
    "starter.EUR": "price_starter_eur",
    "professional.EUR": "price_professional_eur",
    "starter.JPY": "price_starter_jpy",
}


@pytest.fixture
def stripe_api(settings):
    fake = FakeStripe().start()
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_PRICE_IDS = dict(PRICE_IDS)
    yield fake
    fake.stop()
