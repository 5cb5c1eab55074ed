"""Signed webhooks: an organisation's endpoints, the events sent to them, and their deliveries."""
