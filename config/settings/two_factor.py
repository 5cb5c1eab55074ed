"""Two-factor sign-in (django-otp): authenticator apps and recovery codes
(docs/decisions/0022-two-factor-authentication.md)."""

from __future__ import annotations

# The name authenticator apps show next to the account.
OTP_TOTP_ISSUER = "Movie Recap"
# django-otp's own per-device delays are off: wrong codes are counted per person in the shared
# cache instead (accounts.two_factor), with a clear "try again in N minutes".
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
