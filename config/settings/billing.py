"""Billing: Stripe (off without a secret key), the price ids of each plan and currency, Stripe
Tax, the dunning grace period and the usage alerts. See docs/decisions/0020."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .base import env

# Without a secret key nothing talks to Stripe: the billing page says payments are not set up
# and staff set plans by hand.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# Only for a local Stripe double (localstripe, stripe-mock); production leaves it unset.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com")
# Webhook timestamps older than this (seconds) are refused, against replays of a captured body.
STRIPE_WEBHOOK_TOLERANCE = env.int("STRIPE_WEBHOOK_TOLERANCE", default=300)
# "<plan>.<CURRENCY>=<price id>" pairs, comma-separated: the monthly Stripe price of each plan
# in each currency, e.g. "starter.EUR=price_1Q…,starter.USD=price_1R…".
STRIPE_PRICE_IDS = env.dict("STRIPE_PRICE_IDS", default={})
# Stripe Tax computes and collects the tax at checkout (needs Stripe Tax switched on).
STRIPE_AUTOMATIC_TAX = env.bool("STRIPE_AUTOMATIC_TAX", default=False)
# Enterprise processing beyond the agreed hours is reported to this Stripe billing meter.
STRIPE_OVERAGE_METER_EVENT = env.str("STRIPE_OVERAGE_METER_EVENT", default="recap_overage_minutes")
# Days an organisation stays usable (uploads blocked) after a failed payment before suspension.
BILLING_GRACE_DAYS = env.int("BILLING_GRACE_DAYS", default=14)
# Share of a limit at which owners are warned, once per billing period (100% is always told).
QUOTA_WARNING_PERCENT = env.int("QUOTA_WARNING_PERCENT", default=80)
# Seconds between two flushes of the API call counters from Redis into the usage ledger.
API_USAGE_FLUSH_INTERVAL = env.int("API_USAGE_FLUSH_INTERVAL", default=300)

for _key in STRIPE_PRICE_IDS:
    if "." not in _key:
        raise ImproperlyConfigured(
            f"STRIPE_PRICE_IDS: {_key!r} is not <plan>.<CURRENCY>, e.g. starter.EUR"
        )
if not 0 < QUOTA_WARNING_PERCENT < 100:
    raise ImproperlyConfigured("QUOTA_WARNING_PERCENT must be between 1 and 99.")
